import { Logger, type LoggerService } from '@nestjs/common';
import {
  BackendClient,
  BotProviderRegistry,
  isBackendCredentialsError,
  providerConfigProblems,
  validateBotResult,
  type BotProvider,
  type BotResult,
  type CanonicalTurn,
  type CanonicalUserInput,
} from '@app/bot-providers';
import { parseChannel, type Channel } from '@app/channels';
import { BotCaller } from '../../apps/worker/src/bot-calls/bot-caller.service.js';
import type { FakeBackend, RecordedRequest } from '../fakes/fake-backend.js';

/**
 * What a provider brings to the kit: its fake (a real HTTP server speaking the backend's wire
 * format), a good config pointing at it, and how the fake refuses credentials.
 */
export interface ProviderKitSubject<F extends FakeBackend> {
  /** The provider's registered name. */
  name: string;
  startFake(): Promise<F>;
  /** The provider as Nest would build it, given the shared backend client. */
  createProvider(client: BackendClient): BotProvider;
  /** A config that works against the fake. */
  config(fake: F): Record<string, unknown>;
  /** Keys the provider's spec requires (each, when missing, is refused with its name). */
  requiredKeys: string[];
  /** Every secret value in `config(fake)`: none may appear in a log line or an error. */
  secrets(config: Record<string, unknown>): string[];
  /** Makes the fake refuse the credentials from now on (401 or 403, as the backend does). */
  refuseCredentials(fake: F): void;
  /** The idempotency key a request carried, for backends that accept one. */
  idempotencyKey?(req: RecordedRequest): string | undefined;
  /**
   * The requests that carry the customer's message (not token fetches, conversation creation or
   * polls): a fault scripted by the kit lands on the first request of a call, whatever it is.
   */
  isMessageCall(req: RecordedRequest): boolean;
}

export function kitTurn(over: { sessionId?: string; turnId?: string; text?: string; input?: Partial<CanonicalUserInput>; state?: Record<string, unknown>; turnIndex?: number } = {}): CanonicalTurn {
  return {
    turnId: over.turnId ?? `turn-${Math.random().toString(36).slice(2)}`,
    channelId: 'kit',
    bot: { id: 'bot1', name: 'Kit Bot', version: '1.0' },
    session: { id: over.sessionId ?? `sess-${Math.random().toString(36).slice(2)}`, genesysConversationId: 'conv-kit', turnIndex: over.turnIndex ?? 0, state: over.state ?? {}, parameters: { customerTier: 'gold' } },
    language: 'en-us',
    input: { kind: 'text', text: over.text ?? 'hello', attachments: [], ...over.input },
    correlationId: 'corr-kit',
    seq: 1,
  };
}

export function kitChannel(provider: string, config: Record<string, unknown>, over: { timeoutMs?: number; retries?: number; failureThreshold?: number } = {}): Channel {
  return parseChannel({
    id: `kit-${provider}`,
    genesys: { environment: 'mypurecloud.com' },
    app: { clientId: 'kit-app', clientSecrets: ['kit-secret-0123456789abcdefghijklmnopqrstuvwxyz'] },
    circuitBreaker: { failureThreshold: over.failureThreshold ?? 5, cooldownMs: 60_000 },
    bots: [{ id: 'bot1', name: 'Kit Bot', versions: ['1.0'], languages: ['en-us'], provider: { name: provider, timeoutMs: over.timeoutMs ?? 3000, retries: over.retries ?? 0, config } }],
  });
}

/** Everything Nest's Logger is given while a test runs, as text. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private push(...args: unknown[]) {
    this.lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)))).join(' '));
  }
  log = (...a: unknown[]) => this.push(...a);
  error = (...a: unknown[]) => this.push(...a);
  warn = (...a: unknown[]) => this.push(...a);
  debug = (...a: unknown[]) => this.push(...a);
  verbose = (...a: unknown[]) => this.push(...a);
  fatal = (...a: unknown[]) => this.push(...a);
}

const call = (provider: BotProvider, turn: CanonicalTurn, config: Record<string, unknown>, timeoutMs = 3000, signal?: AbortSignal) =>
  provider.handleTurn(turn, { signal: signal ?? AbortSignal.timeout(timeoutMs), timeoutMs, config });

/**
 * The contract every bot provider passes (issue 10 §5), run against the provider and its fake:
 * timeouts are transient, a retry carries the same idempotency key, a malformed or oversized answer
 * is a clean permanent error, refused credentials are a config error the doctor reports and are not
 * retried, the circuit breaker opens, the signal is honoured, and no secret reaches a log or error.
 */
