import { DirectLineFake, dl } from '../../../../test/fakes/directline.fake.js';
import { BackendCredentialsError, PermanentBotError, TransientBotError, isBackendCredentialsError } from '../bot-provider.interface.js';
import { validateBotResult } from '../bot-result.validator.js';
import type { BotResult, CanonicalTurn, CanonicalUserInput } from '../canonical.types.js';
import { BackendClient } from '../kit/backend-client.js';
import { providerConfigProblems } from '../kit/provider-config.js';
import { DirectLineBotProvider, bcp47, type DirectLineState } from './directline.provider.js';

type Obj = Record<string, unknown>;

const client = new BackendClient({ allowPrivateNetworks: true });
const provider = new DirectLineBotProvider(client);
let fake: DirectLineFake;

beforeEach(async () => {
  fake = await new DirectLineFake().start();
});
afterEach(() => fake.close());
afterAll(() => client.close());

const cfg = (over: Obj = {}) => ({ secret: fake.secret, baseUrl: fake.origin, quietMs: 200, pollIntervalMs: 100, ...over });

function turn(text: string, over: { sessionId?: string; state?: Obj; input?: Partial<CanonicalUserInput>; language?: string } = {}): CanonicalTurn {
  return {
    turnId: `t-${Math.random().toString(36).slice(2)}`,
    channelId: 'c1',
    bot: { id: 'bot1', name: 'Bot', version: '1.0' },
    session: { id: over.sessionId ?? 'sess-1', genesysConversationId: 'gen-conv-1', turnIndex: 0, state: over.state ?? {}, parameters: { customerTier: 'gold' } },
    language: over.language ?? 'en-us',
    input: { kind: 'text', text, attachments: [], ...over.input },
    seq: 1,
  };
}

const run = (t: CanonicalTurn, config: Obj = cfg(), timeoutMs = 3000) => provider.handleTurn(t, { signal: AbortSignal.timeout(timeoutMs + 500), timeoutMs, config });
const dlState = (r: BotResult) => r.state!.directline as DirectLineState;
const texts = (r: BotResult) => r.messages.map((m) => (m.type === 'text' || m.type === 'quickReplies' || m.type === 'buttons' ? m.text : m.type));
/** The bot answers one scripted list of steps to every message. */
const answers = (...steps: { afterMs?: number; activity: Obj; noReplyTo?: boolean }[]) => (fake.script = () => steps);

