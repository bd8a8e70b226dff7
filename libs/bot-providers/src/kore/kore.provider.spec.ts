import { randomUUID } from 'node:crypto';
import { BotProviderRegistry } from '../bot-provider.registry.js';
import { isBackendCredentialsError, type BotCallContext } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn, CanonicalUserInput } from '../canonical.types.js';
import { validateBotResult } from '../bot-result.validator.js';
import { BackendClient } from '../kit/backend-client.js';
import { providerConfigProblems } from '../kit/provider-config.js';
import { KoreFake, KoreTemplates } from '../../../../test/fakes/kore.fake.js';
import { BotCaller } from '../../../../apps/worker/src/bot-calls/bot-caller.service.js';
import { parseChannel } from '@app/channels';
import { KORE_PROBE_USER_ID, KoreBotProvider, koreUserId } from './kore.provider.js';

let fake: KoreFake;
let client: BackendClient;
let provider: KoreBotProvider;

beforeAll(() => {
  client = new BackendClient({ allowPrivateNetworks: true });
  provider = new KoreBotProvider(client);
});
afterAll(() => client.close());
beforeEach(async () => {
  fake = await new KoreFake().start();
});
afterEach(() => fake.close());

const config = (over: Record<string, unknown> = {}) => ({ webhookUrl: fake.webhookUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, ...over });

function turn(over: { sessionId?: string; text?: string; input?: Partial<CanonicalUserInput>; state?: Record<string, unknown> } = {}): CanonicalTurn {
  return {
    turnId: randomUUID(),
    channelId: 'kore-spec',
    bot: { id: 'bot1', name: 'Kore Bot', version: '1.0' },
    session: { id: over.sessionId ?? randomUUID(), genesysConversationId: 'conv-42', turnIndex: 0, state: over.state ?? {}, parameters: { customerTier: 'gold' } },
    language: 'en-us',
    input: { kind: 'text', text: over.text ?? 'hello', attachments: [], ...over.input },
    seq: 1,
  };
}

const ctx = (cfg: Record<string, unknown>, timeoutMs = 3000): BotCallContext => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs, config: cfg });
const run = async (t: CanonicalTurn, cfg = config(), timeoutMs = 3000) => validateBotResult(await provider.handleTurn(t, ctx(cfg, timeoutMs)));
const posts = () => fake.requests.filter((r) => r.method === 'POST');
const polls = () => fake.requests.filter((r) => r.method === 'GET');
const bodyOf = (r: { body: unknown }) => r.body as Record<string, any>;
async function failure(p: Promise<unknown>): Promise<Error & { transient?: boolean; retryAfterMs?: number }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('kore provider: config', () => {
  const spec = () => provider.configSpec;

  it('accepts the documented keys, marks the secret and the URL, and defaults pollIntervalMs to 300', () => {
    expect(providerConfigProblems(spec(), config({ handoff: { taskNames: ['Talk to agent'] }, end: { taskNames: ['Goodbye'] }, pollIntervalMs: 100 }), true)).toEqual([]);
    expect(spec().secrets).toEqual(['clientSecret']);
    expect(spec().urls).toEqual(['webhookUrl']);
    expect(spec().docs).toBe('docs/providers/kore.md');
    expect(spec().fields.map((f) => f.key)).toEqual(['webhookUrl', 'clientId', 'clientSecret', 'handoff.taskNames', 'end.taskNames', 'pollIntervalMs']);
    expect(spec().fields.find((f) => f.key === 'clientSecret')!.kind).toBe('secret');
  });

  it('refuses polling more often than every 100 ms, bad task lists and unknown nested keys, by path', () => {
    const problems = (c: Record<string, unknown>) => providerConfigProblems(spec(), config(c), true);
    expect(problems({ pollIntervalMs: 99 })).toEqual([expect.stringContaining('pollIntervalMs')]);
    expect(problems({ pollIntervalMs: 250.5 })).toEqual([expect.stringContaining('pollIntervalMs')]);
    expect(problems({ handoff: { taskNames: 'Talk to agent' } })).toEqual([expect.stringContaining('handoff.taskNames')]);
    expect(problems({ end: { taskNames: [''] } })).toEqual([expect.stringContaining('end.taskNames')]);
    expect(problems({ handoff: { queue: 'Billing' } }).some((p) => p.includes('handoff.queue'))).toBe(true);
    expect(problems({ webhookUrl: 'ftp://kore.example.com/x' }).some((p) => p.startsWith('webhookUrl'))).toBe(true);
  });

  it('refuses a plain-http or private webhookUrl in production', () => {
    expect(providerConfigProblems(spec(), config(), false).some((p) => p.startsWith('webhookUrl'))).toBe(true);
  });
});

