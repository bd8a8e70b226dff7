import { DialogflowCxFake } from '../fakes/dialogflow-cx.fake.js';
import { buttonTurn, nextTurn, processOutput, testChannel, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { startProviderGateway, startSession, type ProviderGateway } from '../support/provider-gateway.js';

/**
 * dialogflow-cx end to end: real ingress and worker processes, real Redis, the Genesys emulator
 * for v2, and the Dialogflow fake (token endpoint + detectIntent) over HTTP.
 */
let fake: DialogflowCxFake;
let pg: ProviderGateway;
let gw: GatewayHarness;
let main: TestChannel;
let flaky: TestChannel;

const bot = (config: Record<string, unknown>, provider: Record<string, unknown> = {}) => [
  { id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'dialogflow-cx', timeoutMs: 3000, retries: 1, config, ...provider } },
];

beforeAll(async () => {
  fake = await new DialogflowCxFake().start();
  // Failures get their own channel: its circuit breaker must not trip the main one.
  flaky = testChannel('dfcx2', { circuitBreaker: { failureThreshold: 100, cooldownMs: 1000 }, bots: bot(fake.config(), { timeoutMs: 700, retries: 1 }) });
  pg = await startProviderGateway({
    name: 'dfcx',
    channelId: 'dfcx1',
    channel: { replyDeadlineMs: 1000, bots: bot(fake.config(), { timeoutMs: 4000 }) },
    inlineWindowMs: 400,
    extraChannels: [flaky],
  });
  ({ gw, channel: main } = pg);

  const q = (text: string, queryResult: Record<string, unknown>) => fake.answer(text, { queryResult });
  q('menu', {
    responseMessages: [
      { text: { text: ['What can I do for you?'] } },
      { payload: { richContent: [[{ type: 'chips', options: [{ text: 'Billing' }, { text: 'Orders' }] }]] } },
    ],
  });
  q('Billing', { intent: { displayName: 'billing' }, responseMessages: [{ text: { text: ['Billing it is.'] } }], parameters: { topic: 'billing', amount: 42 } });
  q('rich', {
    responseMessages: [
      { text: { text: ['Your order'] } },
      {
        payload: {
          richContent: [
            [{ type: 'button', text: 'Track', event: {} }, { type: 'button', text: 'Open shop', link: 'https://shop.example.com' }],
            [{ type: 'info', title: 'Order #1042', subtitle: 'Shipped', image: { src: { rawUrl: 'https://cdn.example.com/box.png' } }, actionLink: 'https://shop.example.com/1042' }],
            [{ type: 'image', rawUrl: 'https://cdn.example.com/map.png' }],
            [{ type: 'list', title: 'Mon-Fri 8-20' }, { type: 'divider' }, { type: 'list', title: 'Sat 9-14' }],
            [{ type: 'description', title: 'Returns', text: ['30 days'] }],
            [{ type: 'accordion', title: 'Warranty', subtitle: '2 years' }],
            [{ type: 'carousel3d', title: 'Spin' }],
          ],
        },
      },
    ],
  });
  q('agent', { responseMessages: [{ text: { text: ['Connecting you.'] } }, { liveAgentHandoff: { metadata: { queue: 'Billing', reason: 'refund over limit', summary: 'Wants a refund of 300 EUR' } } }] });
  q('bye', { responseMessages: [{ text: { text: ['Goodbye!'] } }, { endInteraction: {} }] });
  for (const t of ['qwertz', 'asdfgh']) q(t, { match: { matchType: 'NO_MATCH' }, intent: undefined, responseMessages: [{ text: { text: ['Sorry, say that again?'] } }] });
  fake.answer('slow', { delayMs: 1600, queryResult: { responseMessages: [{ text: { text: ['That took a while.'] } }] } });
  fake.answer('garbage', { raw: '<html>502 from a proxy</html>' });
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await fake?.close();
});

const start = (channel: TestChannel, text: string, extra: Record<string, unknown> = {}) => startSession(gw, channel, text, extra);

