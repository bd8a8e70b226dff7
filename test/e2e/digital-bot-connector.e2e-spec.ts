import type { ConversationView, EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { RedisKeys, sessionKeyOf, turnIdOf } from '@app/store';
import { processOutput, testChannel, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { botTexts, CC_SECRET, DBC_HEADER, DBC_SECRET, startProviderGateway, V2_FLOW as FLOW, waitForView as waitForConversation, type ProviderGateway } from '../support/provider-gateway.js';
import { RecordingBot } from '../support/recording-bot.js';
import { countKeys } from '../support/redis-test-prefix.js';

/**
 * Digital Bot Connector (v2) end to end: the emulator plays Genesys (its Architect flow calls the
 * gateway's /dbc/messages, its API takes the outgoing messages), the gateway runs as real child
 * processes, the bot is a recording HTTP backend whose latency each test sets.
 */
let pg: ProviderGateway;
let emu: EmulatorApp;
let gw: GatewayHarness;
let bot: RecordingBot;
let channel: TestChannel;
let plain: TestChannel;
let worker: ProviderGateway['worker'];

beforeAll(async () => {
  bot = new RecordingBot();
  const botUrl = await bot.start();
  plain = testChannel('dbc-none');
  pg = await startProviderGateway({
    name: 'dbc',
    channelId: 'dbc1',
    channel: {
      handoff: { maxConsecutiveFallbacks: 2, defaultQueue: 'General', summaryTurns: 3 },
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0', '1.1'], languages: ['en-us'], intents: [{ name: 'Echo', slots: { topic: { name: 'topic', type: 'string' } } }], provider: { name: 'http', config: { url: botUrl }, timeoutMs: 8000, retries: 0 } }],
    },
    inlineWindowMs: 400,
    extraChannels: [plain],
    env: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', OUTBOX_SWEEP_INTERVAL_MS: '500' },
  });
  ({ gw, emu, channel, worker } = pg);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await bot?.stop();
});

beforeEach(() => {
  bot.delayMs = 0;
});

const waitForView = (conversationId: string, check: (v: ConversationView) => boolean, timeoutMs = 15_000) => waitForConversation(emu, conversationId, check, timeoutMs);

const outgoingFor = (botSessionId: string) => emu.emulator.outgoing.received.filter((m) => m.botSessionId === botSessionId);

async function dbc(path: string, init: { method?: string; body?: unknown; secret?: string | null; channelId?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.secret !== null) headers[DBC_HEADER] = init.secret ?? DBC_SECRET;
  const res = await fetch(`${gw.baseUrl}/genesys/${init.channelId ?? channel.id}/dbc${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

describe('Digital Bot Connector v2 (gateway ↔ emulator over HTTP)', () => {
  it('lists the bots for Architect, with every version and the handoff/end intents and their entities', async () => {
    const list = await dbc('/bots');
    expect(list.status).toBe(200);
    expect(list.body.entities).toHaveLength(1);
    const b = list.body.entities[0];
    expect(b).toMatchObject({ id: 'bot1', name: 'Bot One', provider: expect.any(String) });
    expect(b.versions.map((v: { version: string }) => v.version)).toEqual(['1.0', '1.1']);
    expect(b.versions[0].supportedLanguages).toEqual(['en-us']);
    expect(b.versions[0].intents).toEqual([
      { name: 'Echo', entities: [{ name: 'topic', type: 'String' }] },
      { name: 'AgentHandoff', entities: [{ name: 'queue', type: 'String' }, { name: 'reason', type: 'String' }, { name: 'summary', type: 'String' }] },
      { name: 'EndConversation' },
    ]);
    expect((await dbc('/bots/bot1')).body.id).toBe('bot1');
    expect((await dbc('/bots/nope')).status).toBe(404);
  });

  it('refuses a missing or wrong connection secret and a channel without v2 with the same 403', async () => {
    const missing = await dbc('/bots', { secret: null });
    expect(missing).toEqual({ status: 403, body: { botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'forbidden', errorMessage: 'invalid credential or channel' } } });
    expect(await dbc('/bots', { secret: `${DBC_SECRET}x` })).toEqual(missing);
    const wrong = await dbc('/messages', { method: 'POST', secret: 'nope', body: { botId: 'bot1', botVersion: '1.0', botSessionId: 's-x', messageId: 'm1', inputMessage: { type: 'Text', text: 'hi' }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: 'c-x' } });
    expect(wrong.status).toBe(403);
    expect(bot.calls.some((c) => c.sessionId === 's-x')).toBe(false);
    expect(await dbc('/bots', { channelId: plain.id })).toEqual(missing);
  });

  it('answers a fast bot inline, in the HTTP response, and sends nothing through the outgoing API', async () => {
    const view = await emu.emulator.startConversation(FLOW, { text: 'quick one' });
    expect(botTexts(view, 'response')).toEqual(['echo: quick one']);
    await new Promise((r) => setTimeout(r, 300));
    expect(outgoingFor(view.botSessionId)).toHaveLength(0);
  });

  it('acknowledges a slow bot with MoreData at once and delivers its replies later through the outgoing API, in order', async () => {
    bot.delayMs = 900;
    const started = Date.now();
    const view = await emu.emulator.startConversation(FLOW, { text: 'first' });
    // The flow had its answer within the inline window (400 ms) plus overhead, not after the bot.
    expect(Date.now() - started).toBeLessThan(850);
    expect(botTexts(view)).toEqual([]);
    const flowCall = emu.emulator.flowCalls.filter((c) => c.conversationId === view.id).at(-1)!;
    expect(flowCall).toMatchObject({ status: 200, botState: 'MoreData' });
    await emu.emulator.sendCustomerMessage(view.id, { text: 'second' });
    await emu.emulator.sendCustomerMessage(view.id, { text: 'third' });
    const done = await waitForView(view.id, (v) => botTexts(v).length === 3);
    expect(botTexts(done, 'outgoing')).toEqual(['echo: first', 'echo: second', 'echo: third']);
    expect(outgoingFor(view.botSessionId).map((m) => m.botState)).toEqual(['MoreData', 'MoreData', 'MoreData']);
    expect(done.state).toBe('bot');
  });

  it('hands off asynchronously with an outgoing Complete: the flow transfers to the queue the bot named, and the agent sees the context in participant data', async () => {
    bot.delayMs = 700;
    const view = await emu.emulator.startConversation(FLOW, { text: 'handoff' });
    expect(view.state).toBe('bot');
    const done = await waitForView(view.id, (v) => v.state !== 'bot');
    expect(done).toMatchObject({ state: 'agent', queue: 'Billing', intent: 'AgentHandoff' });
    expect(botTexts(done, 'outgoing')).toEqual(['Let me get someone.', expect.stringMatching(/agent/i)]);
    const last = outgoingFor(view.botSessionId).at(-1)!;
    expect(last).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff' });
    const attrs = (await waitForView(view.id, (v) => Object.keys(v.participantAttributes).length > 0)).participantAttributes;
    expect(attrs).toMatchObject({ 'bot.handoffReason': 'bot_request', 'bot.handoffQueue': 'Billing', 'bot.sessionId': view.botSessionId });
  });

  it('sends a reply exactly once when the worker is killed between the bot call and the send', async () => {
    bot.delayMs = 1500;
    const view = await emu.emulator.startConversation(FLOW, { text: 'survive this' });
    const calledAt = Date.now();
    await gw.waitFor(async () => bot.calls.some((c) => c.sessionId === view.botSessionId), 5000);
    await gw.kill(worker, 'SIGKILL');
    worker = await gw.startWorker();
    const done = await waitForView(view.id, (v) => botTexts(v).length >= 1, 20_000);
    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1500));
    expect(botTexts(emu.emulator.conversationView(view.id)!)).toEqual(['echo: survive this']);
    expect(outgoingFor(view.botSessionId)).toHaveLength(1);
    // The re-run had to call the bot again: the first call's result died with the worker.
    expect(bot.calls.filter((c) => c.sessionId === view.botSessionId).length).toBe(2);
    expect(done.state).toBe('bot');
    expect(Date.now() - calledAt).toBeGreaterThan(1500);
  });

  it('sends a stored reply exactly once when the worker dies while Genesys rate-limits the send', async () => {
    bot.delayMs = 600;
    // The send meets a 429 asking for 3 s; the worker dies while waiting it out, with the reply in the outbox.
    emu.emulator.rateLimitNext(1, 3, '/api/v2/integrations/botconnectors/outgoing');
    const view = await emu.emulator.startConversation(FLOW, { text: 'parked' });
    await gw.waitFor(async () => emu.emulator.callsTo('/api/v2/integrations/botconnectors/outgoing/messages').some((c) => c.status === 429), 10_000);
    await gw.kill(worker, 'SIGKILL');
    worker = await gw.startWorker();
    await waitForView(view.id, (v) => botTexts(v).length >= 1, 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(botTexts(emu.emulator.conversationView(view.id)!)).toEqual(['echo: parked']);
    expect(outgoingFor(view.botSessionId)).toHaveLength(1);
    // The bot ran once: the result survived in the outbox, only the send was redone.
    expect(bot.calls.filter((c) => c.sessionId === view.botSessionId)).toHaveLength(1);
  });

  it('honours a 429 from the outgoing API and still delivers once', async () => {
    bot.delayMs = 600;
    emu.emulator.rateLimitNext(1, 1, '/api/v2/integrations/botconnectors/outgoing');
    const view = await emu.emulator.startConversation(FLOW, { text: 'patience' });
    const done = await waitForView(view.id, (v) => botTexts(v).length === 1);
    expect(botTexts(done, 'outgoing')).toEqual(['echo: patience']);
    const sends = emu.emulator.callsTo('/api/v2/integrations/botconnectors/outgoing/messages').filter((c) => c.at >= Date.parse(view.messages[0]!.at));
    expect(sends.map((c) => c.status)).toEqual([429, 200]);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('drops a reply for a session Genesys does not know (409 session.not.found) and records why in the transcript', async () => {
    bot.delayMs = 700;
    const botSessionId = `unknown-${Date.now()}`;
    const res = await dbc('/messages', {
      method: 'POST',
      body: { botId: 'bot1', botVersion: '1.0', botSessionId, messageId: 'm-unknown', inputMessage: { type: 'Text', text: 'into the void' }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: 'conv-unknown' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ botState: 'MoreData', replyMessages: [] });
    await gw.waitFor(async () => {
      const t = await gw.admin(`/api/conversations/${botSessionId}?channelId=${channel.id}`);
      return t.status === 200 && t.body.turns.some((e: { kind?: string }) => e.kind === 'outgoing_failed');
    }, 15_000);
    const t = await gw.admin(`/api/conversations/${botSessionId}?channelId=${channel.id}`);
    const failed = t.body.turns.find((e: { kind?: string }) => e.kind === 'outgoing_failed');
    expect(failed.error).toMatch(/409 session\.not\.found/);
    expect(emu.emulator.callsTo('/api/v2/integrations/botconnectors/outgoing/messages').filter((c) => c.status === 409).length).toBeGreaterThanOrEqual(1);
    // One attempt: a 409 is not retried.
    await new Promise((r) => setTimeout(r, 1000));
    expect(outgoingFor(botSessionId)).toHaveLength(0);
  });

  it('answers a redelivered message (same messageId) without a second bot call', async () => {
    const body = { botId: 'bot1', botVersion: '1.0', botSessionId: `redeliver-${Date.now()}`, messageId: 'same-message', inputMessage: { type: 'Text', text: 'once' }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: 'conv-r' };
    const a = await dbc('/messages', { method: 'POST', body });
    const b = await dbc('/messages', { method: 'POST', body });
    expect(a.body.replyMessages).toEqual([{ type: 'Text', text: 'echo: once' }]);
    expect(b.body).toEqual(a.body);
    expect(bot.calls.filter((c) => c.sessionId === body.botSessionId)).toHaveLength(1);
  });

  it('refuses a bot version Genesys was never told about with a 4xx (not retried by Genesys)', async () => {
    const res = await dbc('/messages', { method: 'POST', body: { botId: 'bot1', botVersion: '9.9', botSessionId: 's-v', messageId: 'm-v', inputMessage: { type: 'Text', text: 'hi' }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: 'c-v' } });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).toMatch(/version/);
  });

  it('refuses a turn without messageId or botVersion with 400 naming the field, and queues nothing', async () => {
    const keys = new RedisKeys(gw.prefix);
    const turn = (botSessionId: string, drop: string[], extra: Record<string, unknown> = {}) => {
      const body: Record<string, unknown> = { botId: 'bot1', botVersion: '1.0', botSessionId, messageId: `m-${botSessionId}`, inputMessage: { type: 'Text', text: 'hi' }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: `c-${botSessionId}`, ...extra };
      for (const f of drop) delete body[f];
      return body;
    };
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['no messageId', turn('req-nomsg', ['messageId']), ['messageId']],
      ['no botVersion', turn('req-nover', ['botVersion']), ['botVersion']],
      ['neither', turn('req-neither', ['messageId', 'botVersion']), ['messageId', 'botVersion']],
      ['empty messageId', turn('req-emptymsg', [], { messageId: '' }), ['messageId']],
      ['empty botVersion', turn('req-emptyver', [], { botVersion: '' }), ['botVersion']],
      ['messageId over 256 characters', turn('req-longmsg', [], { messageId: 'm'.repeat(257) }), ['messageId']],
      ['botVersion over 100 characters', turn('req-longver', [], { botVersion: 'v'.repeat(101) }), ['botVersion']],
    ];
    const turnsBefore = await countKeys(gw.redis, `${gw.prefix}:turn:*`);
    for (const [name, body, fields] of cases) {
      const res = await dbc('/messages', { method: 'POST', body });
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      expect(res.body).toMatchObject({ botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'invalid_request' } });
      const named = (res.body.details as string[]).map((d) => d.split(/[ .:]/)[0]);
      expect({ name, named: [...new Set(named)].sort() }).toEqual({ name, named: [...fields].sort() });
    }
    // A turn that had been accepted would be answered inline by now (the bot has no delay).
    await new Promise((r) => setTimeout(r, 500));
    for (const [, body] of cases) {
      const sid = body.botSessionId as string;
      expect(bot.calls.filter((c) => c.sessionId === sid)).toEqual([]);
      const session = sessionKeyOf(channel.id, sid);
      const written = [keys.inbox(session), keys.sessionSeq(session), keys.session(session), keys.transcript(session), keys.outbox(session)];
      if (typeof body.messageId === 'string') written.push(keys.turn(turnIdOf(channel.id, sid, body.messageId, () => 'unused')));
      expect(await gw.redis.exists(...written)).toBe(0);
    }
    expect(await countKeys(gw.redis, `${gw.prefix}:turn:*`)).toBe(turnsBefore);
  });

  it('never writes the connection secret or the OAuth client secret to Redis or the logs', async () => {
    const keys = await gw.redis.keys(`${gw.prefix}:*`);
    for (const k of keys) {
      const type = await gw.redis.type(k);
      const dump = type === 'string' ? await gw.redis.get(k) : type === 'list' ? (await gw.redis.lrange(k, 0, -1)).join('\n') : type === 'hash' ? JSON.stringify(await gw.redis.hgetall(k)) : '';
      expect(dump ?? '').not.toContain(DBC_SECRET);
      expect(dump ?? '').not.toContain(CC_SECRET);
    }
    const logs = processOutput(gw);
    expect(logs).not.toContain(DBC_SECRET);
    expect(logs).not.toContain(CC_SECRET);
  });
});