describe('kore provider: requests and identity', () => {
  it('POSTs the message with a verified HS256 JWT {appId, sub, iat}, from.id gc-<botSessionId>, to the bot, customData; session.new only on the first turn', async () => {
    const sessionId = randomUUID();
    const first = await run(turn({ sessionId, text: 'I want to pay my bill' }));
    expect(first.messages).toEqual([{ type: 'text', text: 'You said: I want to pay my bill' }]);
    expect(first.state).toEqual({ started: true });
    const [req] = posts();
    expect(req!.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(bodyOf(req!)).toEqual({
      session: { new: true },
      message: { type: 'text', val: 'I want to pay my bill' },
      from: { id: `gc-${sessionId}`, userInfo: { firstName: '', lastName: '', email: '' } },
      to: { id: fake.streamId },
      customData: { genesysConversationId: 'conv-42', language: 'en-us', parameters: { customerTier: 'gold' } },
    });
    // The fake verified the signature with jsonwebtoken; the claims are Kore's.
    expect(fake.claims[0]).toEqual({ appId: fake.clientId, sub: `gc-${sessionId}`, iat: expect.any(Number) });
    expect(Math.abs(fake.claims[0]!.iat! - Date.now() / 1000)).toBeLessThan(5);

    await run(turn({ sessionId, text: 'and now?', state: first.state }));
    expect(bodyOf(posts()[1]!).session).toEqual({ new: false });
    expect(bodyOf(posts()[1]!).from.id).toBe(`gc-${sessionId}`);
  });

  it('sends the payload of a click as val, not its title', async () => {
    await run(turn({ input: { kind: 'button', text: 'Pay now', payload: 'pay_now' } }));
    expect(bodyOf(posts()[0]!).message).toEqual({ type: 'text', val: 'pay_now' });
  });

  it('hashes a session id that does not fit Kore’s user id, stably per session and differently across sessions', async () => {
    const odd = `weird id/${'x'.repeat(120)}`;
    expect(koreUserId(odd)).toBe(koreUserId(odd));
    expect(koreUserId(odd)).toMatch(/^gc-[0-9a-f]{64}$/);
    expect(koreUserId(`${odd}2`)).not.toBe(koreUserId(odd));
    await run(turn({ sessionId: odd }));
    expect(bodyOf(posts()[0]!).from.id).toBe(koreUserId(odd));
    expect(fake.claims[0]!.sub).toBe(koreUserId(odd));
  });

  it('opens an empty first turn with ON_CONNECT (Kore’s welcome), and sends nothing for a later empty turn', async () => {
    const first = await run(turn({ input: { kind: 'empty', text: '' } }));
    expect(bodyOf(posts()[0]!)).toMatchObject({ session: { new: true }, message: { type: 'event', val: 'ON_CONNECT' } });
    expect(first.messages).toEqual([{ type: 'text', text: 'Welcome! How can I help?' }]);
    const later = await run(turn({ input: { kind: 'empty', text: '' }, state: first.state }));
    expect(later.messages).toEqual([]);
    expect(posts()).toHaveLength(1);
  });

  it('sends the links of an attachment-only turn as text', async () => {
    await run(turn({ input: { kind: 'attachment', text: '', attachments: [{ kind: 'image', url: 'https://files.example.com/a.png' }] } }));
    expect(bodyOf(posts()[0]!).message).toEqual({ type: 'text', val: 'https://files.example.com/a.png' });
  });

  it('works with a second webhook channel’s /hookInstance/… URL, polls included', async () => {
    fake.hookInstance = 'hi-77';
    fake.on('balance', { vals: ['Looking it up'], polls: [{ vals: ['Your balance is $54,883'] }] });
    const r = await run(turn({ text: 'balance' }), config({ webhookUrl: fake.webhookUrl, pollIntervalMs: 100 }));
    expect(r.messages.map((m) => (m as { text: string }).text)).toEqual(['Looking it up', 'Your balance is $54,883']);
    expect(polls()[0]!.path).toMatch(new RegExp(`^/chatbot/v2/webhook/${fake.streamId}/hookInstance/hi-77/poll/[0-9a-f]+$`));
  });
});

describe('kore provider: val decoding and templates', () => {
  it('maps every template in every encoding (object, JSON string, HTML-escaped JSON, arrays) in one conversation', async () => {
    fake.on('show', {
      vals: [
        'Tom &amp; Jerry&#39;s &lt;3',
        KoreTemplates.quickReplies,
        KoreTemplates.buttonJson,
        KoreTemplates.carouselEscaped,
        KoreTemplates.list,
        [KoreTemplates.image, JSON.stringify(KoreTemplates.video)],
        KoreTemplates.audioMessage,
        { type: 'message', payload: { videoUrl: 'https://cdn.example.com/v.mp4' } },
        KoreTemplates.table,
      ],
      items: [{ type: 'event', eventType: 'SESSION_CLOSURE_SUCCESS', val: 'SESSION_CLOSURE_SUCCESS' }],
    });
    const r = await run(turn({ text: 'show' }));
    expect(r.messages).toEqual([
      { type: 'text', text: "Tom & Jerry's <3" },
      {
        type: 'quickReplies',
        text: 'Which account?',
        replies: [
          { title: 'Checking', payload: 'acct_checking', imageUrl: 'https://cdn.example.com/checking.png' },
          { title: 'Savings', payload: 'Savings' },
        ],
      },
      {
        type: 'buttons',
        text: 'Pay your bill?',
        buttons: [
          { type: 'postback', title: 'Pay now', payload: 'pay_now' },
          { type: 'url', title: 'See bill', url: 'https://bank.example.com/bill' },
        ],
      },
      {
        type: 'carousel',
        cards: [
          {
            title: 'Gold card',
            subtitle: 'Travel & more',
            imageUrl: 'https://cdn.example.com/gold.png',
            defaultAction: { type: 'url', title: 'https://bank.example.com/gold', url: 'https://bank.example.com/gold' },
            buttons: [{ type: 'postback', title: 'Apply', payload: 'apply_gold' }],
          },
          { title: 'Silver card', subtitle: 'Everyday', imageUrl: 'https://cdn.example.com/silver.png', buttons: [{ type: 'url', title: 'Details', url: 'https://bank.example.com/silver' }] },
        ],
      },
      { type: 'list', title: 'Recent transactions', items: ['Coffee: $3.50', 'Books: $24.00'] },
      { type: 'buttons', text: 'Recent transactions', buttons: [{ type: 'postback', title: 'View more', payload: 'more_tx' }] },
      { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/statement.png' } },
      { type: 'attachment', attachment: { kind: 'video', url: 'https://cdn.example.com/howto.mp4' } },
      { type: 'text', text: 'Listen to this' },
      { type: 'attachment', attachment: { kind: 'audio', url: 'https://cdn.example.com/hello.mp3' } },
      { type: 'attachment', attachment: { kind: 'video', url: 'https://cdn.example.com/v.mp4' } },
      { type: 'text', text: 'Your limits' },
      { type: 'list', items: ['ATM', 'POS'] },
    ]);
    expect(r.handoff).toBeUndefined();
    expect(r.fallback).toBeUndefined();
  });

  it('a list whose rows carry images or buttons becomes cards; a one-element carousel a card', async () => {
    fake.on('rich', {
      vals: [
        { type: 'template', payload: { template_type: 'list', elements: [{ title: 'A', image_url: 'https://cdn.example.com/a.png', buttons: [{ type: 'postback', title: 'Pick A', payload: 'a' }] }, { title: 'B' }] } },
        { type: 'template', payload: { template_type: 'carousel', elements: [{ title: 'Only', subtitle: 'one' }] } },
      ],
    });
    const r = await run(turn({ text: 'rich' }));
    expect(r.messages).toEqual([
      { type: 'carousel', cards: [{ title: 'A', imageUrl: 'https://cdn.example.com/a.png', buttons: [{ type: 'postback', title: 'Pick A', payload: 'a' }] }, { title: 'B' }] },
      { type: 'card', card: { title: 'Only', subtitle: 'one' } },
    ]);
  });

  it('degrades what it cannot map to its words, never to raw JSON or entities, and clips what is over the limits', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ content_type: 'text', title: `Option ${i + 1}`, payload: `o${i + 1}` }));
    fake.on('odd', {
      vals: [
        { type: 'template', payload: { template_type: 'form', heading: 'Tell us more', elements: [{ label: 'Name' }, { label: 'Email' }] } },
        { type: 'template', payload: { template_type: ' feedback ', text: 'Rate us &amp; win' } },
        '{"type":"template","payload":{"template_type":"dropdown_template","heading":"Pick a city","elements":[{"title":"Paris","value":"paris"}]}}',
        { some: 'object', without: 'words' },
        { type: 'link', text: 'Only words here' },
        { type: 'image', payload: { url: 'javascript:alert(1)' } },
        { type: 'template', payload: { template_type: 'quick_replies', text: 'Too many', quick_replies: many } },
        'x'.repeat(4500),
        '{not json at all',
        '   ',
        42,
        null,
      ],
    });
    const r = await run(turn({ text: 'odd' }));
    expect(r.messages.slice(0, 6)).toEqual([
      { type: 'text', text: 'Tell us more' },
      { type: 'list', items: ['Name', 'Email'] },
      { type: 'text', text: 'Rate us & win' },
      { type: 'text', text: 'Pick a city' },
      { type: 'list', items: ['Paris'] },
      { type: 'text', text: 'Only words here' },
    ]);
    const qr = r.messages[6] as Extract<BotResult['messages'][number], { type: 'quickReplies' }>;
    expect(qr.type).toBe('quickReplies');
    expect(qr.replies).toHaveLength(20);
    expect((r.messages[7] as { text: string }).text.length).toBeLessThanOrEqual(4000);
    expect(r.messages.slice(8)).toEqual([
      { type: 'text', text: '{not json at all' },
      { type: 'text', text: '42' },
    ]);
    expect(JSON.stringify(r.messages)).not.toMatch(/&amp;|&quot;|"without"|javascript:/);
  });

  it('survives answers of the wrong shape: data not an array, items that are not objects, no data at all', async () => {
    fake.on('shapes', { items: [null as never, 'text' as never, { type: 'text' }, { type: 'text', val: { type: 'template' } }] });
    expect((await run(turn({ text: 'shapes' }))).messages).toEqual([]);
    fake.fail({ kind: 'status', status: 200, body: { _v: 'v2', data: { type: 'text', val: 'lonely object' } } });
    expect((await run(turn())).messages).toEqual([{ type: 'text', text: 'lonely object' }]);
    fake.fail({ kind: 'status', status: 200, body: { _v: 'v2' } });
    expect((await run(turn())).messages).toEqual([]);
  });

  it('a body that is not an object is a permanent error', async () => {
    fake.fail({ kind: 'status', status: 200, body: '["a"]' });
    const e = await failure(run(turn()));
    expect(e.transient).toBe(false);
    expect(e.message).toContain('Kore.ai');
  });
});