describe('dialogflow-cx through the gateway (v1 and v2)', () => {
  it('v1: chips render as quick replies; a click sends the payload; Genesys parameters go with the first turn only', async () => {
    const { body, res } = await start(main, 'menu', { parameters: { customerTier: 'gold' } });
    expect(res.status).toBe(200);
    expect(res.body.botState).toBe('MoreData');
    const [qr] = res.body.replyMessages;
    expect(qr).toMatchObject({ type: 'Structured', text: 'What can I do for you?' });
    expect(qr.content.map((c: any) => c.quickReply.text)).toEqual(['Billing', 'Orders']);
    const detect = fake.detectRequests.at(-1)!;
    expect(detect.body).toMatchObject({ queryInput: { text: { text: 'menu' }, languageCode: 'en-US' }, queryParams: { parameters: { customerTier: 'gold' } } });
    expect(detect.path).toContain(`/sessions/${body.botSessionId}:detectIntent`);

    const click = await gw.turn(main, buttonTurn(body, 'Billing', qr.content[0].quickReply.payload));
    expect(click.body.replyMessages).toEqual([{ type: 'Text', text: 'Billing it is.' }]);
    expect(fake.detectRequests.at(-1)!.body).toEqual({ queryInput: { text: { text: 'Billing' }, languageCode: 'en-US' } });
  });

  it('v1: buttons, card, image, list, description, accordion and an unknown item render as Genesys messages', async () => {
    const { res } = await start(main, 'rich');
    const m = res.body.replyMessages;
    const cards = m.flatMap((r: any) => (r.content ?? []).filter((c: any) => c.contentType === 'Card').map((c: any) => c.card));
    expect(cards[0]).toMatchObject({ title: 'Your order', actions: [{ type: 'Postback', text: 'Track', payload: expect.any(String) }, { type: 'Link', text: 'Open shop', url: 'https://shop.example.com' }] });
    expect(cards[1]).toMatchObject({ title: 'Order #1042', description: 'Shipped', image: 'https://cdn.example.com/box.png' });
    expect(cards[2]).toMatchObject({ title: 'Warranty', description: '2 years' });
    const attachments = m.flatMap((r: any) => (r.content ?? []).filter((c: any) => c.contentType === 'Attachment').map((c: any) => c.attachment));
    expect(attachments).toEqual([expect.objectContaining({ mediaType: 'Image', url: 'https://cdn.example.com/map.png' })]);
    const texts = m.filter((r: any) => r.type === 'Text' && !r.content).map((r: any) => r.text);
    expect(texts).toEqual(['• Mon-Fri 8-20\n• Sat 9-14', 'Returns\n30 days', 'Spin']);
    expect(JSON.stringify(m)).not.toContain('carousel3d');
  });

  it('v1: liveAgentHandoff hands off to the queue and with the summary from its metadata (a bot-requested handoff for the worker)', async () => {
    const { body } = await start(main, 'hi');
    const res = await gw.turn(main, nextTurn(body, 'agent'));
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_request', handoffQueue: 'Billing' } });
    expect(res.body.replyMessages[0]).toEqual({ type: 'Text', text: 'Connecting you.' });
    expect(res.body.parameters.handoffSummary).toContain('Wants a refund of 300 EUR');
  });

  it('v1: endInteraction ends the conversation; NO_MATCH twice hands off as repeated fallback', async () => {
    const { body } = await start(main, 'hi');
    expect((await gw.turn(main, nextTurn(body, 'bye'))).body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Goodbye!' }] });
    const other = await start(main, 'qwertz');
    expect(other.res.body.botState).toBe('MoreData');
    expect((await gw.turn(main, nextTurn(other.body, 'asdfgh'))).body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'repeated_fallback' } });
  });

  it('v1: an agent slower than the reply deadline gets the hold message; its late reply comes first on the next turn', async () => {
    const { body } = await start(main, 'hi');
    const slow = await gw.turn(main, nextTurn(body, 'slow'));
    expect(slow.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });
    await new Promise((r) => setTimeout(r, 1000));
    const next = await gw.turn(main, nextTurn(body, 'thanks'));
    expect(next.body.replyMessages.map((m: any) => m.text)).toEqual(['That took a while.', 'echo: thanks']);
  });

  it('v1: a 503 is retried and succeeds; 500s, 429s and timeouts exhaust the retry and hand off as bot error; garbage is not retried', async () => {
    const { body } = await start(flaky, 'hi');
    let calls = fake.detectRequests.length;
    fake.fail({ kind: 'status', status: 503, body: { error: { code: 503, status: 'UNAVAILABLE', message: 'x' } } });
    expect((await gw.turn(flaky, nextTurn(body, 'again'))).body.replyMessages).toEqual([{ type: 'Text', text: 'echo: again' }]);
    expect(fake.detectRequests.length - calls).toBe(2);

    for (const fault of [{ kind: 'status', status: 500 }, { kind: 'status', status: 429 }, { kind: 'delay', ms: 1500 }] as const) {
      const s = await start(flaky, 'hi');
      calls = fake.detectRequests.length;
      fake.failAlways(fault);
      const res = await gw.turn(flaky, nextTurn(s.body, 'help'));
      fake.failAlways(undefined);
      expect({ fault: fault.kind, body: res.body }).toMatchObject({ fault: fault.kind, body: { botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } } });
      expect(fake.detectRequests.length - calls).toBe(2);
    }

    const g = await start(flaky, 'hi');
    calls = fake.detectRequests.length;
    expect((await gw.turn(flaky, nextTurn(g.body, 'garbage'))).body).toMatchObject({ botState: 'Complete', parameters: { handoffReason: 'bot_error' } });
    expect(fake.detectRequests.length - calls).toBe(1);
  });

  it('v2: a Digital Bot Connector conversation reaches the agent with its parameters and gets the reply inline', async () => {
    const view = await pg.emu.emulator.startConversation(pg.flowId, { text: 'menu' }, { customerTier: 'platinum' });
    const texts = view.messages.filter((m) => m.from === 'bot').map((m) => m.text);
    expect(texts).toEqual(['What can I do for you?']);
    expect(fake.detectRequests.at(-1)!.body).toMatchObject({ queryParams: { parameters: { customerTier: 'platinum' } } });
  });

  it('keeps the key out of logs and the admin API', async () => {
    const channel = await gw.admin(`/api/channels/${main.id}`);
    expect(channel.status).toBe(200);
    expect(JSON.stringify(channel.body)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(channel.body)).not.toContain(fake.clientEmail);
    const out = processOutput(gw);
    expect(out).not.toContain(fake.privateKeyPem.split('\n')[1]);
    expect(out).not.toMatch(/ya29\.fake-/);
  });
});
