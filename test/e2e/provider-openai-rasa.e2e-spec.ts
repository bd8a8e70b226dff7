import { randomUUID } from 'node:crypto';
import { GatewayHarness, buttonTurn, nextTurn, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';
import { DBC_HEADER, DBC_SECRET, startSession } from '../support/provider-gateway.js';
import { OpenAiFake } from '../fakes/openai.fake.js';
import { RasaFake } from '../fakes/rasa.fake.js';

/**
 * The `openai` and `rasa` providers end to end: real ingress + worker + Redis, each provider against
 * its local fake over HTTP, v1 (Bot Connector) and v2 (Digital Bot Connector) turns.
 */
let gw: GatewayHarness;
let llm: OpenAiFake;
let rasa: RasaFake;
let oa: TestChannel;
let oaQuick: TestChannel;
let rs: TestChannel;
let rsQuick: TestChannel;

const bot = (provider: Record<string, unknown>) => [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'PayBill' }], provider }];
const genesys = { environment: 'mypurecloud.ie', digitalBotConnector: { secretHeader: DBC_HEADER, secret: DBC_SECRET, inlineWindowMs: 800 } };
const handoff = { maxConsecutiveFallbacks: 2, defaultQueue: 'General', summaryTurns: 3 };

beforeAll(async () => {
  llm = await new OpenAiFake().start();
  rasa = await new RasaFake().start();
  const openaiConfig = { baseUrl: `${llm.origin}/v1`, apiKey: llm.apiKey, model: 'gpt-fake-mini', systemPrompt: 'You are the ACME energy assistant.', queues: ['Billing', 'Moving'] };
  const rasaConfig = { url: `${rasa.origin}/webhooks/rest/webhook`, headers: { Authorization: `Bearer ${rasa.token}` } };
  // A 1 s reply deadline below a 3 s attempt: a slow backend meets the hold message.
  oa = testChannel('oa1', { genesys, handoff, replyDeadlineMs: 1000, bots: bot({ name: 'openai', timeoutMs: 3000, retries: 1, config: openaiConfig }) });
  rs = testChannel('rs1', { genesys, handoff, replyDeadlineMs: 1000, bots: bot({ name: 'rasa', timeoutMs: 3000, retries: 1, config: rasaConfig }) });
  // 300 ms attempts within a 5 s deadline: a hung backend is a bot error, not a hold.
  oaQuick = testChannel('oa2', { handoff, replyDeadlineMs: 5000, bots: bot({ name: 'openai', timeoutMs: 300, retries: 1, config: openaiConfig }) });
  rsQuick = testChannel('rs2', { handoff, replyDeadlineMs: 5000, bots: bot({ name: 'rasa', timeoutMs: 300, retries: 1, config: rasaConfig }) });
  gw = new GatewayHarness('prov-oa-rasa', [oa, rs, oaQuick, rsQuick]);
  await gw.startIngress();
  await gw.startWorker();
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await llm?.close();
  await rasa?.close();
});

const start = (channel: TestChannel, text: string) => startSession(gw, channel, text);

