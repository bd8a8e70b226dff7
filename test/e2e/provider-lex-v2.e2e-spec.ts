import { LexV2Fake } from '../fakes/lex-v2.fake.js';
import { buttonTurn, nextTurn, processOutput, testChannel, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { startProviderGateway, startSession, type ProviderGateway } from '../support/provider-gateway.js';

/**
 * lex-v2 end to end: real ingress and worker processes, real Redis, the Genesys emulator for v2,
 * and the Lex fake (which verifies every SigV4 signature) over HTTP.
 */
let fake: LexV2Fake;
let pg: ProviderGateway;
let gw: GatewayHarness;
let main: TestChannel;
let flaky: TestChannel;

const bot = (config: Record<string, unknown>, provider: Record<string, unknown> = {}) => [
  { id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'lex-v2', timeoutMs: 4000, retries: 1, config, ...provider } },
];

beforeAll(async () => {
  fake = await new LexV2Fake().start();
  const config = fake.config({ handoff: { intentNames: ['TalkToAgent'] }, end: { intentNames: ['Goodbye'] } });
  flaky = testChannel('lex2', { circuitBreaker: { failureThreshold: 100, cooldownMs: 1000 }, bots: bot(config, { timeoutMs: 700, retries: 1 }) });
  pg = await startProviderGateway({ name: 'lexv2', channelId: 'lex1', channel: { replyDeadlineMs: 1000, bots: bot(config) }, inlineWindowMs: 400, extraChannels: [flaky] });
  ({ gw, channel: main } = pg);

  fake.answer('sizes', {
    messages: [
      { contentType: 'PlainText', content: 'Which size?' },
      { contentType: 'ImageResponseCard', imageResponseCard: { title: 'Sizes', subtitle: 'All in stock', imageUrl: 'https://cdn.example.com/s.png', buttons: [{ text: 'Small', value: 'size S' }, { text: 'Large', value: 'size L' }] } },
    ],
    sessionState: { dialogAction: { type: 'ElicitSlot', slotToElicit: 'Size' }, intent: { name: 'OrderShirt', state: 'InProgress', slots: {} } },
  });
  fake.answer('size L', { messages: [{ contentType: 'PlainText', content: 'Large it is.' }], sessionState: { intent: { name: 'OrderShirt', state: 'Fulfilled', slots: { Size: { value: { originalValue: 'L', interpretedValue: 'Large' } } } } } });
  fake.answer('more', {
    messages: [
      { contentType: 'SSML', content: '<speak>We are <break/> open <emphasis>daily</emphasis>.</speak>' },
      { contentType: 'CustomPayload', content: JSON.stringify({ messages: [{ type: 'list', title: 'Hours', items: ['Mon-Fri 8-20', 'Sat 9-14'] }, { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/map.png' } }, { type: 'carousel', cards: [{ title: 'Store A', buttons: [{ type: 'postback', title: 'Pick A', payload: 'store A' }] }, { title: 'Store B', buttons: [{ type: 'url', title: 'Map', url: 'https://maps.example.com/b' }] }] }] }) },
      { contentType: 'CustomPayload', content: 'not json at all' },
    ],
  });
  fake.answer('agent', { messages: [{ contentType: 'PlainText', content: 'Transferring you.' }], sessionState: { intent: { name: 'TalkToAgent', state: 'Fulfilled' }, sessionAttributes: { handoffQueue: 'Billing', handoffSummary: 'Wants a refund' } } });
  fake.answer('escalate', { messages: [{ contentType: 'PlainText', content: 'Let me find someone.' }], sessionState: { intent: { name: 'Refund', state: 'Fulfilled' }, sessionAttributes: { handoff: 'true', handoffQueue: 'Refunds' } } });
  fake.answer('bye', { messages: [{ contentType: 'PlainText', content: 'Goodbye!' }], sessionState: { dialogAction: { type: 'Close' }, intent: { name: 'Goodbye', state: 'Fulfilled' } } });
  for (const t of ['qwertz', 'asdfgh']) fake.answer(t, { messages: [{ contentType: 'PlainText', content: 'Sorry?' }], sessionState: { intent: { name: 'FallbackIntent', state: 'Failed' } } });
  fake.answer('slow', { delayMs: 1600, messages: [{ contentType: 'PlainText', content: 'That took a while.' }] });
  fake.answer('garbage', { raw: '<html>oops</html>' });
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await fake?.close();
});

const start = (channel: TestChannel, text: string, extra: Record<string, unknown> = {}) => startSession(gw, channel, text, extra);

describe('lex-v2 through the gateway (v1 and v2)', () => {
  it('v1: a response card renders as a Genesys card; a click sends its value; Genesys parameters become session attributes', async () => {
    const { body, res } = await start(main, 'sizes', { parameters: { customerTier: 'gold' } });
    expect(res.status).toBe(200);
    expect(res.body.replyMessages[0]).toEqual({ type: 'Text', text: 'Which size?' });
    const card = res.body.replyMessages[1].content[0];
    expect(card).toMatchObject({ contentType: 'Card', card: { title: 'Sizes', description: 'All in stock', image: 'https://cdn.example.com/s.png', actions: [{ type: 'Postback', text: 'Small' }, { type: 'Postback', text: 'Large' }] } });
    expect(fake.recognizeRequests.at(-1)!.body).toEqual({ text: 'sizes', sessionState: { sessionAttributes: { customerTier: 'gold' } } });
    expect(fake.recognizeRequests.at(-1)!.path).toContain(`/botLocales/en_US/sessions/${body.botSessionId}/text`);

    const click = await gw.turn(main, buttonTurn(body, 'Large', card.card.actions[1].payload, 'Button'));
    expect(click.body.replyMessages).toEqual([{ type: 'Text', text: 'Large it is.' }]);
    expect(fake.recognizeRequests.at(-1)!.body).toEqual({ text: 'size L' });
    expect(fake.refusals).toEqual([]);
  });

  it('v1: SSML as text, and the gateway CustomPayload’s list, attachment and carousel; a non-JSON payload shows nothing', async () => {
    const { res } = await start(main, 'more');
    const m = res.body.replyMessages;
    expect(m[0]).toEqual({ type: 'Text', text: 'We are open daily.' });
    expect(m[1]).toEqual({ type: 'Text', text: 'Hours\n• Mon-Fri 8-20\n• Sat 9-14' });
    expect(m[2].content[0]).toMatchObject({ contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://cdn.example.com/map.png' } });
    expect(m[3].content[0]).toMatchObject({ contentType: 'Carousel', carousel: { cards: [{ title: 'Store A' }, { title: 'Store B' }] } });
    expect(m).toHaveLength(4);
    expect(JSON.stringify(m)).not.toContain('not json');
  });

  it('v1: hands off for a handoff intent and for the handoff session attribute, with the queue from handoffQueue', async () => {
    const a = await start(main, 'hi');
    const byIntent = await gw.turn(main, nextTurn(a.body, 'agent'));
    expect(byIntent.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_request', handoffQueue: 'Billing' } });
    expect(byIntent.body.replyMessages[0]).toEqual({ type: 'Text', text: 'Transferring you.' });
    expect(byIntent.body.parameters.handoffSummary).toContain('Wants a refund');
    const b = await start(main, 'hi');
    expect((await gw.turn(main, nextTurn(b.body, 'escalate'))).body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffQueue: 'Refunds' } });
  });

  it('v1: a closed end intent ends the conversation; FallbackIntent twice hands off as repeated fallback', async () => {
    const { body } = await start(main, 'hi');
    expect((await gw.turn(main, nextTurn(body, 'bye'))).body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Goodbye!' }] });
    const other = await start(main, 'qwertz');
    expect(other.res.body.botState).toBe('MoreData');
    expect((await gw.turn(main, nextTurn(other.body, 'asdfgh'))).body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'repeated_fallback' } });
  });

  it('v1: a bot slower than the reply deadline gets the hold message; its late reply comes first on the next turn', async () => {
    const { body } = await start(main, 'hi');
    const slow = await gw.turn(main, nextTurn(body, 'slow'));
    expect(slow.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });
    await new Promise((r) => setTimeout(r, 1000));
    const next = await gw.turn(main, nextTurn(body, 'thanks'));
    expect(next.body.replyMessages.map((m: any) => m.text)).toEqual(['That took a while.', 'echo: thanks']);
  });

  it('v1: 409 and 502 are retried and succeed; 500s, 429s and timeouts exhaust the retry and hand off as bot error; garbage is not retried', async () => {
    const { body } = await start(flaky, 'hi');
    for (const [status, type] of [[409, 'ConflictException'], [502, 'BadGatewayException']] as const) {
      const calls = fake.recognizeRequests.length;
      fake.fail({ kind: 'status', status, body: { message: 'x' }, headers: { 'x-amzn-ErrorType': type } });
      expect((await gw.turn(flaky, nextTurn(body, `again ${status}`))).body.replyMessages).toEqual([{ type: 'Text', text: `echo: again ${status}` }]);
      expect(fake.recognizeRequests.length - calls).toBe(2);
    }
    for (const fault of [{ kind: 'status', status: 500 }, { kind: 'status', status: 429 }, { kind: 'delay', ms: 1500 }] as const) {
      const s = await start(flaky, 'hi');
      const calls = fake.recognizeRequests.length;
      fake.failAlways(fault);
      const res = await gw.turn(flaky, nextTurn(s.body, 'help'));
      fake.failAlways(undefined);
      expect({ fault: fault.kind, body: res.body }).toMatchObject({ fault: fault.kind, body: { botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } } });
      expect(fake.recognizeRequests.length - calls).toBe(2);
    }
    const g = await start(flaky, 'hi');
    const calls = fake.recognizeRequests.length;
    expect((await gw.turn(flaky, nextTurn(g.body, 'garbage'))).body).toMatchObject({ botState: 'Complete', parameters: { handoffReason: 'bot_error' } });
    expect(fake.recognizeRequests.length - calls).toBe(1);
  });

  it('v2: a Digital Bot Connector conversation reaches the bot with its parameters and gets the reply inline', async () => {
    const view = await pg.emu.emulator.startConversation(pg.flowId, { text: 'hello there' }, { customerTier: 'platinum' });
    expect(view.messages.filter((m) => m.from === 'bot').map((m) => m.text)).toEqual(['echo: hello there']);
    expect(fake.recognizeRequests.at(-1)!.body).toEqual({ text: 'hello there', sessionState: { sessionAttributes: { customerTier: 'platinum' } } });
  });

  it('keeps the AWS keys out of logs and the admin API', async () => {
    const channel = await gw.admin(`/api/channels/${main.id}`);
    expect(channel.status).toBe(200);
    expect(JSON.stringify(channel.body)).not.toContain(fake.secretAccessKey);
    expect(JSON.stringify(channel.body)).not.toContain(fake.accessKeyId);
    const out = processOutput(gw);
    expect(out).not.toContain(fake.secretAccessKey);
    expect(out).not.toContain(fake.accessKeyId);
  });
});
