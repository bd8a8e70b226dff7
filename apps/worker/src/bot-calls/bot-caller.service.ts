import { Injectable, Logger } from '@nestjs/common';
import { BotProviderRegistry, type EndedSession, validateBotResult, type BotResult, type CanonicalTurn } from '@app/bot-providers';
import type { Channel, ChannelBot } from '@app/channels';
import {
  BrokenCircuitError,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { SpanAttributes, SpanKind, SpanNames, inSpan, type Context } from '@app/observability';
import { CircuitBreaker } from './circuit-breaker.js';

export type BotCallOutcome =
  | { ok: true; result: BotResult; attempts: number }
  | { ok: false; error: string; attempts: number; circuitOpen?: boolean };

/** The longest Retry-After a retry waits for; longer asks fail the attempt at once. */
const MAX_RETRY_AFTER_MS = 2000;

const retryAfterOf = (e: unknown) => (e as { retryAfterMs?: number } | undefined)?.retryAfterMs;

/** Only errors marked transient are retried (BackendCredentialsError and other permanent ones never), and not when the backend asks for a longer wait than a turn can afford. */
const retryable = (e: unknown) => !!e && typeof e === 'object' && (e as { transient?: boolean }).transient === true && !((retryAfterOf(e) ?? 0) > MAX_RETRY_AFTER_MS);

/** 100 ms doubling to 1 s without jitter (a turn has seconds, not minutes), or the backend's Retry-After when it is longer. */
const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>(({ attempt, result }) =>
  Math.max(Math.min(100 * 2 ** (attempt - 1), 1000), ('error' in result && retryAfterOf(result.error)) || 0),
);

const timedOut = (ms: number) => Object.assign(new Error(`bot timed out after ${ms} ms`), { transient: true });

type AttemptPolicies = { retry: RetryPolicy; timeout: TimeoutPolicy };

/**
 * Calls a channel's bot provider with a per-attempt timeout, retries transient failures with
 * backoff (the turn id stays the idempotency key), validates what comes back, and keeps a
 * circuit breaker per channel so a dead backend costs no waiting.
 */
@Injectable()
export class BotCaller {
  private readonly logger = new Logger(BotCaller.name);
  private readonly breakers = new Map<string, { failureThreshold: number; cooldownMs: number; breaker: CircuitBreaker }>();
  /** Keyed by timeoutMs * 8 + retries (at most 5): a few entries, shared by every bot with the same settings. */
  private readonly attemptPolicies = new Map<number, AttemptPolicies>();

  constructor(private readonly registry: BotProviderRegistry) {}

  breakerState(channelId: string): string {
    return this.breakers.get(channelId)?.breaker.state ?? 'closed';
  }

  /** Tells the provider a bot session ended (best effort, bounded, never throws). */
  async sessionEnded(channel: Channel, bot: ChannelBot, session: EndedSession): Promise<void> {
    const provider = this.registry.get(bot.provider.name);
    if (!provider?.sessionEnded) return;
    const timeoutMs = Math.min(bot.provider.timeoutMs, 5000);
    try {
      await provider.sessionEnded(session, { signal: AbortSignal.timeout(timeoutMs), timeoutMs, config: bot.provider.config });
    } catch (e) {
      this.logger.warn({ channelId: channel.id, provider: provider.name, error: (e as Error)?.message }, 'telling the bot backend the session ended failed');
    }
  }

  /** `traceContext`: the turn's span, parent of one `bot.call` span per attempt. */
  async call(channel: Channel, bot: ChannelBot, turn: CanonicalTurn, traceContext?: Context): Promise<BotCallOutcome> {
    const provider = this.registry.get(bot.provider.name);
    if (!provider) return { ok: false, error: `no bot provider named "${bot.provider.name}" is registered`, attempts: 0 };
    const { timeoutMs, retries, config } = bot.provider;
    const policies = this.attemptPoliciesFor(timeoutMs, retries);
    let attempts = 0;
    try {
      const result = await this.breakerFor(channel).execute(() =>
        policies.retry.execute(async ({ attempt }) => {
          attempts = attempt + 1;
          try {
            // The same turn (and so the same turn id, the idempotency key) goes out on every attempt.
            return await inSpan(SpanNames.botCall, { kind: SpanKind.CLIENT, parent: traceContext, attributes: { [SpanAttributes.provider]: provider.name, [SpanAttributes.attempt]: attempts } }, async () =>
              validateBotResult(await policies.timeout.execute(({ signal }) => provider.handleTurn(turn, { signal, timeoutMs, config }))),
            );
          } catch (e) {
            const error = e instanceof TaskCancelledError ? timedOut(timeoutMs) : e;
            const willRetry = attempt < retries && retryable(error);
            this.logger.warn({ channelId: channel.id, turnId: turn.turnId, provider: provider.name, attempt: attempts, retry: willRetry, error: (error as Error)?.message ?? String(error) }, 'bot call failed');
            throw error;
          }
        }),
      );
      return { ok: true, result, attempts };
    } catch (e) {
      if (e instanceof BrokenCircuitError) return { ok: false, error: 'circuit open: bot provider failing', attempts: 0, circuitOpen: true };
      return { ok: false, error: (e as Error)?.message ?? String(e), attempts };
    }
  }

  /** A changed threshold or cooldown takes effect at once, with a fresh circuit. */
  private breakerFor(channel: Channel): CircuitBreaker {
    const { failureThreshold, cooldownMs } = channel.circuitBreaker;
    const known = this.breakers.get(channel.id);
    if (known?.failureThreshold === failureThreshold && known.cooldownMs === cooldownMs) return known.breaker;
    const breaker = new CircuitBreaker(failureThreshold, cooldownMs);
    this.breakers.set(channel.id, { failureThreshold, cooldownMs, breaker });
    return breaker;
  }

  private attemptPoliciesFor(timeoutMs: number, retries: number): AttemptPolicies {
    const key = timeoutMs * 8 + retries;
    let policies = this.attemptPolicies.get(key);
    if (!policies) {
      policies = {
        retry: retry(handleWhen(retryable), { maxAttempts: retries, backoff }),
        // Aggressive: a backend that ignores the abort signal still cannot hold the turn; the signal stays unaborted after a success, as providers expect.
        timeout: timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
      };
      this.attemptPolicies.set(key, policies);
    }
    return policies;
  }
}