describe('kore provider: signals', () => {
  it('the agent_transfer template hands off with queue, reason and summary, after its text', async () => {
    fake.on('agent', { vals: ['One moment.', KoreTemplates.agentTransfer] });
    const r = await run(turn({ text: 'agent' }));
    expect(r.messages).toEqual([
      { type: 'text', text: 'One moment.' },
      { type: 'text', text: 'Let me get a colleague.' },
    ]);
    expect(r.handoff).toEqual({ queue: 'Billing', reason: 'dispute', summary: 'Customer disputes a charge of $24.00' });
    expect(r.end).toBeUndefined();
  });

  it('the agent_transfer template also works as an HTML-escaped string with stray spaces', async () => {
    const escaped = JSON.stringify({ type: 'template', payload: { template_type: ' agent_transfer ', queue: 'VIP' } }).replace(/"/g, '&quot;');
    fake.on('vip', { vals: [escaped] });
    expect((await run(turn({ text: 'vip' }))).handoff).toEqual({ queue: 'VIP' });
  });

  it('a completed task in handoff.taskNames hands off (trimmed, case-insensitive, whatever endOfTask says); the task is the intent', async () => {
    fake.on('human', { vals: ['Transferring you'], completedTaskName: '  talk TO agent ', endOfTask: false });
    const r = await run(turn({ text: 'human' }), config({ handoff: { taskNames: ['Talk to agent'] } }));
    expect(r.handoff).toEqual({ reason: 'talk TO agent' });
    expect(r.intent).toBe('talk TO agent');
    expect(r.end).toBeUndefined();
  });

  it('a completed task in end.taskNames ends; endOfTask:true alone (or endReason "Fulfilled") does not; there is never a fallback', async () => {
    const cfg = config({ end: { taskNames: ['Goodbye'] }, handoff: { taskNames: ['Talk to agent'] } });
    fake.on('bye', { vals: ['Bye!'], completedTaskName: 'goodbye', endOfTask: true });
    fake.on('balance', { vals: ['Your balance is $54,883'], completedTaskName: 'Show Balance', endOfTask: true, endReason: 'Fulfilled' });
    fake.on('half', { vals: ['Anything else?'], completedTaskName: 'Show Balance', endOfTask: false, endReason: 'Fulfilled' });
    fake.on('???', { vals: ['Sorry, I did not get that.'] });
    const bye = await run(turn({ text: 'bye' }), cfg);
    expect(bye).toMatchObject({ end: {}, intent: 'goodbye' });
    expect(bye.end).toEqual({});
    for (const text of ['balance', 'half', '???']) {
      const r = await run(turn({ text }), cfg);
      expect({ text, end: r.end, handoff: r.handoff, fallback: r.fallback }).toEqual({ text, end: undefined, handoff: undefined, fallback: undefined });
    }
    expect((await run(turn({ text: 'balance' }), cfg)).intent).toBe('Show Balance');
  });

  it('a handoff task completed in a poll batch counts too', async () => {
    fake.on('later', { vals: ['Checking'], polls: [{ inprogress: 1, vals: ['An agent will help'], completedTaskName: 'Talk to agent' }] });
    const r = await run(turn({ text: 'later' }), config({ handoff: { taskNames: ['talk to agent'] }, pollIntervalMs: 100 }));
    expect(r.messages).toHaveLength(2);
    expect(r.handoff).toEqual({ reason: 'Talk to agent' });
  });
});

describe('kore provider: polling', () => {
  it('follows a pollId through several Inprogress answers and a chained second pollId, no faster than pollIntervalMs', async () => {
    fake.on('slow', { vals: ['Let me check.'], polls: [{ inprogress: 3, vals: ['Found 2 accounts'] }, { inprogress: 1, vals: [KoreTemplates.quickReplies] }] });
    const r = await run(turn({ text: 'slow' }), config({ pollIntervalMs: 120 }));
    expect(r.messages.map((m) => m.type)).toEqual(['text', 'text', 'quickReplies']);
    expect(r.state).toEqual({ started: true });
    const p = polls();
    expect(p).toHaveLength(6);
    const ids = p.map((x) => x.path.split('/').pop());
    expect(new Set(ids).size).toBe(2);
    const times = [posts()[0]!.at, ...p.map((x) => x.at)];
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(115);
    for (const req of p) expect(req.headers.authorization).toMatch(/^bearer /);
    expect(posts()).toHaveLength(1);
  });

  it('keeps the messages it has when a used poll id answers 400 "No data found"', async () => {
    fake.on('gone', { vals: ['Part one'], polls: [{ vals: ['never seen'] }] });
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'status', status: 400, body: { errors: [{ msg: 'No data found', code: 400 }], _v: 'v2' } });
    const r = await run(turn({ text: 'gone' }), config({ pollIntervalMs: 100 }));
    expect(r.messages).toEqual([{ type: 'text', text: 'Part one' }]);
    expect(r.state).toEqual({ started: true });
  });

  it('drops a pending poll id that Kore already delivered (400) and still answers the new message', async () => {
    const r = await run(turn({ text: 'hi', state: { started: true, pendingPollIds: ['0123456789abcdef'] } }));
    expect(r.messages).toEqual([{ type: 'text', text: 'You said: hi' }]);
    expect(r.state).toEqual({ started: true });
    expect(polls()).toHaveLength(1);
  });

  it('when the budget runs out mid-poll: returns what it has, keeps the poll id, and the next turn delivers those messages first without re-POSTing', async () => {
    const sessionId = randomUUID();
    fake.on('transfer money', { vals: ['Working on it…'], polls: [{ readyAfterMs: 1500, vals: ['Transfer done: ref 7781'] }] });
    const started = Date.now();
    const first = await run(turn({ sessionId, text: 'transfer money' }), config({ pollIntervalMs: 100 }), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(first.messages).toEqual([{ type: 'text', text: 'Working on it…' }]);
    expect(first.state).toEqual({ started: true, pendingPollIds: [expect.stringMatching(/^[0-9a-f]{24}$/)] });
    expect(polls().length).toBeGreaterThanOrEqual(3);

    await new Promise((r) => setTimeout(r, 800));
    const next = await run(turn({ sessionId, text: 'thanks', state: first.state }), config({ pollIntervalMs: 100 }));
    expect(next.messages).toEqual([
      { type: 'text', text: 'Transfer done: ref 7781' },
      { type: 'text', text: 'You said: thanks' },
    ]);
    expect(next.state).toEqual({ started: true });
    expect(fake.messagePosts().map((r) => bodyOf(r).message.val)).toEqual(['transfer money', 'thanks']);
    // The pending poll went out before the new message.
    const order = fake.requests.slice(-2).map((r) => r.method);
    expect(order).toEqual(['GET', 'POST']);
  });

  it('a pending chain still in progress stays pending beside the new one', async () => {
    const sessionId = randomUUID();
    fake.on('long', { vals: ['Started'], polls: [{ readyAfterMs: 5000, vals: ['very late'] }] });
    const first = await run(turn({ sessionId, text: 'long' }), config({ pollIntervalMs: 100 }), 600);
    const old = (first.state!.pendingPollIds as string[])[0]!;
    const next = await run(turn({ sessionId, text: 'meanwhile', state: first.state }), config({ pollIntervalMs: 100 }), 800);
    expect(next.messages).toEqual([{ type: 'text', text: 'You said: meanwhile' }]);
    expect(next.state).toEqual({ started: true, pendingPollIds: [old] });
  });

  it('a poll failing transiently (5xx) keeps the id for the next turn instead of failing a turn Kore already took', async () => {
    const sessionId = randomUUID();
    fake.on('flaky', { vals: ['Part one'], polls: [{ vals: ['Part two'] }] });
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'status', status: 503 });
    const r = await run(turn({ sessionId, text: 'flaky' }), config({ pollIntervalMs: 100 }));
    expect(r.messages).toEqual([{ type: 'text', text: 'Part one' }]);
    expect(r.state!.pendingPollIds).toHaveLength(1);
    const next = await run(turn({ sessionId, text: 'more', state: r.state }), config({ pollIntervalMs: 100 }));
    expect(next.messages).toEqual([
      { type: 'text', text: 'Part two' },
      { type: 'text', text: 'You said: more' },
    ]);
  });

  it('a poll that hangs past the budget keeps the id too, and the turn still ends within its time', async () => {
    const sessionId = randomUUID();
    fake.on('hang', { vals: ['Part one'], polls: [{ vals: ['Part two'] }] });
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'delay', ms: 3000 });
    const started = Date.now();
    const r = await run(turn({ sessionId, text: 'hang' }), config({ pollIntervalMs: 100 }), 900);
    expect(Date.now() - started).toBeLessThan(900);
    expect(r.messages).toEqual([{ type: 'text', text: 'Part one' }]);
    const next = await run(turn({ sessionId, text: 'more', state: r.state }), config({ pollIntervalMs: 100 }));
    expect(next.messages.map((m) => (m as { text: string }).text)).toEqual(['Part two', 'You said: more']);
  });

  it('a poll refused with 401 is a credentials error', async () => {
    fake.on('p', { vals: ['x'], polls: [{ vals: ['y'] }] });
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'status', status: 401, body: { errors: [{ msg: 'Invalid access token', code: 401 }] } });
    expect(isBackendCredentialsError(await failure(run(turn({ text: 'p' }), config({ pollIntervalMs: 100 }))))).toBe(true);
  });

  it('ignores a poll id or pending state of the wrong shape', async () => {
    fake.fail({ kind: 'status', status: 200, body: { _v: 'v2', data: [{ type: 'text', val: 'ok' }], pollId: { nested: true } } });
    const r = await run(turn({ state: { started: true, pendingPollIds: [42, '../../etc', 'has space'] } }));
    expect(r.messages).toEqual([{ type: 'text', text: 'ok' }]);
    expect(polls()).toHaveLength(0);
  });
});