describe('directline: conversation, identity and continuation', () => {
  it('creates one conversation on the first turn and posts the customer’s message with a session-derived user id', async () => {
    const r = await run(turn('hello'));
    expect(validateBotResult(r)).toBeTruthy();
    expect(texts(r)).toEqual(['You said: hello']);
    const creates = fake.requests.filter((q) => q.method === 'POST' && q.path === '/v3/directline/conversations');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.headers.authorization).toBe(`Bearer ${fake.secret}`);
    expect(fake.posted()[0]).toEqual({
      type: 'message',
      from: { id: 'sess-1' },
      text: 'hello',
      locale: 'en-US',
      channelData: { genesys: { conversationId: 'gen-conv-1', parameters: { customerTier: 'gold' } } },
    });
    const s = dlState(r);
    expect(s.conversationId).toBe([...fake.conversations.keys()][0]);
    expect(s).toMatchObject({ token: expect.stringMatching(/^dlt\./), watermark: expect.any(String) });
    expect(s.tokenExpiresAt! - Date.now()).toBeGreaterThan(1_700_000);
  });

  it('continues the same conversation on the next turn with its token and watermark, and keeps other state keys', async () => {
    const first = await run(turn('one'));
    const second = await run(turn('two', { state: { ...first.state, mine: 1 } }));
    expect(texts(second)).toEqual(['You said: two']);
    expect(fake.conversations.size).toBe(1);
    const s1 = dlState(first);
    const s2 = dlState(second);
    expect(s2.conversationId).toBe(s1.conversationId);
    expect(second.state!.mine).toBe(1);
    const firstPollOfTurn2 = fake.polls().find((p) => p.path.endsWith(`watermark=${s1.watermark}`));
    expect(firstPollOfTurn2?.headers.authorization).toBe(`Bearer ${s1.token}`);
    expect(Number(s2.watermark)).toBeGreaterThan(Number(s1.watermark));
  });

  it('the same user id for every turn of a session, another for another session; long ids are hashed', async () => {
    await run(turn('a', { sessionId: 's-A' }));
    await run(turn('b', { sessionId: 's-B' }));
    const long = 'x'.repeat(300);
    await run(turn('c', { sessionId: long }));
    const ids = fake.posted().map((a) => (a.from as Obj).id as string);
    expect(ids.slice(0, 2)).toEqual(['s-A', 's-B']);
    expect(ids[2]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sends the payload of a click as the text, and an object payload also as value', async () => {
    await run(turn('Track order', { input: { kind: 'button', text: 'Track order', payload: 'track' } }));
    await run(turn('Size M', { input: { kind: 'button', text: 'Size M', payload: '{"size":"M"}' } }));
    const [a, b] = fake.posted();
    expect(a).toMatchObject({ text: 'track' });
    expect(a!.value).toBeUndefined();
    expect(b).toMatchObject({ text: '{"size":"M"}', value: { size: 'M' } });
  });

  it('writes the locale in BCP 47 casing', () => {
    expect(['en-us', 'de_de', 'zh-hant-tw', 'fr'].map(bcp47)).toEqual(['en-US', 'de-DE', 'zh-Hant-TW', 'fr']);
  });

  it('hands the customer’s attachments to the bot in channelData', async () => {
    await run(turn('', { input: { kind: 'attachment', attachments: [{ kind: 'image', url: 'https://cdn.example.com/p.jpg', mime: 'image/jpeg', filename: 'p.jpg' }] } }));
    expect(fake.posted()[0]!.channelData).toMatchObject({ genesys: { attachments: [{ url: 'https://cdn.example.com/p.jpg', mime: 'image/jpeg', filename: 'p.jpg' }] } });
  });
});

