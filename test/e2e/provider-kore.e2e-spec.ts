import type { EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { buttonTurn, newSessionBody, nextTurn, processOutput, testChannel, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { botTexts, startProviderGateway, waitForView, type ProviderGateway } from '../support/provider-gateway.js';
import { KoreFake, KoreTemplates } from '../fakes/kore.fake.js';

/**
 * The `kore` provider end to end: real ingress and worker processes, real Redis, the Kore fake
 * (webhook v2, synchronous with polling, JWT verified with jsonwebtoken) and, for v2, the Genesys
 * emulator playing the Architect flow of a Digital Bot Connector.
 */
let pg: ProviderGateway;
let emu: EmulatorApp;
let gw: GatewayHarness;
let kore: KoreFake;
let main: TestChannel;
let quick: TestChannel;
let refused: TestChannel;

const koreBot = (config: Record<string, unknown>, provider: { timeoutMs: number; retries: number }) => [
  { id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'kore', ...provider, config } },
];

beforeAll(async () => {
  kore = await new KoreFake().start();
  const config = { webhookUrl: kore.webhookUrl, clientId: kore.clientId, clientSecret: kore.clientSecret, handoff: { taskNames: ['Talk to agent'] }, end: { taskNames: ['Goodbye'] }, pollIntervalMs: 100 };
  quick = testChannel('kore2', { replyDeadlineMs: 5000, bots: koreBot(config, { timeoutMs: 800, retries: 1 }) });
  refused = testChannel('kore3', { bots: koreBot({ ...config, clientSecret: 'kore-wrong-secret-do-not-log-4711' }, { timeoutMs: 2000, retries: 2 }) });
  // The reply deadline (1 s) is shorter than the provider's time (3 s): Kore's late poll results
  // reach the customer through the deadline hold.
  pg = await startProviderGateway({
    name: 'kore',
    channelId: 'kore1',
    channel: { replyDeadlineMs: 1000, bots: koreBot(config, { timeoutMs: 3000, retries: 1 }) },
    inlineWindowMs: 600,
    extraChannels: [quick, refused],
    env: { OUTBOX_SWEEP_INTERVAL_MS: '500' },
  });
  ({ gw, emu, channel: main } = pg);

  kore.on('show me everything', {
    vals: [
      'Here is everything &amp; more',
      KoreTemplates.quickReplies,
      KoreTemplates.buttonJson,
      KoreTemplates.carouselEscaped,
      KoreTemplates.list,
      KoreTemplates.image,
      KoreTemplates.video,
      KoreTemplates.audioMessage,
      KoreTemplates.table,
      { no: 'words', at: 'all' },
    ],
  });
  kore.on('dispute', { vals: [KoreTemplates.agentTransfer] });
  kore.on('billing question', { vals: ['Sure, transferring you.'], completedTaskName: 'Talk to Agent', endOfTask: true });
  kore.on('that is all', { vals: ['Goodbye!'], completedTaskName: 'Goodbye', endOfTask: true });
  kore.on('balance', { vals: ['Your balance is $54,883'], completedTaskName: 'Show Balance', endOfTask: true, endReason: 'Fulfilled' });
  kore.on('gibberish', { vals: ['Sorry, I did not get that.'] });
  kore.on('look it up', { vals: ['Let me look that up.'], polls: [{ readyAfterMs: 1500, vals: ['Found it: order 1042 ships today.'] }] });
  kore.on('big transfer', { vals: ['Working on it…'], polls: [{ readyAfterMs: 3500, vals: ['Transfer done: ref 7781.'] }] });
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await kore?.close();
});

const posts = (botSessionId: string) => kore.requests.filter((r) => r.method === 'POST' && (r.body as any)?.from?.id === `gc-${botSessionId}`);
const texts = (res: { body: any }) => res.body.replyMessages.map((m: any) => m.text);
const waitFor = async (check: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('kore provider over Bot Connector v1', () => {
  it('opens a Kore session on the first turn and keeps it: session.new, gc-<botSessionId>, Genesys context in customData, a verified JWT', async () => {
    const body = newSessionBody('hi there');
    const first = await gw.turn(main, body);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'You said: hi there' }] });
    const second = await gw.turn(main, nextTurn(body, 'and again'));
    expect(texts(second)).toEqual(['You said: and again']);
    const sent = posts(body.botSessionId as string).map((r) => r.body as any);
    expect(sent.map((b) => [b.session.new, b.message.val])).toEqual([
      [true, 'hi there'],
      [false, 'and again'],
    ]);
    expect(sent[0].customData).toMatchObject({ genesysConversationId: body.genesysConversationId, language: 'en-us' });
    expect(kore.claims.some((c) => c.sub === `gc-${body.botSessionId}` && c.appId === kore.clientId)).toBe(true);
  });

  it('renders every Kore template kind into Genesys messages, in order, with no raw JSON or entities', async () => {
    const body = newSessionBody('show me everything');
    const res = await gw.turn(main, body);
    expect(res.body.botState).toBe('MoreData');
    const msgs = res.body.replyMessages;
    expect(msgs[0]).toEqual({ type: 'Text', text: 'Here is everything & more' });
    const kinds = msgs.map((m: any) => m.content?.[0]?.contentType ?? 'Text');
    // text, quick replies, button template, carousel, list (bullets + its buttons), image, video, audio message (caption + audio), table degraded.
    expect(kinds).toEqual(['Text', 'QuickReply', 'Card', 'Carousel', 'Text', 'Card', 'Attachment', 'Attachment', 'Text', 'Attachment', 'Text', 'Text']);
    const qr = msgs[1].content.map((c: any) => c.quickReply);
    expect(qr).toEqual([
      { text: 'Checking', payload: 'acct_checking', image: 'https://cdn.example.com/checking.png' },
      { text: 'Savings', payload: 'Savings' },
    ]);
    expect(msgs[2].content[0].card.actions).toEqual([
      { type: 'Postback', text: 'Pay now', payload: 'pay_now' },
      { type: 'Link', text: 'See bill', url: 'https://bank.example.com/bill' },
    ]);
    expect(msgs[3].content[0].carousel.cards.map((c: any) => c.title)).toEqual(['Gold card', 'Silver card']);
    expect(msgs[4].text).toBe('Recent transactions\n• Coffee: $3.50\n• Books: $24.00');
    expect(msgs[5].content[0].card).toEqual({ title: 'Recent transactions', actions: [{ type: 'Postback', text: 'View more', payload: 'more_tx' }] });
    const media = msgs.filter((m: any) => m.content?.[0]?.contentType === 'Attachment').map((m: any) => [m.content[0].attachment.mediaType, m.content[0].attachment.url]);
    expect(media).toEqual([
      ['Image', 'https://cdn.example.com/statement.png'],
      ['Video', 'https://cdn.example.com/howto.mp4'],
      ['Audio', 'https://cdn.example.com/hello.mp3'],
    ]);
    expect(msgs.slice(-4).map((m: any) => m.text ?? null)).toEqual(['Listen to this', null, 'Your limits', '• ATM\n• POS']);
    const all = JSON.stringify(msgs);
    expect(all).not.toMatch(/&amp;|&quot;|template_type|"words"/);
  });

  it('sends a click’s payload to Kore as val', async () => {
    const body = newSessionBody('hello');
    await gw.turn(main, body);
    await gw.turn(main, buttonTurn(body, 'Pay now', 'pay_now'));
    expect(posts(body.botSessionId as string).map((r) => (r.body as any).message.val)).toEqual(['hello', 'pay_now']);
  });

  it('hands off on the agent_transfer template with the bot’s queue, then closes the Kore session', async () => {
    const body = newSessionBody('dispute');
    const res = await gw.turn(main, body);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_request', handoffQueue: 'Billing', handoffSummary: 'Customer disputes a charge of $24.00' } });
    expect(texts(res)[0]).toBe('Let me get a colleague.');
    await waitFor(() => posts(body.botSessionId as string).some((r) => (r.body as any).message.val === 'SESSION_CLOSURE'));
    expect(kore.sessions.has(`gc-${body.botSessionId}`)).toBe(false);
  });

  it('hands off when a task in handoff.taskNames completes (case-insensitive), to the channel’s default queue', async () => {
    const body = newSessionBody('billing question');
    const res = await gw.turn(main, body);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_request', handoffQueue: 'General' } });
    expect(texts(res)[0]).toBe('Sure, transferring you.');
  });

  it('ends when a task in end.taskNames completes; endOfTask alone keeps the conversation open; Kore has no fallback', async () => {
    const body = newSessionBody('balance');
    const balance = await gw.turn(main, body);
    expect(balance.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Your balance is $54,883' }] });
    for (let i = 0; i < 3; i++) {
      const miss = await gw.turn(main, nextTurn(body, 'gibberish'));
      expect(miss.body.botState).toBe('MoreData');
    }
    const bye = await gw.turn(main, nextTurn(body, 'that is all'));
    expect(bye.body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Goodbye!' }] });
    await waitFor(() => posts(body.botSessionId as string).some((r) => (r.body as any).message.val === 'SESSION_CLOSURE'));
  });

  it('polls past the Genesys deadline: the customer gets the hold message, and the polled messages come first in the next response', async () => {
    const body = newSessionBody('hi');
    await gw.turn(main, body);
    const slow = await gw.turn(main, nextTurn(body, 'look it up'));
    expect(slow.ms).toBeLessThan(1400);
    expect(slow.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });
    await new Promise((r) => setTimeout(r, 1500));
    const next = await gw.turn(main, nextTurn(body, 'thanks'));
    expect(texts(next)).toEqual(['Let me look that up.', 'Found it: order 1042 ships today.', 'You said: thanks']);
    expect(posts(body.botSessionId as string).map((r) => (r.body as any).message.val)).toEqual(['hi', 'look it up', 'thanks']);
  });

  it('when even the provider’s budget runs out mid-poll, the pending poll is carried in state and delivered before the next answer, never re-POSTed', async () => {
    const body = newSessionBody('hi');
    await gw.turn(main, body);
    const slow = await gw.turn(main, nextTurn(body, 'big transfer'));
    expect(texts(slow)).toEqual(['Hold on, still working.']);
    await new Promise((r) => setTimeout(r, 3200));
    const next = await gw.turn(main, nextTurn(body, 'ok'));
    expect(texts(next)).toEqual(['Working on it…', 'Transfer done: ref 7781.', 'You said: ok']);
    expect(posts(body.botSessionId as string).map((r) => (r.body as any).message.val)).toEqual(['hi', 'big transfer', 'ok']);
  });

  it('retries a 504 once and answers; persistent 429 and timeouts end in the bot-error policy (handoff)', async () => {
    const body = newSessionBody('retry me');
    kore.fail({ kind: 'status', status: 504, body: { errors: [{ msg: 'Request timed out', code: 504 }], _v: 'v2' } });
    const ok = await gw.turn(quick, body);
    expect(texts(ok)).toEqual(['You said: retry me']);
    expect(posts(body.botSessionId as string)).toHaveLength(2);

    const busy = newSessionBody('busy');
    kore.fail({ kind: 'status', status: 429, body: { errors: [{ msg: 'Too many requests', code: 429 }] } }, { kind: 'status', status: 429 });
    const throttled = await gw.turn(quick, busy);
    expect(throttled.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });

    const stuck = newSessionBody('stuck');
    kore.fail({ kind: 'delay', ms: 1500 }, { kind: 'delay', ms: 1500 });
    const timedOut = await gw.turn(quick, stuck);
    expect(timedOut.ms).toBeLessThan(3500);
    expect(timedOut.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
  });

  it('garbage from Kore is a bot error without a retry and without leaking it to the customer', async () => {
    const body = newSessionBody('garbage');
    kore.fail({ kind: 'malformed' });
    const res = await gw.turn(quick, body);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
    expect(JSON.stringify(res.body)).not.toContain('not json');
    expect(posts(body.botSessionId as string)).toHaveLength(1);
  });

  it('a wrong client secret is refused by Kore (401): a bot error, never retried, and the secret is in no log', async () => {
    const body = newSessionBody('hello');
    const res = await gw.turn(refused, body);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
    expect(posts(body.botSessionId as string)).toHaveLength(1);
    expect(processOutput(gw)).not.toContain('kore-wrong-secret-do-not-log-4711');
    expect(processOutput(gw)).not.toContain(kore.clientSecret);
  });
});

describe('kore provider over the Digital Bot Connector (v2)', () => {
  it('answers inline, delivers polled messages later through the outgoing API, and transfers on agent_transfer', async () => {
    const view = await emu.emulator.startConversation(pg.flowId, { text: 'hello v2' });
    expect(botTexts(view)).toEqual(['You said: hello v2']);
    await emu.emulator.sendCustomerMessage(view.id, { text: 'look it up' });
    const later = await waitForView(emu, view.id, (v) => botTexts(v).includes('Found it: order 1042 ships today.'));
    expect(botTexts(later)).toEqual(['You said: hello v2', 'Let me look that up.', 'Found it: order 1042 ships today.']);
    await emu.emulator.sendCustomerMessage(view.id, { text: 'dispute' });
    const done = await waitForView(emu, view.id, (v) => v.state !== 'bot');
    expect(done).toMatchObject({ state: 'agent', queue: 'Billing' });
    await waitFor(() => posts(view.botSessionId).length === 4);
    expect(posts(view.botSessionId).map((r) => (r.body as any).message.val)).toEqual(['hello v2', 'look it up', 'dispute', 'SESSION_CLOSURE']);
  });
});