describe('kore provider: errors', () => {
  it('a wrong client secret is refused by Kore on every call: a credentials error, never retried, reported by the probe', async () => {
    const bad = config({ clientSecret: 'not-the-secret' });
    const e = await failure(run(turn(), bad));
    expect(isBackendCredentialsError(e)).toBe(true);
    expect(e.message).toMatch(/Kore\.ai refused the JWT \(HTTP 401: invalid access token\)/);
    expect(e.message).not.toContain('not-the-secret');
    const p = await failure(provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: bad }));
    expect(isBackendCredentialsError(p)).toBe(true);
    expect(fake.claims).toHaveLength(0);
  });

  it('appId is case-sensitive', async () => {
    expect(isBackendCredentialsError(await failure(run(turn(), config({ clientId: fake.clientId.toUpperCase() }))))).toBe(true);
  });

  it('400 is permanent with Kore’s words; 404 says the URL is wrong; 429 and 504 are transient', async () => {
    fake.fail({ kind: 'status', status: 400, body: { errors: [{ msg: 'Invalid payload', code: 400 }], _v: 'v2' } });
    const bad = await failure(run(turn()));
    expect(bad).toMatchObject({ transient: false, message: 'Kore.ai refused the message (HTTP 400: Invalid payload)' });
    const missing = await failure(run(turn(), config({ webhookUrl: `${fake.origin}/chatbot/v2/webhook/st-nope` })));
    expect(missing).toMatchObject({ transient: false, message: expect.stringContaining('HTTP 404') });
    fake.fail({ kind: 'status', status: 429, body: { errors: [{ msg: 'Too many requests', code: 429 }] }, headers: { 'retry-after': '1' } });
    expect(await failure(run(turn()))).toMatchObject({ transient: true, retryAfterMs: 1000 });
    fake.fail({ kind: 'status', status: 504, body: { errors: [{ msg: 'Request timed out', code: 504 }] } });
    expect((await failure(run(turn()))).transient).toBe(true);
  });

  it('504 then success: the bot caller’s retry answers', async () => {
    const channel = parseChannel({
      id: 'kore-retry',
      genesys: { environment: 'mypurecloud.com' },
      app: { clientId: 'kit-app', clientSecrets: ['kit-secret-0123456789abcdefghijklmnopqrstuvwxyz'] },
      bots: [{ id: 'bot1', name: 'Kore Bot', versions: ['1.0'], languages: ['en-us'], provider: { name: 'kore', timeoutMs: 3000, retries: 1, config: config() } }],
    });
    const registry = new BotProviderRegistry({ allowPrivateNetworks: true });
    registry.register(provider);
    fake.fail({ kind: 'status', status: 504, body: { errors: [{ msg: 'Request timed out', code: 504 }], _v: 'v2' } });
    const outcome = await new BotCaller(registry).call(channel, channel.bots[0]!, turn({ text: 'again' }));
    expect(outcome).toMatchObject({ ok: true, attempts: 2, result: { messages: [{ type: 'text', text: 'You said: again' }] } });
  });
});