export function describeProviderKit<F extends FakeBackend>(subject: ProviderKitSubject<F>): void {
  describe(`provider kit: ${subject.name}`, () => {
    let fake: F;
    let client: BackendClient;
    let provider: BotProvider;
    let config: Record<string, unknown>;
    const logger = new CapturingLogger();
    const errors: string[] = [];

    beforeAll(async () => {
      Logger.overrideLogger(logger);
      client = new BackendClient({ allowPrivateNetworks: true });
    });
    beforeEach(async () => {
      fake = await subject.startFake();
      provider = subject.createProvider(client);
      config = subject.config(fake);
    });
    afterEach(async () => {
      await fake.close();
    });
    afterAll(() => {
      client.close();
      Logger.overrideLogger(false);
      const everything = [...logger.lines, ...errors].join('\n');
      for (const s of subject.secrets(subject.config(fake))) expect(everything).not.toContain(s);
    });

    const caller = (channel: Channel) => {
      const registry = new BotProviderRegistry({ allowPrivateNetworks: true });
      registry.register(provider);
      return new BotCaller(registry);
    };
    const failing = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        errors.push(String((e as Error).message), String((e as Error).stack));
        return e as Error & { transient?: boolean };
      }
      throw new Error('expected the call to fail');
    };

    it('has a config spec: the good config passes, each required key is refused by name', () => {
      expect(provider.name).toBe(subject.name);
      expect(provider.configSpec).toBeDefined();
      expect(providerConfigProblems(provider.configSpec!, config, true)).toEqual([]);
      for (const key of subject.requiredKeys) {
        const { [key]: _, ...without } = config;
        const problems = providerConfigProblems(provider.configSpec!, without, true);
        expect(problems.some((p) => p.includes(key))).toBe(true);
      }
      expect(providerConfigProblems(provider.configSpec!, { ...config, surpriseKey: 1 }, true).some((p) => p.includes('surpriseKey'))).toBe(true);
      for (const path of provider.configSpec!.urls) expect(provider.configSpec!.fields.some((f) => f.key === path)).toBe(true);
    });

    it('refuses plain http and loopback URLs unless private networks are allowed', () => {
      if (!provider.configSpec!.urls.length) return;
      const problems = providerConfigProblems(provider.configSpec!, config, false);
      expect(problems.length).toBeGreaterThan(0);
    });

    it('answers a text turn with a valid result', async () => {
      const result = await call(provider, kitTurn(), config);
      expect(() => validateBotResult(result)).not.toThrow();
      expect((result as BotResult).messages.length).toBeGreaterThan(0);
      expect(fake.requests.some((r) => subject.isMessageCall(r))).toBe(true);
    });

    it('a backend slower than the attempt is a transient error, within the attempt’s time', async () => {
      fake.failAlways({ kind: 'delay', ms: 2500 });
      const started = Date.now();
      const e = await failing(call(provider, kitTurn(), config, 600));
      expect(e.transient).toBe(true);
      expect(Date.now() - started).toBeLessThan(600 + 400);
      fake.failAlways(undefined);
    });

    it('honours the abort signal', async () => {
      fake.failAlways({ kind: 'delay', ms: 2500 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 150);
      const started = Date.now();
      await failing(call(provider, kitTurn(), config, 3000, ac.signal));
      expect(Date.now() - started).toBeLessThan(1000);
      fake.failAlways(undefined);
    });

    it('5xx and 429 are transient; the bot caller’s retry succeeds and carries the same idempotency key', async () => {
      for (const status of [500, 502, 503, 504, 429]) {
        fake.fail({ kind: 'status', status, body: { error: { code: status, message: 'scripted' } } });
        const e = await failing(call(provider, kitTurn(), config));
        expect(e.transient).toBe(true);
      }
      const turn = kitTurn();
      const channel = kitChannel(subject.name, config, { retries: 1 });
      const before = fake.requests.length;
      fake.fail({ kind: 'status', status: 503 });
      const outcome = await caller(channel).call(channel, channel.bots[0]!, turn);
      expect(outcome).toMatchObject({ ok: true, attempts: 2 });
      if (subject.idempotencyKey) {
        const keys = fake.requests.slice(before).filter((r) => subject.isMessageCall(r)).map((r) => subject.idempotencyKey!(r));
        expect(keys.length).toBeGreaterThanOrEqual(1);
        for (const k of keys) expect(k).toBe(turn.turnId);
      }
    });

    it('a connection reset is transient', async () => {
      fake.fail({ kind: 'reset' });
      expect((await failing(call(provider, kitTurn(), config))).transient).toBe(true);
    });

    it('a malformed or oversized answer is a clean permanent error', async () => {
      for (const kind of ['malformed', 'oversized'] as const) {
        fake.failAlways({ kind });
        const e = await failing(call(provider, kitTurn(), config));
        expect({ kind, transient: e.transient, message: e.message }).toMatchObject({ kind, transient: false });
        expect(e.message).not.toMatch(/not json"|padding|xxxxxxxx/);
      }
      fake.failAlways(undefined);
    });

    it('refused credentials are a config error: not retried, reported by the probe', async () => {
      subject.refuseCredentials(fake);
      const e = await failing(call(provider, kitTurn(), config));
      expect(isBackendCredentialsError(e)).toBe(true);
      const channel = kitChannel(subject.name, config, { retries: 2 });
      const outcome = await caller(channel).call(channel, channel.bots[0]!, kitTurn());
      expect(outcome).toMatchObject({ ok: false, attempts: 1 });
      expect(provider.probe).toBeDefined();
      const p = await failing(provider.probe!({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config }));
      expect(isBackendCredentialsError(p)).toBe(true);
    });

    it('the probe reports a reachable backend with accepted credentials', async () => {
      const report = await provider.probe!({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config });
      expect(report.detail).toEqual(expect.any(String));
      for (const s of subject.secrets(config)) expect(JSON.stringify(report)).not.toContain(s);
    });

    it('the circuit breaker opens after repeated failures and then costs the backend nothing', async () => {
      fake.failAlways({ kind: 'status', status: 500 });
      const channel = kitChannel(subject.name, config, { failureThreshold: 2 });
      const c = caller(channel);
      for (let i = 0; i < 2; i++) expect(await c.call(channel, channel.bots[0]!, kitTurn())).toMatchObject({ ok: false });
      const seen = fake.requests.length;
      expect(await c.call(channel, channel.bots[0]!, kitTurn())).toMatchObject({ ok: false, circuitOpen: true, attempts: 0 });
      expect(fake.requests.length).toBe(seen);
      fake.failAlways(undefined);
    });
  });
}
