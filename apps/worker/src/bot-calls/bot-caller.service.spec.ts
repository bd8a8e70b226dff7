import { Logger } from '@nestjs/common';
import {
  BackendCredentialsError,
  BotProviderRegistry,
  PermanentBotError,
  TransientBotError,
  type BotCallContext,
  type BotProvider,
  type BotResult,
  type CanonicalTurn,
} from '@app/bot-providers';
import { parseChannel, type Channel } from '@app/channels';
import { BotCaller } from './bot-caller.service.js';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

function channel(over: { id?: string; provider?: string; timeoutMs?: number; retries?: number; failureThreshold?: number } = {}): Channel {
  return parseChannel({
    id: over.id ?? 'ch1',
    genesys: { environment: 'mypurecloud.com' },
    app: { clientId: 'app1', clientSecrets: [SECRET] },
    circuitBreaker: { failureThreshold: over.failureThreshold ?? 5, cooldownMs: 60_000 },
    bots: [
      {
        id: 'bot1',
        name: 'Bot One',
        versions: ['1.0'],
        languages: ['en-us'],
        provider: { name: over.provider ?? 'fake', timeoutMs: over.timeoutMs ?? 1000, retries: over.retries ?? 0, config: { answer: 42 } },
      },
    ],
  });
}

const turn = (ch: Channel, n = 1): CanonicalTurn => ({
  turnId: `turn-${n}`,
  channelId: ch.id,
  bot: { id: 'bot1', name: 'Bot One', version: '1.0' },
  session: { id: 'sess-1', turnIndex: n, state: {}, parameters: {} },
  language: 'en-us',
  input: { kind: 'text', text: 'hello', attachments: [] },
  seq: n,
});

const OK: BotResult = { messages: [{ type: 'text', text: 'hi there' }] };

/** A scripted stand-in for an external bot backend: each call runs the next step (the last repeats). */
class ScriptedProvider implements BotProvider {
  readonly calls: { turn: CanonicalTurn; ctx: BotCallContext }[] = [];
  constructor(
    readonly name: string,
    private readonly steps: ((ctx: BotCallContext) => Promise<unknown>)[],
  ) {}
  handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    this.calls.push({ turn, ctx });
    const step = this.steps[Math.min(this.calls.length - 1, this.steps.length - 1)]!;
    return step(ctx) as Promise<BotResult>;
  }
}

const never = () => new Promise<never>(() => undefined);
const answer = (r: unknown) => () => Promise.resolve(r);
const fail = (e: unknown) => () => Promise.reject(e);

function setup(...steps: ((ctx: BotCallContext) => Promise<unknown>)[]) {
  const provider = new ScriptedProvider('fake', steps);
  const registry = new BotProviderRegistry();
  registry.register(provider);
  return { provider, caller: new BotCaller(registry) };
}

beforeAll(() => Logger.overrideLogger(false));

