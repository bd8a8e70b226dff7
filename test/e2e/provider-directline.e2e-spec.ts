import type { EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { DirectLineFake, dl, type BotStep } from '../fakes/directline.fake.js';
import { buttonTurn, newSessionBody, nextTurn, processOutput, testChannel, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { botTexts, startProviderGateway, waitForView, type ProviderGateway } from '../support/provider-gateway.js';

/**
 * The `directline` provider end to end: real ingress and worker processes, real Redis, the Direct
 * Line fake playing a Copilot Studio bot, v1 turns posted as Genesys does and v2 turns driven by
 * the emulator's Architect flow.
 */
type Obj = Record<string, unknown>;

const IMG = 'https://cdn.example.com/shoe.png';
const cards = [1, 2, 3].map((i) => dl.hero({ title: `Shoe ${i}`, subtitle: `€${80 + i}`, images: [{ url: IMG }], buttons: [{ type: 'postBack', title: `Pick ${i}`, value: `shoe-${i}` }] }));

/** The bot: what it answers to each text, and when. */
function copilot(a: Obj): BotStep[] {
  const text = String(a.text ?? '');
  const say = (t: string, extra: Obj = {}, afterMs = 60): BotStep => ({ afterMs, activity: dl.message(t, extra) });
  switch (text) {
    case 'hi':
      return [{ activity: dl.typing() }, say('Hello! I am the **Contoso** assistant.'), say('What can I do?', { suggestedActions: { actions: [{ type: 'imBack', title: 'Show a card', value: 'card' }, { type: 'postBack', title: 'Talk to an agent', value: 'agent' }] } }, 150)];
    case 'card':
      return [say('', { attachments: [dl.hero({ title: 'Order #1042', subtitle: 'Shipped', images: [{ url: IMG }], buttons: [{ type: 'imBack', title: 'Track order', value: 'track' }, { type: 'openUrl', title: 'Open order page', value: 'https://example.com/orders/1042' }] })] })];
    case 'carousel':
      return [say('Best sellers', { attachmentLayout: 'carousel', attachments: cards })];
    case 'image':
      return [say('Your receipt', { attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://cdn.example.com/receipt.jpg', name: 'receipt.jpg' }] })];
    case 'links':
      return [say('Need more?', { suggestedActions: { actions: [{ type: 'openUrl', title: 'Help center', value: 'https://help.example.com' }] } })];
    case 'adaptive':
      return [say('', { attachments: [dl.adaptive({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'Booking confirmed' }], actions: [{ type: 'Action.Submit', title: 'Change', data: 'change booking' }] })] })];
    case 'agent':
      return [say('Let me get someone for you.'), { afterMs: 80, activity: dl.handoff({ queue: 'Billing', va_AgentMessage: 'Refund question', va_LastTopic: 'Refunds', va_Topics: ['Greeting', 'Refunds'] }) }];
    case 'bye':
      return [say('Goodbye, have a nice day!'), { afterMs: 50, activity: dl.end() }];
    case 'slow':
      return [{ activity: dl.typing() }, say('Sorry for the wait: that took a while.', {}, 1300)];
    case 'very slow':
      return [say('Found it at last.', {}, 2600)];
    default:
      return [say(`You said: ${text}`)];
  }
}

const provider = (fake: DirectLineFake, over: Obj = {}) => ({ name: 'directline', timeoutMs: 3000, retries: 1, config: { secret: fake.secret, baseUrl: fake.origin, quietMs: 250, pollIntervalMs: 100 }, ...over });
const bots = (p: Obj) => [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: p }];

let fake: DirectLineFake;
let pg: ProviderGateway;
let emu: EmulatorApp;
let gw: GatewayHarness;
let main: TestChannel;
let slow: TestChannel;
let failing: TestChannel;

beforeAll(async () => {
  fake = await new DirectLineFake().start();
  fake.script = copilot;
  const handoff = { maxConsecutiveFallbacks: 2, defaultQueue: 'General', summaryTurns: 3 };
  main = testChannel('dl-main', { handoff, bots: bots(provider(fake)) });
  // The bot may take 2.2 s (budget of a 2.5 s attempt); Genesys gets the hold message after 1 s.
  slow = testChannel('dl-slow', { replyDeadlineMs: 1000, deadlinePolicy: 'hold', holdMessage: 'Hold on, still working.', handoff, bots: bots(provider(fake, { timeoutMs: 2500, retries: 0 })) });
  failing = testChannel('dl-fail', { handoff, circuitBreaker: { failureThreshold: 50, cooldownMs: 1000 }, bots: bots(provider(fake, { timeoutMs: 800, retries: 1 })) });
  pg = await startProviderGateway({
    name: 'directline',
    channelId: 'dl-v2',
    channel: { handoff, bots: bots(provider(fake)) },
    inlineWindowMs: 2000,
    extraChannels: [main, slow, failing],
    env: { OUTBOX_SWEEP_INTERVAL_MS: '500' },
  });
  ({ gw, emu } = pg);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await fake?.close();
});

afterEach(() => fake.failAlways(undefined));

const sessionPosts = (botSessionId: string) => fake.posted().filter((a) => (a.from as Obj).id === botSessionId);

describe('directline provider, Bot Connector v1', () => {
  it('answers the first turn with the bot’s texts and quick replies, in one Direct Line conversation per session', async () => {
    const body = newSessionBody('hi');
    const res = await gw.turn(main, body);
    expect(res.status).toBe(200);
    expect(res.body.botState).toBe('MoreData');
    const [hello, prompt] = res.body.replyMessages;
    expect(hello).toEqual({ type: 'Text', text: 'Hello! I am the Contoso assistant.' });
    expect(prompt).toMatchObject({ type: 'Structured', text: 'What can I do?' });
    expect(prompt.content.map((c: Obj) => c.quickReply)).toEqual([
      { text: 'Show a card', payload: 'card' },
      { text: 'Talk to an agent', payload: 'agent' },
    ]);
    const again = await gw.turn(main, nextTurn(body, 'how are you'));
    expect(again.body.replyMessages).toEqual([{ type: 'Text', text: 'You said: how are you' }]);
    const posts = sessionPosts(body.botSessionId as string);
    expect(posts.map((p) => p.text)).toEqual(['hi', 'how are you']);
    expect(posts[0]).toMatchObject({ locale: 'en-US', channelData: { genesys: { conversationId: body.genesysConversationId } } });
    const convs = new Set(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/activities') && (r.body as Obj & { from: Obj }).from.id === body.botSessionId).map((r) => r.path));
    expect(convs.size).toBe(1);
  });

  it('sends a quick-reply click as its payload and renders a hero card with postback and link actions', async () => {
    const body = newSessionBody('hi');
    await gw.turn(main, body);
    const res = await gw.turn(main, buttonTurn(body, 'Show a card', 'card'));
    expect(sessionPosts(body.botSessionId as string).at(-1)!.text).toBe('card');
    const card = res.body.replyMessages[0].content[0];
    expect(card.contentType).toBe('Card');
    expect(card.card).toMatchObject({ title: 'Order #1042', description: 'Shipped', image: IMG });
    expect(card.card.actions).toEqual([
      { type: 'Postback', text: 'Track order', payload: 'track' },
      { type: 'Link', text: 'Open order page', url: 'https://example.com/orders/1042' },
    ]);
  });

  it('renders a carousel, an attachment, link buttons and a degraded Adaptive Card', async () => {
    const body = newSessionBody('hello there');
    await gw.turn(main, body);
    const carousel = await gw.turn(main, nextTurn(body, 'carousel'));
    expect(carousel.body.replyMessages[0]).toEqual({ type: 'Text', text: 'Best sellers' });
    expect(carousel.body.replyMessages[1].content[0].carousel.cards.map((c: Obj) => c.title)).toEqual(['Shoe 1', 'Shoe 2', 'Shoe 3']);

    const image = await gw.turn(main, nextTurn(body, 'image'));
    expect(image.body.replyMessages).toEqual([
      { type: 'Text', text: 'Your receipt' },
      { type: 'Structured', content: [{ contentType: 'Attachment', attachment: expect.objectContaining({ mediaType: 'Image', url: 'https://cdn.example.com/receipt.jpg', filename: 'receipt.jpg' }) }] },
    ]);

    const links = await gw.turn(main, nextTurn(body, 'links'));
    expect(links.body.replyMessages[0].content[0].card).toMatchObject({ title: 'Need more?', actions: [{ type: 'Link', text: 'Help center', url: 'https://help.example.com' }] });

    const adaptive = await gw.turn(main, nextTurn(body, 'adaptive'));
    expect(adaptive.body.replyMessages[0].content[0].card).toMatchObject({ title: 'Booking confirmed', actions: [{ type: 'Postback', text: 'Change', payload: 'change booking' }] });
    expect(JSON.stringify(adaptive.body)).not.toContain('AdaptiveCard');
  });

  it('hands off on handoff.initiate with the bot’s queue, its reply, and the va_* context as parameters', async () => {
    const body = newSessionBody('hi');
    await gw.turn(main, body);
    const res = await gw.turn(main, buttonTurn(body, 'Talk to an agent', 'agent'));
    expect(res.body).toMatchObject({
      botState: 'Complete',
      intent: 'AgentHandoff',
      parameters: { handoffReason: 'bot_request', handoffQueue: 'Billing', va_AgentMessage: 'Refund question', va_LastTopic: 'Refunds', va_Topics: 'Greeting, Refunds' },
    });
    expect(res.body.replyMessages[0]).toEqual({ type: 'Text', text: 'Let me get someone for you.' });
    for (const v of Object.values(res.body.parameters)) expect(typeof v).toBe('string');
  });

  it('ends on endOfConversation, and refuses further turns of that session', async () => {
    const body = newSessionBody('bye');
    const res = await gw.turn(main, body);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Goodbye, have a nice day!' }] });
    const after = await gw.turn(main, nextTurn(body, 'hello?'));
    expect(after.body).toMatchObject({ botState: 'Failed', errorInfo: { errorCode: 'session_closed' } });
  });

  it('replaces an expired Direct Line conversation without the customer noticing', async () => {
    const body = newSessionBody('hi');
    await gw.turn(main, body);
    const path = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/activities') && (r.body as Obj & { from: Obj }).from.id === body.botSessionId).at(-1)!.path;
    const conversationId = decodeURIComponent(path.split('/')[4]!);
    fake.expire(conversationId, 403);
    const res = await gw.turn(main, nextTurn(body, 'still there?'));
    expect(res.body.replyMessages).toEqual([{ type: 'Text', text: 'You said: still there?' }]);
  });
});

describe('directline provider: slow, failing and garbage backends', () => {
  it('a bot slower than the reply deadline: the hold message in time, its late reply first in the next response', async () => {
    const body = newSessionBody('hello');
    await gw.turn(slow, body);
    const held = await gw.turn(slow, nextTurn(body, 'slow'));
    expect(held.ms).toBeLessThan(1400);
    expect(held.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });
    await new Promise((r) => setTimeout(r, 1200));
    const next = await gw.turn(slow, nextTurn(body, 'and now?'));
    expect(next.body.replyMessages.map((m: Obj) => m.text)).toEqual(['Sorry for the wait: that took a while.', 'You said: and now?']);
  });

  it('a reply after the turn’s whole budget is fetched by the next turn (same watermark) and shown first', async () => {
    const body = newSessionBody('hello');
    await gw.turn(slow, body);
    const held = await gw.turn(slow, nextTurn(body, 'very slow'));
    expect(held.body.replyMessages).toEqual([{ type: 'Text', text: 'Hold on, still working.' }]);
    await new Promise((r) => setTimeout(r, 2000));
    const next = await gw.turn(slow, nextTurn(body, 'anything else'));
    expect(next.body.replyMessages.map((m: Obj) => m.text)).toEqual(['Found it at last.', 'You said: anything else']);
  });

  it('a 503 then success: the retry answers', async () => {
    const body = newSessionBody('first');
    fake.fail({ kind: 'status', status: 503, body: { error: { code: 'ServiceError', message: 'x' } } });
    const res = await gw.turn(failing, body);
    expect(res.body.replyMessages).toEqual([{ type: 'Text', text: 'You said: first' }]);
  });

  it.each([
    ['5xx every time', { kind: 'status', status: 500, body: { error: { code: 'ServiceError', message: 'x' } } }],
    ['429 asking for a long wait', { kind: 'status', status: 429, headers: { 'retry-after': '30' }, body: { error: { code: 'Throttled', message: 'x' } } }],
    ['timeouts', { kind: 'delay', ms: 1500 }],
    ['garbage', { kind: 'malformed' }],
  ] as const)('%s: the bot-error policy hands off', async (_name, fault) => {
    fake.failAlways(fault as never);
    const res = await gw.turn(failing, newSessionBody('help'));
    fake.failAlways(undefined);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
    expect(JSON.stringify(res.body)).not.toMatch(/not json|ServiceError|Throttled/);
  });

  it('refused credentials hand off as a bot error at once (not retried), and the secret is in no log line', async () => {
    const before = fake.requests.length;
    fake.refuseCredentials(403);
    const res = await gw.turn(failing, newSessionBody('hi'));
    expect(res.body).toMatchObject({ botState: 'Complete', parameters: { handoffReason: 'bot_error' } });
    expect(fake.requests.length - before).toBe(1);
    fake.acceptCredentials();
    const out = processOutput(gw);
    expect(out).not.toContain(fake.secret);
    for (const c of fake.conversations.values()) for (const t of c.tokens.keys()) expect(out).not.toContain(t);
  });
});

describe('directline provider, Digital Bot Connector v2', () => {
  it('answers a v2 turn and hands off through the flow to the queue the Copilot named', async () => {
    const view = await emu.emulator.startConversation(pg.flowId, { text: 'hi' });
    const first = await waitForView(emu, view.id, (v) => botTexts(v).length >= 2);
    expect(botTexts(first).slice(0, 2)).toEqual(['Hello! I am the Contoso assistant.', 'What can I do?']);
    expect(first.state).toBe('bot');
    await emu.emulator.sendCustomerMessage(view.id, { text: 'agent' });
    const done = await waitForView(emu, view.id, (v) => v.state !== 'bot');
    expect(done).toMatchObject({ state: 'agent', queue: 'Billing', intent: 'AgentHandoff' });
    expect(botTexts(done)).toContain('Let me get someone for you.');
  });
});