describe('directline: polling until the bot is done (bot-backends §2 and §8)', () => {
  it('collects replies that arrive 150 ms apart after a typing, skips the customer’s echo, polls no faster than every 100 ms', async () => {
    answers({ activity: dl.typing() }, { afterMs: 150, activity: dl.message('first') }, { afterMs: 150, activity: dl.message('second') }, { afterMs: 150, activity: dl.message('third') });
    const r = await run(turn('hi'));
    expect(texts(r)).toEqual(['first', 'second', 'third']);
    // Arrival times at the fake: one late arrival (a busy event loop) shortens the gap after it,
    // so each gap is only bounded loosely (a provider that did not wait would poll within a few
    // ms), and the interval is held over the whole run, where such a delay counts once.
    const times = fake.polls().map((p) => p.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(100 * gaps.length - 30);
  });

  it('stops once the bot has been quiet for quietMs, not at the end of the budget', async () => {
    answers({ afterMs: 100, activity: dl.message('done') });
    const started = Date.now();
    const r = await run(turn('hi'), cfg({ quietMs: 300, pollIntervalMs: 100 }), 4000);
    const took = Date.now() - started;
    expect(texts(r)).toEqual(['done']);
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(1000);
  });

  it('uses the default quiet time and poll interval (600 / 250 ms) when the config omits them', async () => {
    answers({ afterMs: 50, activity: dl.message('ok') });
    const started = Date.now();
    const r = await run(turn('hi'), { secret: fake.secret, baseUrl: fake.origin }, 4000);
    expect(texts(r)).toEqual(['ok']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    const times = fake.polls().map((p) => p.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(240);
  });

  it('replies arriving after the budget are shown first by the next turn, never dropped', async () => {
    answers({ afterMs: 50, activity: dl.message('on time') }, { afterMs: 1400, activity: dl.message('late one') });
    const started = Date.now();
    const first = await run(turn('slow question'), cfg({ quietMs: 2000 }), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(texts(first)).toEqual(['on time']);
    await new Promise((r) => setTimeout(r, 1000));
    fake.script = (a) => [{ afterMs: 50, activity: dl.message(`You said: ${String(a.text)}`) }];
    const second = await run(turn('next', { state: first.state }));
    expect(texts(second)).toEqual(['late one', 'You said: next']);
  });

  it('a bot that says nothing within the budget: an empty answer within the budget, the watermark kept for the next turn', async () => {
    answers();
    const started = Date.now();
    const r = await run(turn('hello?'), cfg(), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.messages).toEqual([]);
    expect(dlState(r).watermark).toBeDefined();
    const times = fake.polls().map((p) => p.at);
    expect(times.length).toBeLessThanOrEqual(10);
  });

  it('the welcome of a new conversation is shown, and does not end the wait for the reply to the message', async () => {
    fake.welcome = [dl.message('Hi, I am the Contoso assistant.')];
    answers({ afterMs: 400, activity: dl.message('Your order ships today.') });
    const r = await run(turn('where is my order'), cfg({ quietMs: 200 }));
    expect(texts(r)).toEqual(['Hi, I am the Contoso assistant.', 'Your order ships today.']);
  });

  it('counts bot activities without from.role and without replyToId; ignores typing, trace, conversationUpdate and unknown events', async () => {
    fake.bot = { id: 'bot-without-role' };
    answers(
      { activity: dl.typing() },
      { activity: { type: 'trace', name: 'debug', value: { x: 1 } } },
      { activity: { type: 'conversationUpdate', membersAdded: [{ id: 'x' }] } },
      { activity: { type: 'event', name: 'something.else', value: { a: 1 } } },
      { afterMs: 100, activity: dl.message('plain reply'), noReplyTo: true },
      { activity: { type: 'invoke', name: 'x' } },
      { activity: { type: 'messageReaction' } },
    );
    const r = await run(turn('hi'));
    expect(r.messages).toEqual([{ type: 'text', text: 'plain reply' }]);
    expect(r.handoff).toBeUndefined();
    expect(r.end).toBeUndefined();
  });

  it('a handoff.initiate after a text: both, the handoff with queue, reason, summary and the va_* context as strings, at once', async () => {
    answers(
      { afterMs: 50, activity: dl.message('Let me get someone for you.') },
      {
        afterMs: 100,
        activity: dl.handoff({ queue: 'Billing', reason: 'customer asked', summary: 'Wants a refund for order 1042', va_Scope: 'external', va_LastTopic: 'Refunds', va_Topics: ['Greeting', 'Refunds'], va_Language: 'en-us', va_Count: 3, va_Flag: true, va_Obj: { a: 1 }, notVa: 'x' }),
      },
      { afterMs: 2000, activity: dl.message('never waited for') },
    );
    const started = Date.now();
    const r = await run(turn('refund please'), cfg({ quietMs: 1500 }));
    expect(Date.now() - started).toBeLessThan(900);
    expect(texts(r)).toEqual(['Let me get someone for you.']);
    expect(r.handoff).toEqual({ queue: 'Billing', reason: 'customer asked', summary: 'Wants a refund for order 1042' });
    expect(r.parameters).toEqual({ va_Scope: 'external', va_LastTopic: 'Refunds', va_Topics: 'Greeting, Refunds', va_Language: 'en-us', va_Count: '3', va_Flag: 'true', va_Obj: '{"a":1}' });
    expect(() => validateBotResult(r)).not.toThrow();
  });

  it('a Copilot Studio transfer without reason uses va_AgentMessage; without anything, a bare handoff', async () => {
    answers({ afterMs: 50, activity: dl.handoff({ va_AgentMessage: 'Customer needs help with a broken device' }) });
    const r = await run(turn('agent'));
    expect(r.handoff).toEqual({ reason: 'Customer needs help with a broken device' });
    fake.script = () => [{ afterMs: 50, activity: { type: 'event', name: 'handoff.initiate', value: 'not an object' } }];
    const bare = await run(turn('agent', { sessionId: 'sess-2' }));
    expect(bare.handoff).toEqual({});
  });

  it('endOfConversation ends, with the words it carries', async () => {
    answers({ afterMs: 50, activity: dl.message('Goodbye!') }, { afterMs: 50, activity: { ...dl.end(), text: 'Conversation closed.' } });
    const r = await run(turn('bye'), cfg({ quietMs: 2000 }));
    expect(r.end).toEqual({});
    expect(texts(r)).toEqual(['Goodbye!', 'Conversation closed.']);
  });
});

describe('directline: expired conversations and tokens', () => {
  it.each([403, 404] as const)('a conversation that answers %d (expired) is replaced once, transparently', async (status) => {
    const first = await run(turn('one'));
    fake.expire(dlState(first).conversationId, status);
    const second = await run(turn('two', { state: first.state }));
    expect(texts(second)).toEqual(['You said: two']);
    expect(dlState(second).conversationId).not.toBe(dlState(first).conversationId);
    expect(fake.conversations.size).toBe(2);
    expect(fake.posted().map((a) => a.text)).toEqual(['one', 'two', 'two']);
  });

  it('a 401 to the conversation’s own token also replaces it; the secret then decides', async () => {
    const first = await run(turn('one'));
    fake.fail({ kind: 'status', status: 401, body: { error: { code: 'BadArgument', message: 'token' } } });
    const second = await run(turn('two', { state: first.state }));
    expect(texts(second)).toEqual(['You said: two']);
    expect(dlState(second).conversationId).not.toBe(dlState(first).conversationId);
  });

  it('is replaced only once: when the new conversation is refused, the credentials are at fault', async () => {
    const first = await run(turn('one'));
    fake.expire(dlState(first).conversationId, 404);
    fake.refuseCredentials(403);
    const before = fake.requests.length;
    await expect(run(turn('two', { state: first.state }))).rejects.toBeInstanceOf(BackendCredentialsError);
    expect(fake.requests.length - before).toBeLessThanOrEqual(2);
  });

  it('refreshes the token once half its life is gone', async () => {
    const first = await run(turn('one'));
    const s = dlState(first);
    const state = { directline: { ...s, tokenRefreshAt: Date.now() - 1 } };
    const second = await run(turn('two', { state }));
    const refresh = fake.requests.filter((q) => q.path === '/v3/directline/tokens/refresh');
    expect(refresh).toHaveLength(1);
    expect(refresh[0]!.headers.authorization).toBe(`Bearer ${s.token}`);
    const s2 = dlState(second);
    expect(s2.token).not.toBe(s.token);
    expect(s2.tokenRefreshAt!).toBeGreaterThan(Date.now());
    expect(texts(second)).toEqual(['You said: two']);
  });

  it('an expired token falls back to the secret; a refused refresh too', async () => {
    const first = await run(turn('one'));
    const s = dlState(first);
    const expired = await run(turn('two', { state: { directline: { ...s, tokenExpiresAt: Date.now() - 1000 } } }));
    expect(texts(expired)).toEqual(['You said: two']);
    expect(dlState(expired).token).toBeUndefined();
    expect(fake.posted().length).toBe(2);
    expect(fake.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/activities')).at(-1)!.headers.authorization).toBe(`Bearer ${fake.secret}`);

    fake.expireTokens(s.conversationId);
    const refused = await run(turn('three', { state: { directline: { ...s, watermark: dlState(expired).watermark, tokenRefreshAt: Date.now() - 1 } } }));
    expect(texts(refused)).toEqual(['You said: three']);
    expect(dlState(refused)).toMatchObject({ conversationId: s.conversationId });
    expect(dlState(refused).token).toBeUndefined();
  });

  it('tolerates a state that is not ours (garbage from an older version): starts a conversation', async () => {
    const r = await run(turn('hi', { state: { directline: { conversationId: 42, token: ['x'] } } }));
    expect(texts(r)).toEqual(['You said: hi']);
  });
});

describe('directline: errors (bot-backends §2)', () => {
  it('400 is permanent', async () => {
    fake.fail({ kind: 'status', status: 400, body: { error: { code: 'BadArgument', message: 'bad' } } });
    const e = await run(turn('x')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermanentBotError);
    expect(isBackendCredentialsError(e)).toBe(false);
  });

  it.each([401, 403])('%d on a new conversation is a credentials error', async (status) => {
    fake.refuseCredentials(status as 401 | 403);
    await expect(run(turn('x'))).rejects.toBeInstanceOf(BackendCredentialsError);
  });

  it('429 is transient and carries Retry-After; 500, 502 and 504 on the post are transient', async () => {
    fake.fail({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'Throttled', message: 'slow down' } } });
    const e = (await run(turn('x')).catch((x: unknown) => x)) as TransientBotError;
    expect(e).toBeInstanceOf(TransientBotError);
    expect(e.retryAfterMs).toBe(1000);
    const first = await run(turn('warm'));
    for (const status of [500, 502, 504]) {
      fake.fail({ kind: 'status', status, body: { error: { code: 'ServiceError', message: 'x' } } });
      await expect(run(turn('x', { state: first.state }))).rejects.toBeInstanceOf(TransientBotError);
    }
  });

  it('a poll failing with a 5xx or a reset after the post is skipped; the next poll gets the replies', async () => {
    const first = await run(turn('warm'));
    answers({ afterMs: 150, activity: dl.message('still answered') });
    // The next turn: post, then its first poll fails twice.
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'status', status: 502, body: { error: { code: 'BotError', message: 'x' } } }, { kind: 'reset' });
    const r = await run(turn('go', { state: first.state }));
    expect(texts(r)).toEqual(['still answered']);
    expect(fake.posted().filter((a) => a.text === 'go')).toHaveLength(1);
  });

  it('a poll answering garbage is a permanent error, never raw JSON', async () => {
    const first = await run(turn('warm'));
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'malformed' });
    await expect(run(turn('go', { state: first.state }))).rejects.toBeInstanceOf(PermanentBotError);
    fake.fail({ kind: 'delay', ms: 0 }, { kind: 'status', status: 200, body: { activities: 'nope' } });
    await expect(run(turn('go', { state: first.state }))).rejects.toThrow(/activity list/);
  });

  it('a new conversation without an id is a permanent error', async () => {
    fake.fail({ kind: 'status', status: 201, body: { token: 'x' } });
    await expect(run(turn('x'))).rejects.toThrow(/without a conversationId/);
  });

  it('never names the secret or a token in an error', async () => {
    fake.refuseCredentials(401);
    const e = (await run(turn('x')).catch((x: unknown) => x)) as Error;
    expect(`${e.message}${e.stack}`).not.toContain(fake.secret);
  });
});