describe('BotCaller', () => {
  it('returns the validated result on success and passes the turn, config and budget', async () => {
    const { provider, caller } = setup(answer({ ...OK, intent: 'Greeting', extra: 'dropped' }));
    const ch = channel({ timeoutMs: 1234 });
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out).toEqual({ ok: true, result: { messages: [{ type: 'text', text: 'hi there' }], intent: 'Greeting' }, attempts: 1 });
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.turn.turnId).toBe('turn-1');
    expect(provider.calls[0]!.ctx.timeoutMs).toBe(1234);
    expect(provider.calls[0]!.ctx.config).toEqual({ answer: 42 });
    expect(provider.calls[0]!.ctx.signal.aborted).toBe(false);
    expect(caller.breakerState(ch.id)).toBe('closed');
  });

  it('gives up on an attempt after timeoutMs and aborts its signal', async () => {
    const { provider, caller } = setup(never);
    const ch = channel({ timeoutMs: 150, retries: 0 });
    const started = Date.now();
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    const took = Date.now() - started;
    expect(out).toMatchObject({ ok: false, attempts: 1 });
    expect(out.ok === false && out.error).toMatch(/timed out after 150 ms/);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2000);
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.ctx.signal.aborted).toBe(true);
  });

  it('treats a timeout as transient and retries it', async () => {
    const { provider, caller } = setup(never, answer(OK));
    const ch = channel({ timeoutMs: 100, retries: 1 });
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out).toEqual({ ok: true, result: OK, attempts: 2 });
    expect(provider.calls).toHaveLength(2);
    expect(provider.calls[0]!.ctx.signal.aborted).toBe(true);
    // Each attempt gets its own, fresh signal.
    expect(provider.calls[1]!.ctx.signal).not.toBe(provider.calls[0]!.ctx.signal);
    expect(provider.calls[1]!.ctx.signal.aborted).toBe(false);
  });

  it('retries TransientBotError up to `retries` extra attempts, then fails with the last error', async () => {
    const { provider, caller } = setup(fail(new TransientBotError('503 one')), fail(new TransientBotError('503 two')), fail(new TransientBotError('503 three')), answer(OK));
    const ch = channel({ retries: 2 });
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out).toEqual({ ok: false, error: '503 three', attempts: 3 });
    expect(provider.calls).toHaveLength(3);
    // The turn id (idempotency key) is the same on every attempt.
    expect(new Set(provider.calls.map((c) => c.turn.turnId))).toEqual(new Set(['turn-1']));
  });

  it('succeeds on a retry after a transient error', async () => {
    const { provider, caller } = setup(fail(new TransientBotError('reset')), answer(OK));
    const ch = channel({ retries: 1 });
    expect(await caller.call(ch, ch.bots[0]!, turn(ch))).toEqual({ ok: true, result: OK, attempts: 2 });
    expect(provider.calls).toHaveLength(2);
  });

  it('treats any error marked transient as transient', async () => {
    const { provider, caller } = setup(fail(Object.assign(new Error('ECONNRESET'), { transient: true })), answer(OK));
    const ch = channel({ retries: 1 });
    expect(await caller.call(ch, ch.bots[0]!, turn(ch))).toMatchObject({ ok: true, attempts: 2 });
    expect(provider.calls).toHaveLength(2);
  });

  it('does not retry PermanentBotError', async () => {
    const { provider, caller } = setup(fail(new PermanentBotError('400 bad request')), answer(OK));
    const ch = channel({ retries: 3 });
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out).toMatchObject({ ok: false, error: '400 bad request' });
    expect(provider.calls).toHaveLength(1);
  });

  it('does not retry plain errors (permanent by default)', async () => {
    const { provider, caller } = setup(fail(new Error('boom')), answer(OK));
    const ch = channel({ retries: 2 });
    expect(await caller.call(ch, ch.bots[0]!, turn(ch))).toMatchObject({ ok: false, error: 'boom' });
    expect(provider.calls).toHaveLength(1);
  });

  it('never retries refused credentials, whatever the retries setting', async () => {
    const { provider, caller } = setup(fail(new BackendCredentialsError('HTTP 401')), answer(OK));
    const ch = channel({ retries: 3 });
    expect(await caller.call(ch, ch.bots[0]!, turn(ch))).toMatchObject({ ok: false, error: 'HTTP 401', attempts: 1 });
    expect(provider.calls).toHaveLength(1);
  });

  it('waits out a Retry-After of up to 2 s before the retry', async () => {
    const { provider, caller } = setup(fail(new TransientBotError('429', { retryAfterMs: 400 })), answer(OK));
    const ch = channel({ retries: 1 });
    const started = Date.now();
    expect(await caller.call(ch, ch.bots[0]!, turn(ch))).toEqual({ ok: true, result: OK, attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(provider.calls).toHaveLength(2);
  });

  it('does not retry when Retry-After asks for more than 2 s', async () => {
    const { provider, caller } = setup(fail(new TransientBotError('429 later', { retryAfterMs: 2001 })), answer(OK));
    const ch = channel({ retries: 2 });
    const started = Date.now();
    expect(await caller.call(ch, ch.bots[0]!, turn(ch))).toMatchObject({ ok: false, error: '429 later', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(500);
    expect(provider.calls).toHaveLength(1);
  });

  it('rejects an invalid bot result without retrying', async () => {
    const { provider, caller } = setup(answer({ messages: [{ type: 'hologram' }] }), answer(OK));
    const ch = channel({ retries: 2 });
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out.ok).toBe(false);
    expect(out.ok === false && out.error).toMatch(/^invalid bot result: .*messages\[0\]\.type/);
    expect(provider.calls).toHaveLength(1);
  });

  it('rejects a non-object bot result', async () => {
    const { caller } = setup(answer('just a string'));
    const ch = channel();
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out).toMatchObject({ ok: false, error: 'invalid bot result: result must be a JSON object' });
  });

  it('reports an unknown provider name without attempts', async () => {
    const { provider, caller } = setup(answer(OK));
    const ch = channel({ provider: 'nobody' });
    const out = await caller.call(ch, ch.bots[0]!, turn(ch));
    expect(out).toEqual({ ok: false, error: 'no bot provider named "nobody" is registered', attempts: 0 });
    expect(provider.calls).toHaveLength(0);
  });

  it('opens the circuit after failureThreshold failed turns and then skips the provider', async () => {
    const { provider, caller } = setup(fail(new TransientBotError('down')));
    const ch = channel({ failureThreshold: 2, retries: 1 });
    const first = await caller.call(ch, ch.bots[0]!, turn(ch, 1));
    expect(first).toMatchObject({ ok: false, error: 'down', attempts: 2 });
    expect(caller.breakerState(ch.id)).toBe('closed');
    await caller.call(ch, ch.bots[0]!, turn(ch, 2));
    expect(provider.calls).toHaveLength(4);
    expect(caller.breakerState(ch.id)).toBe('open');

    const third = await caller.call(ch, ch.bots[0]!, turn(ch, 3));
    expect(third).toEqual({ ok: false, error: 'circuit open: bot provider failing', attempts: 0, circuitOpen: true });
    expect(provider.calls).toHaveLength(4);
  });

  it('keeps one circuit per channel', async () => {
    const { provider, caller } = setup(fail(new PermanentBotError('nope')));
    const a = channel({ id: 'chan-a', failureThreshold: 1 });
    const b = channel({ id: 'chan-b', failureThreshold: 1 });
    await caller.call(a, a.bots[0]!, turn(a));
    expect(caller.breakerState('chan-a')).toBe('open');
    expect(caller.breakerState('chan-b')).toBe('closed');
    expect(await caller.call(a, a.bots[0]!, turn(a))).toMatchObject({ circuitOpen: true });
    const outB = await caller.call(b, b.bots[0]!, turn(b));
    expect(outB.ok === false && outB.circuitOpen).toBeFalsy();
    expect(provider.calls).toHaveLength(2);
  });

  it('a success resets the failure count of the circuit', async () => {
    const { provider, caller } = setup(fail(new PermanentBotError('x')), answer(OK), fail(new PermanentBotError('y')), answer(OK));
    const ch = channel({ failureThreshold: 2 });
    await caller.call(ch, ch.bots[0]!, turn(ch, 1));
    await caller.call(ch, ch.bots[0]!, turn(ch, 2));
    await caller.call(ch, ch.bots[0]!, turn(ch, 3));
    expect(caller.breakerState(ch.id)).toBe('closed');
    expect(await caller.call(ch, ch.bots[0]!, turn(ch, 4))).toMatchObject({ ok: true });
    expect(provider.calls).toHaveLength(4);
  });
});
