import { randomUUID } from 'node:crypto';
import { createEmulatorApp, type EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { GatewayHarness, freePort, newSessionBody, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';
import { adminCall, dumpPrefix, issuedAccessTokens, keysContaining, pollUntil, sleep, type ApiAnswer } from '../support/platform-fixtures.js';
import { countKeys } from '../support/redis-test-prefix.js';

/**
 * Bot list publishing (v1, reference §2.6) and proactive notifications (v2 outgoing messages
 * §3.5, agentless §6.1) through the real gateway (ingress + worker as child processes) against
 * the in-process Genesys emulator. Assertions are on what the emulator received, not only on
 * what the gateway answered.
 */
const CC_CLIENT = 'pn-cc';
const CC_SECRET = 'pn-cc-client-secret-0123456789abcdef';
const DBC_HEADER = 'X-Connection-Secret';
const DBC_SECRET = 'pn-dbc-connection-secret-0123456789abcdefXYZ';

const INT_PUB = 'pn-v1-publish';
const INT_PRUNE = 'pn-v1-prune';
const INT_BAD = 'pn-v1-bad';
const INT_NOTIFY = 'pn-v1-notify';
const INT_FAIL = 'pn-v1-fail';
const INT_V2 = 'pn-v2';

const SMS_FROM = '+13175550199';
const RATE_FROM = '+13175550177';
const SMS_TO = '+13175550100';

const AGENTLESS_PATH = '/api/v2/conversations/messages/agentless';
const HANDOFF_INTENT = {
  name: 'AgentHandoff',
  slots: { queue: { name: 'queue', type: 'String' }, reason: { name: 'reason', type: 'String' }, summary: { name: 'summary', type: 'String' } },
};
const END_INTENT = { name: 'EndConversation' };

let emu: EmulatorApp;
let gw: GatewayHarness;
let emulatorUrl: string;
let workerMetricsUrl: string;

let pub: TestChannel;
let pubChanged: TestChannel;
let pubAdded: TestChannel;
let badSlot: TestChannel;
let pruneOld: TestChannel;
let pruneNew: TestChannel;
let pubFail: TestChannel;
let note: TestChannel;
let rate: TestChannel;

/** Every idempotency key this file sends, to check none is stored in clear. */
const idempotencyKeys: string[] = [];

function genesys(integrationId: string): Record<string, unknown> {
  return {
    environment: 'mypurecloud.ie',
    integrationId,
    oauth: { clientId: CC_CLIENT, clientSecret: CC_SECRET, grant: 'client_credentials', baseUrl: emulatorUrl },
    digitalBotConnector: { secretHeader: DBC_HEADER, secret: DBC_SECRET, inlineWindowMs: 3000 },
  };
}

function bot(versions: string[], intents: unknown[]): Record<string, unknown> {
  return { id: 'bot1', name: 'Bot One', versions, languages: ['en-us', 'de-DE'], intents, provider: { name: 'demo', config: {} } };
}

const ECHO = { name: 'Echo', slots: { topic: { name: 'topic', type: 'String' } } };
const HELP = { name: 'Help' };

beforeAll(async () => {
  emu = await createEmulatorApp({
    clients: [{ id: CC_CLIENT, secret: CC_SECRET, name: 'Gateway (client credentials)', redirectUris: [], scopes: [], grants: ['client_credentials'] }],
    integrations: [
      { id: INT_PUB, name: 'Publish', type: 'botconnector' },
      { id: INT_PRUNE, name: 'Prune', type: 'botconnector' },
      { id: INT_BAD, name: 'Bad', type: 'botconnector' },
      { id: INT_NOTIFY, name: 'Notify', type: 'botconnector' },
      { id: INT_FAIL, name: 'Fails', type: 'botconnector' },
      { id: INT_V2, name: 'Digital', type: 'digital-botconnector' },
    ],
  });
  emulatorUrl = await emu.listen(0);

  pub = testChannel('pn-pub', { genesys: genesys(INT_PUB), bots: [bot(['1.0'], [ECHO, HELP])] });
  // Same integration and bot, version 1.0 with one more intent: a live version would change.
  pubChanged = testChannel('pn-pub-changed', { genesys: genesys(INT_PUB), bots: [bot(['1.0'], [ECHO, HELP, { name: 'Refund' }])] });
  // The intents changed again, and this time a version was added after the published one.
  pubAdded = testChannel('pn-pub-added', { genesys: genesys(INT_PUB), bots: [bot(['1.0', '1.1'], [ECHO, HELP, { name: 'Refund' }, { name: 'Cancel' }])] });
  // The channel schema takes any slot type; Genesys (and the gateway's bot-list validator) do not.
  badSlot = testChannel('pn-bad', { genesys: genesys(INT_BAD), bots: [bot(['1.0'], [{ name: 'Pay', slots: { amount: { name: 'amount', type: 'Money' } } }])] });
  pruneOld = testChannel('pn-prune-old', { genesys: genesys(INT_PRUNE), bots: [bot(['1.0', '1.1'], [HELP])] });
  pruneNew = testChannel('pn-prune-new', { genesys: genesys(INT_PRUNE), bots: [bot(['1.1'], [HELP])] });
  pubFail = testChannel('pn-pub-fail', { genesys: genesys(INT_FAIL), bots: [bot(['1.0'], [HELP])] });
  note = testChannel('pn-note', { genesys: genesys(INT_NOTIFY), bots: [bot(['1.0'], [HELP])], notifications: { from: { sms: SMS_FROM } } });
  rate = testChannel('pn-rate', { genesys: genesys(INT_NOTIFY), bots: [bot(['1.0'], [HELP])], notifications: { ratePerSecond: 2, from: { sms: RATE_FROM } } });

  gw = new GatewayHarness('pubnotif', [pub, pubChanged, pubAdded, badSlot, pruneOld, pruneNew, pubFail, note, rate], {
    // info (not the harness's warn) so the leak check below sees the normal operation logs too.
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
  });
  await gw.startIngress();
  const workerMetricsPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  await gw.startWorker({ METRICS_PORT: String(workerMetricsPort) });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await emu?.close();
});

const api = (method: string, path: string, body?: unknown): Promise<ApiAnswer> => adminCall(gw.baseUrl, gw.adminToken, method, path, body);

function notify(channel: TestChannel, body: Record<string, unknown>): Promise<ApiAnswer> {
  if (typeof body.idempotencyKey === 'string') idempotencyKeys.push(body.idempotencyKey);
  return api('POST', `/api/channels/${channel.id}/notifications`, body);
}

/** Polls GET /api/notifications/:id until it is sent or failed. */
async function settled(id: string, timeoutMs = 15_000): Promise<any> {
  const last = await pollUntil(
    () => api('GET', `/api/notifications/${id}`),
    (r) => r.status === 200 && (r.body.status === 'sent' || r.body.status === 'failed'),
    timeoutMs,
    `notification ${id} to settle`,
  );
  return last.body;
}

const putsTo = (integrationId: string) => emu.emulator.botListHistory(integrationId);
const httpPuts = (integrationId: string) => emu.emulator.callsTo(`/api/v2/integrations/botconnector/${integrationId}/bots`).filter((c) => c.method === 'PUT');

/** Posts one Digital Bot Connector turn to the gateway, as Genesys would. */
async function dbcTurn(channel: TestChannel, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.baseUrl}/genesys/${channel.id}/dbc/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [DBC_HEADER]: DBC_SECRET },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/**
 * A real v2 bot session: the emulator opens it (as if a flow called the bot), the gateway learns
 * it from a turn posted with the emulator's botSessionId and conversation id.
 */
async function openV2Session(channel: TestChannel, text = 'hi'): Promise<{ conversationId: string; botSessionId: string }> {
  const s = emu.emulator.openBotSession({ botId: 'bot1', botVersion: '1.0', integrationId: INT_V2 });
  const res = await dbcTurn(channel, {
    botId: 'bot1',
    botVersion: '1.0',
    botSessionId: s.botSessionId,
    messageId: randomUUID(),
    inputMessage: { type: 'Text', text },
    languageCode: 'en-us',
    botSessionTimeout: 60,
    genesysConversationId: s.conversationId,
  });
  expect(res.status).toBe(200);
  await pollUntil(() => gw.redis.get(`${gw.prefix}:session:${channel.id}:${s.botSessionId}`), (v) => v !== null, 10_000, 'the gateway to store the v2 session');
  return s;
}

/** Bot messages the emulator received through the outgoing-messages API for a conversation. */
function outgoingMessages(conversationId: string) {
  return emu.emulator.conversationView(conversationId)!.messages.filter((m) => m.from === 'bot' && m.via === 'outgoing');
}

const agentlessTo = (to: string, text?: string) => emu.emulator.agentlessMessages.filter((m) => m.toAddress === to && (text === undefined || m.textBody === text));

// ---------------------------------------------------------------------------------------------

describe('publishing the v1 bot list (POST/GET /api/channels/:id/publish)', () => {
  it('PUTs the channel bots once, with versions, languages, the bot intents and the handoff and end intents', async () => {
    expect(putsTo(INT_PUB)).toHaveLength(0);
    const res = await api('POST', `/api/channels/${pub.id}/publish`);
    expect(res.status).toBe(200);

    const puts = putsTo(INT_PUB);
    expect(puts).toHaveLength(1);
    expect(httpPuts(INT_PUB)).toHaveLength(1);
    expect(puts[0]!.status).toBe(204);
    expect(puts[0]!.botList).toEqual({
      chatBots: [
        {
          id: 'bot1',
          name: 'Bot One',
          versions: [{ version: '1.0', supportedLanguages: ['en-us', 'de-de'], intents: [ECHO, HELP, HANDOFF_INTENT, END_INTENT] }],
        },
      ],
    });

    expect(res.body.lastPublish).toMatchObject({ ok: true, integrationId: INT_PUB, bots: [{ id: 'bot1', versions: ['1.0'] }] });
    expect(res.body.drift).toMatchObject({ inSync: true });

    const st = await api('GET', `/api/channels/${pub.id}/publish`);
    expect(st.status).toBe(200);
    expect(st.body.lastPublish).toMatchObject({ ok: true, integrationId: INT_PUB, bots: [{ id: 'bot1', versions: ['1.0'] }] });
    expect(st.body.comparedWith).toBe('last_publish');
    expect(st.body.drift).toEqual({ inSync: true, missingBots: [], missingVersions: [], changedVersions: [], extraBots: [], extraVersions: [], changedBots: [] });

    // Against what Genesys actually holds now: the same.
    const live = await api('GET', `/api/channels/${pub.id}/publish?refresh=true`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ comparedWith: 'genesys', drift: { inSync: true } });
    expect(httpPuts(INT_PUB)).toHaveLength(1);
  });

  it('refuses a bot list Genesys would refuse (slot type "Money") with 400 and the field path, and sends nothing', async () => {
    const res = await api('POST', `/api/channels/${badSlot.id}/publish`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toMatch(/nothing was sent/);
    expect(res.body.error.details).toEqual([expect.stringMatching(/^chatBots\[0\]\.versions\[0\]\.intents\[0\]\.slots\.amount\.type: "Money" is not a slot type/)]);
    expect(putsTo(INT_BAD)).toHaveLength(0);
    expect(emu.emulator.calls.filter((c) => c.path.includes(INT_BAD))).toHaveLength(0);

    const st = await api('GET', `/api/channels/${badSlot.id}/publish`);
    expect(st.status).toBe(200);
    expect(st.body.lastPublish).toBeUndefined();
  });

  it('will not change a live version (409, "add a version"), unless forced', async () => {
    expect(putsTo(INT_PUB)).toHaveLength(1);
    const res = await api('POST', `/api/channels/${pubChanged.id}/publish`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toMatch(/add a new version/);
    expect(res.body.error.details).toEqual([expect.stringContaining('bot1 1.0: intent "Refund": not published')]);
    expect(putsTo(INT_PUB)).toHaveLength(1);
    expect(httpPuts(INT_PUB)).toHaveLength(1);

    const forced = await api('POST', `/api/channels/${pubChanged.id}/publish?force=true`);
    expect(forced.status).toBe(200);
    const puts = putsTo(INT_PUB);
    expect(puts).toHaveLength(2);
    expect(puts[1]!.status).toBe(204);
    const intents = (puts[1]!.botList as any).chatBots[0].versions[0].intents.map((i: { name: string }) => i.name);
    expect(intents).toEqual(['Echo', 'Help', 'Refund', 'AgentHandoff', 'EndConversation']);
  });

  it('publishes a version added after a live one with the new intents, leaving the live one as Genesys holds it', async () => {
    const before = putsTo(INT_PUB).length;
    const res = await api('POST', `/api/channels/${pubAdded.id}/publish`);
    expect(res.status).toBe(200);
    expect(res.body.upToDate).toBe(true);
    const put = putsTo(INT_PUB)[before]!.botList as any;
    const intentsOf = (version: string) => put.chatBots[0].versions.find((v: { version: string }) => v.version === version).intents.map((i: { name: string }) => i.name);
    // 1.0 is what running flows use: unchanged (no Cancel); 1.1 carries the current intents.
    expect(intentsOf('1.0')).toEqual(['Echo', 'Help', 'Refund', 'AgentHandoff', 'EndConversation']);
    expect(intentsOf('1.1')).toEqual(['Echo', 'Help', 'Refund', 'Cancel', 'AgentHandoff', 'EndConversation']);
    const status = await api('GET', `/api/channels/${pubAdded.id}/publish?refresh=true`);
    expect(status.body).toMatchObject({ upToDate: true, drift: { inSync: false, changedVersions: [expect.objectContaining({ botId: 'bot1', version: '1.0' })] } });
  });

  it('keeps a version Genesys lists but the channel no longer configures, and drops it with prune=true', async () => {
    const first = await api('POST', `/api/channels/${pruneOld.id}/publish`);
    expect(first.status).toBe(200);
    const versionsOf = (i: number) => (putsTo(INT_PRUNE)[i]!.botList as any).chatBots.map((b: any) => ({ id: b.id, versions: b.versions.map((v: any) => v.version) }));
    expect(versionsOf(0)).toEqual([{ id: 'bot1', versions: ['1.0', '1.1'] }]);

    const merged = await api('POST', `/api/channels/${pruneNew.id}/publish`);
    expect(merged.status).toBe(200);
    expect(putsTo(INT_PRUNE)).toHaveLength(2);
    expect(versionsOf(1)).toEqual([{ id: 'bot1', versions: ['1.1', '1.0'] }]);
    // 1.0 was kept with the intents it was published with.
    expect((putsTo(INT_PRUNE)[1]!.botList as any).chatBots[0].versions[1]).toEqual({ version: '1.0', supportedLanguages: ['en-us', 'de-de'], intents: [HELP, HANDOFF_INTENT, END_INTENT] });
    const st = await api('GET', `/api/channels/${pruneNew.id}/publish`);
    expect(st.body.drift).toMatchObject({ inSync: false, extraVersions: [{ botId: 'bot1', version: '1.0' }] });

    const pruned = await api('POST', `/api/channels/${pruneNew.id}/publish?prune=true`);
    expect(pruned.status).toBe(200);
    expect(putsTo(INT_PRUNE)).toHaveLength(3);
    expect(versionsOf(2)).toEqual([{ id: 'bot1', versions: ['1.1'] }]);
    const after = await api('GET', `/api/channels/${pruneNew.id}/publish`);
    expect(after.body.drift).toMatchObject({ inSync: true });
  });

  // BUG: BotListPublisher.record() keeps the last good `published` on a failed attempt "so drift
  // stays meaningful", but status() compares against it only when the last attempt was ok
  // (apps/ingress/src/publishing/bot-list-publisher.service.ts:101,
  // `last?.ok ? last.published : undefined`), so after any failed publish GET /publish shows no
  // drift at all. Fix: `this.view(channel, last, last?.published, 'last_publish')`.
  it('after a failed publish, still shows the drift against the last good publish', async () => {
    const path = `/api/v2/integrations/botconnector/${INT_FAIL}/bots`;
    expect((await api('POST', `/api/channels/${pubFail.id}/publish`)).status).toBe(200);
    expect(putsTo(INT_FAIL).map((p) => p.status)).toEqual([204]);

    // The next PUT fails (every retry of it): the live-list GET goes through first, then Genesys breaks.
    const lists = emu.emulator.botLists;
    const get = lists.get.bind(lists);
    lists.get = (integrationId: string) => {
      const answer = get(integrationId);
      if (integrationId === INT_FAIL) emu.emulator.failNext(10, 500, path);
      return answer;
    };
    let failed: ApiAnswer;
    try {
      failed = await api('POST', `/api/channels/${pubFail.id}/publish`);
    } finally {
      lists.get = get;
      emu.emulator.failNext(0);
    }
    expect(failed.status).toBe(502);
    expect(httpPuts(INT_FAIL).map((c) => c.status)).toEqual([204, 500, 500, 500, 500]);
    expect(putsTo(INT_FAIL)).toHaveLength(1);

    const st = await api('GET', `/api/channels/${pubFail.id}/publish`);
    expect(st.status).toBe(200);
    expect(st.body.lastPublish).toMatchObject({ ok: false, integrationId: INT_FAIL, error: expect.stringContaining('500'), bots: [{ id: 'bot1', versions: ['1.0'] }] });
    // BUG (see above the test): drift and comparedWith are missing here.
    expect(st.body.comparedWith).toBe('last_publish');
    expect(st.body.drift).toMatchObject({ inSync: true });
  });
});

// ---------------------------------------------------------------------------------------------

describe('notifications into an open Digital Bot Connector session', () => {
  it('sends the text once through the outgoing-messages API (202 + Location, then sent with the messageId); a repeat is 200 with the same id and sends nothing', async () => {
    const { conversationId, botSessionId } = await openV2Session(note);
    const text = 'Your parcel ships today.';
    const key = `sess-${randomUUID()}`;
    const res = await notify(note, { idempotencyKey: key, target: { botSessionId }, text });
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^n[0-9a-f]{32}$/);
    expect(res.headers.get('location')).toBe(`/api/notifications/${res.body.id}`);
    expect(res.body).toMatchObject({ channelId: note.id, target: { kind: 'session', botSessionId }, text });
    expect(res.body).not.toHaveProperty('idempotencyKeyHash');

    const done = await settled(res.body.id);
    expect(done.status).toBe('sent');
    expect(done.genesys.messageId).toEqual(expect.any(String));
    const received = emu.emulator.outgoing.received.filter((r) => r.botSessionId === botSessionId);
    expect(received.map((r) => r.messageId)).toContain(done.genesys.messageId);
    expect(received.find((r) => r.messageId === done.genesys.messageId)).toMatchObject({ botState: 'MoreData', replyCount: 1 });
    expect(outgoingMessages(conversationId).filter((m) => m.text === text)).toHaveLength(1);

    const again = await notify(note, { idempotencyKey: key, target: { botSessionId }, text });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    expect(again.headers.get('location')).toBe(`/api/notifications/${res.body.id}`);
    await sleep(1000);
    expect(outgoingMessages(conversationId).filter((m) => m.text === text)).toHaveLength(1);
    expect(emu.emulator.outgoing.received.filter((r) => r.botSessionId === botSessionId)).toHaveLength(received.length);
    const still = await api('GET', `/api/notifications/${res.body.id}`);
    expect(still.body).toMatchObject({ status: 'sent', genesys: { messageId: done.genesys.messageId } });
  });

  it('renders a template notification (quick replies) into a structured message', async () => {
    const { conversationId, botSessionId } = await openV2Session(note);
    const res = await notify(note, {
      idempotencyKey: `tpl-${randomUUID()}`,
      target: { botSessionId },
      messages: [{ type: 'quickReplies', text: 'When shall we call you?', replies: [{ title: 'Morning', payload: 'am' }, { title: 'Afternoon', payload: 'pm' }] }],
    });
    expect(res.status).toBe(202);
    const done = await settled(res.body.id);
    expect(done).toMatchObject({ status: 'sent', genesys: { messageId: expect.any(String) } });
    const structured = outgoingMessages(conversationId).filter((m) => m.type === 'Structured');
    expect(structured).toHaveLength(1);
    expect(structured[0]).toMatchObject({
      text: 'When shall we call you?',
      content: [
        { contentType: 'QuickReply', quickReply: { text: 'Morning', payload: 'am' } },
        { contentType: 'QuickReply', quickReply: { text: 'Afternoon', payload: 'pm' } },
      ],
    });
  });

  it('refuses a v1 session (409) and an unknown session (404), queueing nothing', async () => {
    const v1 = newSessionBody('hi');
    const turn = await gw.turn(note, v1);
    expect(turn.status).toBe(200);
    await pollUntil(() => gw.redis.get(`${gw.prefix}:session:${note.id}:${v1.botSessionId}`), (v) => v !== null, 10_000, 'the v1 session');
    const before = await countKeys(gw.redis, `${gw.prefix}:notification:*`);

    const onV1 = await notify(note, { idempotencyKey: `v1-${randomUUID()}`, target: { botSessionId: v1.botSessionId }, text: 'hello' });
    expect(onV1.status).toBe(409);
    expect(onV1.body.error.code).toBe('conflict');
    expect(onV1.body.error.message).toMatch(/v1/);

    const unknown = await notify(note, { idempotencyKey: `unk-${randomUUID()}`, target: { botSessionId: randomUUID() }, text: 'hello' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    expect(await countKeys(gw.redis, `${gw.prefix}:notification:*`)).toBe(before);
  });

  it('reports failed with the 409 code when Genesys closed the session; refuses at once (409) a session the gateway handed off', async () => {
    // Closed on the Genesys side (an outgoing Complete): the gateway cannot know, Genesys answers 409.
    const { conversationId, botSessionId } = await openV2Session(note);
    const closing = emu.emulator.outgoing.post({ botId: 'bot1', botVersion: '1.0', botSessionId, languageCode: 'en-us', botState: 'Complete', intent: 'EndConversation' });
    expect(closing).toMatchObject({ status: 200 });
    expect(emu.emulator.conversationView(conversationId)!.state).toBe('ended');
    const sentBefore = emu.emulator.outgoing.received.filter((r) => r.botSessionId === botSessionId).length;

    const res = await notify(note, { idempotencyKey: `closed-${randomUUID()}`, target: { botSessionId }, text: 'too late' });
    expect(res.status).toBe(202);
    const done = await settled(res.body.id);
    expect(done.status).toBe('failed');
    expect(done.genesys).toMatchObject({ status: 409, code: 'session.already.closed' });
    expect(done.error).toMatch(/409/);
    expect(emu.emulator.outgoing.received.filter((r) => r.botSessionId === botSessionId)).toHaveLength(sentBefore);
    expect(emu.emulator.callsTo('/api/v2/integrations/botconnectors/outgoing/messages').some((c) => c.status === 409)).toBe(true);
    // The gateway learnt from the 409: the next notification for that session is refused up front.
    const after = await notify(note, { idempotencyKey: `closed-again-${randomUUID()}`, target: { botSessionId }, text: 'still too late' });
    expect(after.status).toBe(409);
    expect(after.body.error.message).toMatch(/ended \(genesys\)/);

    // Handed off by the gateway (the customer asked for an agent): refused up front.
    const handed = await openV2Session(note, 'agent');
    const session = JSON.parse((await gw.redis.get(`${gw.prefix}:session:${note.id}:${handed.botSessionId}`))!);
    expect(session.closed).toBe('handoff');
    const refused = await notify(note, { idempotencyKey: `handed-${randomUUID()}`, target: { botSessionId: handed.botSessionId }, text: 'too late' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/ended \(handoff\)/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('notifications to an address (agentless)', () => {
  it('sends an SMS once, from the channel sender, and reports the Genesys conversation id; a repeated key sends nothing', async () => {
    const text = `Your code is ${Math.floor(Math.random() * 1e6)}`;
    const key = `sms-${randomUUID()}`;
    const res = await notify(note, { idempotencyKey: key, target: { address: { messengerType: 'sms', to: SMS_TO } }, text });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/notifications/${res.body.id}`);
    expect(res.body.target).toEqual({ kind: 'address', messengerType: 'sms', to: SMS_TO, from: SMS_FROM, useExistingActiveConversation: false });

    const done = await settled(res.body.id);
    expect(done.status).toBe('sent');
    const sent = agentlessTo(SMS_TO, text);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ fromAddress: SMS_FROM, messengerType: 'sms' });
    expect(done.genesys).toMatchObject({ conversationId: sent[0]!.conversationId, id: sent[0]!.id });

    const again = await notify(note, { idempotencyKey: key, target: { address: { messengerType: 'sms', to: SMS_TO } }, text });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    await sleep(1000);
    expect(agentlessTo(SMS_TO, text)).toHaveLength(1);
  });

  it('sends WhatsApp with a messaging template (required there), and refuses WhatsApp text without one', async () => {
    const waFrom = '6f9d4c1e-3b2a-4d5e-8f70-1a2b3c4d5e6f';
    const to = '13175550133';
    const bare = await notify(note, { idempotencyKey: `wa-bare-${randomUUID()}`, target: { address: { messengerType: 'whatsapp', to, from: waFrom } }, text: 'Hello' });
    expect(bare.status).toBe(400);
    expect(JSON.stringify(bare.body)).toMatch(/messagingTemplate: required for WhatsApp/);
    const template = { responseId: 'order_shipped', bodyParameters: [{ id: '1', value: '#1042' }] };
    const res = await notify(note, { idempotencyKey: `wa-${randomUUID()}`, target: { address: { messengerType: 'whatsapp', to, from: waFrom } }, template });
    expect(res.status).toBe(202);
    expect((await settled(res.body.id)).status).toBe('sent');
    const sent = agentlessTo(to);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ messengerType: 'whatsapp', fromAddress: waFrom, messagingTemplate: template });
  });

  it('sends once when the same key arrives several times at once', async () => {
    const to = '+13175550122';
    const key = `burst-${randomUUID()}`;
    const body = { idempotencyKey: key, target: { address: { messengerType: 'sms', to } }, text: 'Only once, please.' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => notify(note, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect((await settled(answers[0]!.body.id)).status).toBe('sent');
    await sleep(500);
    expect(agentlessTo(to)).toHaveLength(1);
  });

  it('refuses an SMS of 766 characters (400, the limit named) and messages (templates) for an address, queueing nothing; 765 goes out', async () => {
    const countRecords = async () => (await countKeys(gw.redis, `${gw.prefix}:notification:*`)) + (await countKeys(gw.redis, `${gw.prefix}:notification-key:*`));
    const keysBefore = await countRecords();
    const jobsBefore = await countKeys(gw.redis, `${gw.prefix}:bull:notifications:n*`);
    const sentBefore = emu.emulator.agentlessMessages.length;

    const long = await notify(note, { idempotencyKey: `long-${randomUUID()}`, target: { address: { messengerType: 'sms', to: SMS_TO } }, text: 'x'.repeat(766) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('invalid_request');
    expect(long.body.error.message).toMatch(/longer than 765 characters \(766\)/);

    const tpl = await notify(note, {
      idempotencyKey: `tpl-addr-${randomUUID()}`,
      target: { address: { messengerType: 'sms', to: SMS_TO } },
      messages: [{ type: 'quickReplies', text: 'Pick', replies: [{ title: 'A', payload: 'a' }] }],
    });
    expect(tpl.status).toBe(400);
    expect(tpl.body.error.message).toMatch(/text only/);

    await sleep(300);
    expect(await countRecords()).toBe(keysBefore);
    expect(await countKeys(gw.redis, `${gw.prefix}:bull:notifications:n*`)).toBe(jobsBefore);
    expect(emu.emulator.agentlessMessages.length).toBe(sentBefore);

    // 765 is the limit itself: accepted, and Genesys (the emulator) takes it too.
    const fits = 'y'.repeat(765);
    const ok = await notify(note, { idempotencyKey: `fits-${randomUUID()}`, target: { address: { messengerType: 'sms', to: SMS_TO } }, text: fits });
    expect(ok.status).toBe(202);
    expect((await settled(ok.body.id)).status).toBe('sent');
    expect(agentlessTo(SMS_TO, fits)).toHaveLength(1);
  });

  it('honours a 429 with Retry-After and still sends exactly once', async () => {
    const text = `Rate limited ${randomUUID()}`;
    const callsBefore = emu.emulator.callsTo(AGENTLESS_PATH).length;
    emu.emulator.rateLimitNext(1, 1, AGENTLESS_PATH);
    const res = await notify(note, { idempotencyKey: `429-${randomUUID()}`, target: { address: { messengerType: 'sms', to: SMS_TO } }, text });
    expect(res.status).toBe(202);
    const done = await settled(res.body.id, 20_000);
    expect(done.status).toBe('sent');
    expect(agentlessTo(SMS_TO, text)).toHaveLength(1);

    const calls = emu.emulator.callsTo(AGENTLESS_PATH).slice(callsBefore);
    expect(calls.map((c) => c.status)).toEqual([429, 202]);
    // Retry-After: 1 was waited out.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
    expect(done.genesys.conversationId).toBe(agentlessTo(SMS_TO, text)[0]!.conversationId);
  });

  // BUG: Genesys says "Retry-After: 45"; the gateway calls again after about 1 s and 3 s.
  // GenesysApiClient does not sleep through a Retry-After above maxRetryAfterMs (30 s): it throws
  // with `retryAfterMs`, and NotificationSender.toAddress returns {kind:'retry', retryAfterMs}, but
  // NotificationProcessor.handle (apps/worker/src/notifications/notification.processor.ts:47)
  // ignores retryAfterMs and throws, so BullMQ retries on the job's fixed exponential backoff
  // (1 s, 2 s, 4 s, ..., apps/ingress/src/notifications/notification.intake.ts:75). Against a
  // real 429 every early attempt is refused again, and after 6 attempts (~31 s) the notification
  // is failed for good although Genesys would have taken it after 45 s.
  it('waits out a Retry-After longer than the API client waits in-process (45 s) before calling Genesys again', async () => {
    const to = '+13175550133';
    const callsBefore = emu.emulator.callsTo(AGENTLESS_PATH).length;
    emu.emulator.rateLimitNext(3, 45, AGENTLESS_PATH);
    let calls;
    try {
      const res = await notify(note, { idempotencyKey: `429-long-${randomUUID()}`, target: { address: { messengerType: 'sms', to } }, text: 'Patience.' });
      expect(res.status).toBe(202);
      await pollUntil(() => emu.emulator.callsTo(AGENTLESS_PATH).length - callsBefore, (n) => n >= 1, 10_000, 'the first agentless call');
      await sleep(4000);
      calls = emu.emulator.callsTo(AGENTLESS_PATH).slice(callsBefore);
    } finally {
      emu.emulator.rateLimitNext(0);
    }
    // BUG (see above the test): the gateway called again after about 1 s and 3 s.
    expect(calls.map((c) => c.status)).toEqual([429]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('notification rate limit per channel', () => {
  it('sends 6 notifications at no more than 2 per second (ratePerSecond: 2)', async () => {
    const texts = Array.from({ length: 6 }, (_, i) => `Rate ${i} ${randomUUID().slice(0, 8)}`);
    const accepted = await Promise.all(texts.map((text, i) => notify(rate, { idempotencyKey: `rate-${i}-${randomUUID()}`, target: { address: { messengerType: 'sms', to: SMS_TO } }, text })));
    expect(accepted.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202]);
    const done = await Promise.all(accepted.map((a) => settled(a.body.id, 20_000)));
    expect(done.map((d) => d.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'sent']);

    const sent = emu.emulator.agentlessMessages.filter((m) => m.fromAddress === RATE_FROM);
    expect(sent.map((m) => m.textBody).sort()).toEqual([...texts].sort());
    const times = sent.map((m) => Date.parse(m.timestamp)).sort((a, b) => a - b);
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    // 2 per second, plus one for a send counted at the end of one second and received in the next.
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(3);
    // Spaced, not bursty: consecutive sends about 1/rate apart (network jitter allowed for).
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(350);
    // Six at two per second take three one-second windows: more than a second from first to last.
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1000);
  });
});

// ---------------------------------------------------------------------------------------------

describe('audit', () => {
  it('records every publish (ok or refused) and every new notification, by who asked', async () => {
    const audit = await api('GET', '/api/audit?limit=500');
    expect(audit.status).toBe(200);
    const entries = audit.body.entities as { action: string; actor: { kind: string }; target?: string; details?: Record<string, unknown> }[];
    const publishes = entries.filter((e) => e.action === 'channel.publish');
    expect(publishes.some((e) => e.details?.ok === true)).toBe(true);
    expect(publishes.some((e) => e.details?.ok === false && /add a new version|refused|Genesys/.test(String(e.details?.error)))).toBe(true);
    expect(entries.some((e) => e.action === 'notification.create' && e.details?.target === 'address')).toBe(true);
    expect(entries.every((e) => e.actor.kind === 'admin_token')).toBe(true);
  });
});

describe('secrets', () => {
  it('keeps no secret or Genesys access token in Redis or in the process logs', async () => {
    const tokens = issuedAccessTokens(emu);
    // Every channel connected itself with client credentials on first use (publish, notifications).
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    const secrets: Record<string, string> = {
      'OAuth client secret': CC_SECRET,
      'DBC connection secret': DBC_SECRET,
      ...Object.fromEntries([pub, pubChanged, badSlot, pruneOld, pruneNew, pubFail, note, rate].map((c) => [`app client secret of ${c.id}`, c.secret])),
      ...Object.fromEntries(tokens.map((t, i) => [`emulator access token #${i}`, t])),
    };

    const dump = await dumpPrefix(gw.redis, gw.prefix);
    expect(dump.size).toBeGreaterThan(10);
    const inRedis = Object.entries(secrets).flatMap(([what, value]) => keysContaining(dump, value).map((hit) => `${what} in ${hit}`));
    expect(inRedis).toEqual([]);

    const out = processOutput(gw);
    // Not vacuous: the logs cover the sends checked above.
    expect(out).toContain('notification sent (agentless)');
    const inLogs = Object.entries(secrets).filter(([, value]) => out.includes(value)).map(([what]) => what);
    expect(inLogs).toEqual([]);

    // Idempotency keys may carry business data: only their hash is stored.
    const keysInRedis = idempotencyKeys.flatMap((k) => keysContaining(dump, k));
    expect(keysInRedis).toEqual([]);
  });
});

describe('metrics', () => {
  it('counts the notifications finished above by target and result (the dashboard and alerts read it)', async () => {
    const text = await (await fetch(workerMetricsUrl)).text();
    const count = (target: string, result: string) => Number(new RegExp(`^gbg_worker_notifications_total\\{channel="${note.id}",target="${target}",result="${result}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(count('session', 'sent')).toBeGreaterThanOrEqual(1);
    // The session Genesys had closed (409).
    expect(count('session', 'failed')).toBeGreaterThanOrEqual(1);
    expect(count('address', 'sent')).toBeGreaterThanOrEqual(1);
  });
});