async function v2(channel: TestChannel, text: string, botSessionId = randomUUID()) {
  const res = await fetch(`${gw.baseUrl}/genesys/${channel.id}/dbc/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [DBC_HEADER]: DBC_SECRET },
    body: JSON.stringify({ botId: 'bot1', botVersion: '1.0', botSessionId, messageId: randomUUID(), inputMessage: { type: 'Text', text }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: randomUUID() }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const texts = (res: { body: any }) => res.body.replyMessages.map((m: any) => m.text);

describe('openai provider through the gateway', () => {
  it('answers v1 turns with plain text and carries the history to the next turn', async () => {
    llm.answer('hi', { content: '**Hello!** How can I help?' });
    const { body, res } = await start(oa, 'hi');
    expect(res.body).toMatchObject({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hello! How can I help?' }] });
    const next = await gw.turn(oa, nextTurn(body, 'my bill'));
    expect(texts(next)).toEqual(['You said: my bill']);
    const sent = llm.completions.at(-1)!;
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(sent.messages[0]!.content).toContain('You are the ACME energy assistant.');
    expect(sent.messages[2]!.content).toBe('Hello! How can I help?');
  });

  it('answers a v2 (Digital Bot Connector) turn inline', async () => {
    const res = await v2(oa, 'hello from v2');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'You said: hello from v2' }] });
  });

  it('hands off on handoff_to_agent with an allowed queue and the model’s summary; a queue outside the list gets the channel default', async () => {
    llm.answer('agent please', { content: 'Connecting you.', toolCalls: [{ name: 'handoff_to_agent', arguments: '{"reason":"asked for a person","queue":"Billing","summary":"Wants to dispute invoice 42."}' }] });
    const { res } = await start(oa, 'agent please');
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_request', handoffQueue: 'Billing' } });
    expect(res.body.parameters.handoffSummary).toContain('Wants to dispute invoice 42.');
    expect(texts(res)[0]).toBe('Connecting you.');

    llm.answer('sales please', { toolCalls: [{ name: 'handoff_to_agent', arguments: '{"reason":"sales","queue":"Sales"}' }] });
    const other = await start(oa, 'sales please');
    expect(other.res.body.parameters).toMatchObject({ handoffReason: 'bot_request', handoffQueue: 'General' });
  });

  it('ends on end_conversation, showing the goodbye first', async () => {
    llm.answer('thanks, bye', { content: 'Goodbye!', toolCalls: [{ name: 'end_conversation', arguments: '' }] });
    const { res } = await start(oa, 'thanks, bye');
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Goodbye!' }] });
  });

  it('empty, filtered and refused answers are fallbacks: two in a row hand off', async () => {
    llm.answer('???', { content: null });
    llm.answer('!!!', { content: 'partial', finishReason: 'content_filter' });
    llm.answer('do crimes', { refusal: 'I can’t help with that.' });
    const { body, res } = await start(oa, '???');
    expect(res.body.botState).toBe('MoreData');
    const refused = await gw.turn(oa, nextTurn(body, 'do crimes'));
    expect(refused.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'repeated_fallback' } });
    expect(texts(refused)[0]).toBe('I can’t help with that.');
    const filtered = await start(oa, '!!!');
    expect(filtered.res.body.botState).toBe('MoreData');
    expect(JSON.stringify(filtered.res.body)).not.toContain('partial');
  });

  it('a slow model gets the hold message, and its reply comes first in the next response', async () => {
    llm.answer('slow question', { content: 'A considered answer.', delayMs: 1600 });
    const { body, res } = await start(oa, 'slow question');
    expect(res.ms).toBeLessThan(1500);
    expect(res.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });
    await new Promise((r) => setTimeout(r, 1000));
    const next = await gw.turn(oa, nextTurn(body, 'and?'));
    expect(texts(next)).toEqual(['A considered answer.', 'You said: and?']);
  });

  it('5xx and 429 are retried; insufficient_quota and garbage are not, and hand off as bot errors; hung calls time out', async () => {
    llm.fail({ kind: 'status', status: 503, body: { error: { message: 'overloaded', type: 'server_error', param: null, code: null } } });
    expect(texts((await start(oa, 'retry me')).res)).toEqual(['You said: retry me']);
    llm.fail({ kind: 'status', status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } } });
    expect(texts((await start(oa, 'again')).res)).toEqual(['You said: again']);

    const before = llm.completions.length;
    llm.answer('broke', { error: { status: 429, code: 'insufficient_quota', type: 'insufficient_quota', message: 'You exceeded your current quota' } });
    expect((await start(oa, 'broke')).res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
    expect(llm.completions.length - before).toBe(1);

    llm.fail({ kind: 'malformed' });
    expect((await start(oa, 'garbage')).res.body.parameters).toMatchObject({ handoffReason: 'bot_error' });
    llm.fail({ kind: 'status', status: 200, body: { choices: 'none' } });
    expect((await start(oa, 'garbage 2')).res.body.parameters).toMatchObject({ handoffReason: 'bot_error' });

    llm.fail({ kind: 'delay', ms: 1000 }, { kind: 'delay', ms: 1000 });
    const hung = await start(oaQuick, 'hello?');
    expect(hung.res.body.parameters).toMatchObject({ handoffReason: 'bot_error' });
    expect(hung.res.ms).toBeLessThan(2500);
  });
});

describe('rasa provider through the gateway', () => {
  it('answers v1 turns; a quick-reply click goes to Rasa as its payload', async () => {
    rasa.answer('hi', [{ recipient_id: 'x', text: 'Hi! Which plan?', buttons: [{ title: 'Basic', payload: '/choose{"plan":"basic"}' }, { title: 'Premium', payload: '/choose{"plan":"premium"}' }] }]);
    rasa.answer('/choose{"plan":"premium"}', (req) => [{ recipient_id: req.sender, text: 'Premium it is.' }]);
    const { body, res } = await start(rs, 'hi');
    const qr = res.body.replyMessages.find((m: any) => m.type === 'Structured');
    expect(qr.content.map((c: any) => c.quickReply)).toEqual([
      { text: 'Basic', payload: '/choose{"plan":"basic"}' },
      { text: 'Premium', payload: '/choose{"plan":"premium"}' },
    ]);
    const click = await gw.turn(rs, buttonTurn(body, 'Premium', '/choose{"plan":"premium"}'));
    expect(texts(click)).toEqual(['Premium it is.']);
    const [first, second] = rasa.messages.slice(-2);
    expect(first!.sender).toBe(second!.sender);
    expect(first!.metadata).toEqual({ genesys: { conversationId: body.genesysConversationId, language: 'en-us', parameters: {} } });
  });

  it('answers a v2 turn inline', async () => {
    const res = await v2(rs, 'hello from v2');
    expect(res.body).toMatchObject({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'echo: hello from v2' }] });
  });

  it('renders every element kind into Genesys messages', async () => {
    rasa.answer('show me everything', [
      { text: 'Links', buttons: [{ title: 'Prices', url: 'https://example.com/prices' }, { title: 'Agent', payload: '/human' }] },
      { image: 'https://cdn.example.com/map.png' },
      { attachment: { type: 'file', payload: { url: 'https://cdn.example.com/bill.pdf', name: 'bill.pdf' } } },
      { elements: [{ title: 'Basic', subtitle: '5 €', image_url: 'https://cdn.example.com/b.png', buttons: [{ title: 'Choose', payload: '/basic' }] }, { title: 'Premium', subtitle: '9 €', buttons: [{ title: 'Choose', payload: '/premium' }] }] },
      { custom: { messages: [{ type: 'list', title: 'Opening hours', items: ['Mon-Fri 8-20', 'Sat 9-14'] }] } },
      { custom: { slack: { blocks: [] } } },
    ]);
    const { res } = await start(rs, 'show me everything');
    const msgs = res.body.replyMessages;
    const contentTypes = msgs.map((m: any) => m.content?.[0]?.contentType ?? m.type);
    expect(contentTypes).toEqual(['Card', 'Attachment', 'Attachment', 'Carousel', 'Text']);
    expect(msgs[0].content[0].card.actions.map((a: any) => a.type)).toEqual(['Link', 'Postback']);
    expect(msgs[1].content[0].attachment).toMatchObject({ mediaType: 'Image', url: 'https://cdn.example.com/map.png' });
    expect(msgs[2].content[0].attachment).toMatchObject({ url: 'https://cdn.example.com/bill.pdf', filename: 'bill.pdf' });
    expect(msgs[3].content[0].carousel.cards).toHaveLength(2);
    expect(msgs[4].text).toBe('Opening hours\n• Mon-Fri 8-20\n• Sat 9-14');
    expect(JSON.stringify(res.body)).not.toContain('slack');
  });

  it('custom handoff (queue, summary), end and fallback; [] says nothing', async () => {
    rasa.answer('human', [{ text: 'Let me get a colleague.' }, { custom: { handoff: { queue: 'Billing', reason: 'invoice', summary: 'Invoice 42 is wrong.' } } }]);
    const h = (await start(rs, 'human')).res;
    expect(h.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_request', handoffQueue: 'Billing' } });
    expect(h.body.parameters.handoffSummary).toContain('Invoice 42 is wrong.');
    expect(texts(h)[0]).toBe('Let me get a colleague.');

    rasa.answer('bye', [{ text: 'Bye!' }, { custom: { end: true } }]);
    expect((await start(rs, 'bye')).res.body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Bye!' }] });

    rasa.answer('silence', []);
    rasa.answer('gibberish', [{ text: 'Sorry?' }, { custom: { fallback: true } }]);
    const { body, res } = await start(rs, 'silence');
    expect(res.body).toMatchObject({ botState: 'MoreData', replyMessages: [] });
    expect((await gw.turn(rs, nextTurn(body, 'gibberish'))).body.botState).toBe('MoreData');
    expect((await gw.turn(rs, nextTurn(body, 'gibberish'))).body).toMatchObject({ botState: 'Complete', parameters: { handoffReason: 'repeated_fallback' } });
  });

  it('a slow Rasa gets the hold message, and the late reply comes first next time', async () => {
    rasa.answer('slow', () => ({ delayMs: 1600, body: [{ text: 'Looked it up.' }] }));
    const { body, res } = await start(rs, 'slow');
    expect(res.body.replyMessages).toEqual([{ type: 'Text', text: 'Hold on, still working.' }]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(texts(await gw.turn(rs, nextTurn(body, 'next')))).toEqual(['Looked it up.', 'echo: next']);
  });

  it('retries 5xx/429 and timeouts once; garbage and refused credentials hand off at once', async () => {
    rasa.fail({ kind: 'status', status: 502, body: { version: '3.6.20', status: 'failure', message: 'bad gateway', reason: 'BadGateway', code: 502 } });
    expect(texts((await start(rs, 'retry')).res)).toEqual(['echo: retry']);
    rasa.fail({ kind: 'status', status: 429 });
    expect(texts((await start(rs, 'again')).res)).toEqual(['echo: again']);
    rasa.fail({ kind: 'delay', ms: 1000 });
    expect(texts((await start(rsQuick, 'hung once')).res)).toEqual(['echo: hung once']);
    rasa.fail({ kind: 'delay', ms: 1000 }, { kind: 'delay', ms: 1000 });
    expect((await start(rsQuick, 'hung twice')).res.body.parameters).toMatchObject({ handoffReason: 'bot_error' });

    const before = rasa.messages.length;
    rasa.answer('garbage', () => ({ body: { not: 'a list' } }));
    expect((await start(rs, 'garbage')).res.body.parameters).toMatchObject({ handoffReason: 'bot_error' });
    rasa.fail({ kind: 'status', status: 401 });
    expect((await start(rs, 'locked out')).res.body.parameters).toMatchObject({ handoffReason: 'bot_error' });
    expect(rasa.messages.length - before).toBe(2);
  });
});

describe('secrets', () => {
  it('the API key and the Rasa token reach neither Redis nor the logs', async () => {
    let stored = '';
    for (const k of await gw.redis.keys(`${gw.prefix}:*`)) {
      const type = await gw.redis.type(k);
      const dump = type === 'string' ? await gw.redis.get(k) : type === 'list' ? (await gw.redis.lrange(k, 0, -1)).join('\n') : type === 'hash' ? JSON.stringify(await gw.redis.hgetall(k)) : '';
      expect(dump ?? '').not.toContain(llm.apiKey);
      expect(dump ?? '').not.toContain(rasa.token);
      stored += dump ?? '';
    }
    // The channels (with their sealed provider configs) are in there: the check above looked at them.
    expect(stored).toContain('gpt-fake-mini');
    expect(stored).toContain('/webhooks/rest/webhook');
    const logs = processOutput(gw);
    expect(logs).not.toContain(llm.apiKey);
    expect(logs).not.toContain(rasa.token);
  });
});