describe('kore provider: probe and session end', () => {
  it('the probe proves URL and JWT with a session-closure event for its own user, running no dialog, and warns about surprises', async () => {
    const report = await provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: config() });
    expect(report.detail).toContain('accepted the JWT');
    expect(posts()).toHaveLength(1);
    expect(bodyOf(posts()[0]!)).toMatchObject({ message: { type: 'event', val: 'SESSION_CLOSURE' }, from: { id: KORE_PROBE_USER_ID } });
    expect(fake.messagePosts()).toHaveLength(0);
    expect(report.warnings).toEqual([expect.objectContaining({ problem: expect.stringContaining('no handoff.taskNames'), fix: expect.stringContaining('agent_transfer') })]);

    const both = await provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: config({ handoff: { taskNames: ['Agent'] }, end: { taskNames: [' agent '] } }) });
    expect(both.warnings).toEqual([expect.objectContaining({ problem: expect.stringContaining('"Agent"') })]);
    expect(JSON.stringify([report, both])).not.toContain(fake.clientSecret);
  });

  it('the probe warns when the URL is not a webhook v2 URL', async () => {
    class V1Fake extends KoreFake {
      override get path() {
        return `/chatbot/hooks/${this.streamId}`;
      }
    }
    const v1 = await new V1Fake().start();
    try {
      const report = await provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: { webhookUrl: v1.webhookUrl, clientId: v1.clientId, clientSecret: v1.clientSecret, handoff: { taskNames: ['x'] } } });
      expect(report.warnings).toEqual([expect.objectContaining({ problem: expect.stringContaining('version 2.0'), fix: expect.stringContaining('2.0') })]);
    } finally {
      await v1.close();
    }
  });

  it('the probe counts a 400 to its event as a JWT accepted, and a 5xx as a transient failure', async () => {
    fake.fail({ kind: 'status', status: 400, body: { errors: [{ msg: 'No session found', code: 400 }] } });
    expect((await provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: config() })).detail).toContain('accepted the JWT (HTTP 400');
    fake.fail({ kind: 'status', status: 503 });
    expect((await failure(provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: config() }))).transient).toBe(true);
  });

  it('closes the Kore session of an ended bot session with SESSION_CLOSURE for the same user; nothing when no Kore session was opened; never throws', async () => {
    const sessionId = randomUUID();
    const first = await run(turn({ sessionId }));
    expect(fake.sessions.has(`gc-${sessionId}`)).toBe(true);
    const ended = { channelId: 'kore-spec', botSessionId: sessionId, genesysConversationId: 'conv-42', language: 'en-us', outcome: 'Handoff' as const, state: first.state! };
    await provider.sessionEnded(ended, { signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: config() });
    const close = posts().at(-1)!;
    expect(bodyOf(close)).toMatchObject({ message: { type: 'event', val: 'SESSION_CLOSURE' }, from: { id: `gc-${sessionId}` }, session: { new: false } });
    expect(fake.claims.at(-1)!.sub).toBe(`gc-${sessionId}`);
    expect(fake.sessions.has(`gc-${sessionId}`)).toBe(false);

    const count = fake.requests.length;
    await provider.sessionEnded({ ...ended, state: {} }, { signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: config() });
    expect(fake.requests.length).toBe(count);

    fake.failAlways({ kind: 'reset' });
    await expect(provider.sessionEnded(ended, { signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: config() })).resolves.toBeUndefined();
    fake.failAlways(undefined);
  });
});