describe('directline: config and probe', () => {
  it('validates its config: secret required, poll interval at least 100 ms, quiet time bounded, unknown keys refused', () => {
    const spec = provider.configSpec;
    expect(providerConfigProblems(spec, { secret: 'abcdefghijkl' }, false)).toEqual([]);
    expect(providerConfigProblems(spec, { secret: 'abcdefghijkl', baseUrl: 'https://europe.directline.botframework.com' }, false)).toEqual([]);
    expect(providerConfigProblems(spec, {}, false).join()).toContain('secret');
    expect(providerConfigProblems(spec, { secret: 'abcdefghijkl', pollIntervalMs: 50 }, false).join()).toContain('pollIntervalMs');
    expect(providerConfigProblems(spec, { secret: 'abcdefghijkl', quietMs: 10 }, false).join()).toContain('quietMs');
    expect(providerConfigProblems(spec, { secret: 'abcdefghijkl', baseUrl: 'http://directline.botframework.com' }, false).join()).toContain('baseUrl');
    expect(providerConfigProblems(spec, { secret: 'abcdefghijkl', extra: 1 }, false).join()).toContain('extra');
    expect(spec.secrets).toEqual(['secret']);
  });

  it('the probe generates a token with the secret (no conversation started) and warns about a short quiet time', async () => {
    const report = await provider.probe({ signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: cfg() });
    expect(report.detail).toContain('accepted the secret');
    expect(report.warnings?.[0]?.problem).toContain('quietMs');
    const gen = fake.requests.filter((q) => q.path === '/v3/directline/tokens/generate');
    expect(gen).toHaveLength(1);
    expect(gen[0]!.headers.authorization).toBe(`Bearer ${fake.secret}`);
    expect(fake.posted()).toHaveLength(0);
    const quiet = await provider.probe({ signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: cfg({ quietMs: 600 }) });
    expect(quiet.warnings).toBeUndefined();
    fake.refuseCredentials(403);
    await expect(provider.probe({ signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: cfg() })).rejects.toBeInstanceOf(BackendCredentialsError);
  });
});
