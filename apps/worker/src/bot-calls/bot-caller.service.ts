import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import {
  BotProviderRegistry,
  type EndedSession,
  InvalidBotResultError,
  validateBotResult,
  type BotResult,
  type CanonicalTurn,
} from '@app/bot-providers';
import type { Channel, ChannelBot } from '@app/channels';
import { BrokenCircuitError } from 'cockatiel';
import { CircuitBreaker } from './circuit-breaker.js';

export type BotCallOutcome =
  | { ok: true; result: BotResult; attempts: number }
  | { ok: false; error: string; attempts: number; circuitOpen?: boolean };

/** The longest Retry-After a retry waits for; longer asks fail the attempt at once. */
const MAX_RETRY_AFTER_MS = 2000;

const isTransient = (e: unknown) => !!e && typeof e === 'object' && (e as { transient?: boolean }).transient === true;

/**
 * Calls a channel's bot provider with a per-attempt timeout, retries transient failures with
 * backoff (the turn id stays the idempotency key), validates what comes back, and keeps a
 * circuit breaker per channel so a dead backend costs no waiting.
 */
@Injectable()
export class BotCaller {
  private readonly logger = new Logger(BotCaller.name);
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly registry: BotProviderRegistry) {}

  breakerState(channelId: string): string {
    for (const [k, b] of this.breakers) if (k.startsWith(`${channelId}:`)) return b.state;
    return 'closed';
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

  async call(channel: Channel, bot: ChannelBot, turn: CanonicalTurn): Promise<BotCallOutcome> {
    const provider = this.registry.get(bot.provider.name);
    if (!provider) return { ok: false, error: `no bot provider named "${bot.provider.name}" is registered`, attempts: 0 };
    // Keyed by the settings too, so a changed threshold or cooldown takes effect at once.
    const breakerKey = `${channel.id}:${channel.circuitBreaker.failureThreshold}:${channel.circuitBreaker.cooldownMs}`;
    let breaker = this.breakers.get(breakerKey);
    if (!breaker) {
      for (const k of this.breakers.keys()) if (k.startsWith(`${channel.id}:`)) this.breakers.delete(k);
      this.breakers.set(breakerKey, (breaker = new CircuitBreaker(channel.circuitBreaker.failureThreshold, channel.circuitBreaker.cooldownMs)));
    }
    let attempts = 0;
    try {
      const result = await breaker.execute(async () => {
        const maxAttempts = 1 + bot.provider.retries;
        for (;;) {
          attempts++;
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), bot.provider.timeoutMs);
          try {
            const raw = await Promise.race([
              provider.handleTurn(turn, { signal: controller.signal, timeoutMs: bot.provider.timeoutMs, config: bot.provider.config }),
              new Promise<never>((_, reject) =>
                controller.signal.addEventListener('abort', () => reject(Object.assign(new Error(`bot timed out after ${bot.provider.timeoutMs} ms`), { transient: true })), { once: true }),
              ),
            ]);
            return validateBotResult(raw);
          } catch (e) {
            const error = e instanceof InvalidBotResultError ? e.message : (e as Error)?.message ?? String(e);
            // A backend asking for more than MAX_RETRY_AFTER_MS gets no retry within this turn's budget.
            const askedWait = (e as { retryAfterMs?: number })?.retryAfterMs;
            const retry = isTransient(e) && attempts < maxAttempts && !(askedWait !== undefined && askedWait > MAX_RETRY_AFTER_MS);
            this.logger.warn({ channelId: channel.id, turnId: turn.turnId, provider: provider.name, attempt: attempts, retry, error }, 'bot call failed');
            if (!retry) throw e;
            await sleep(Math.max(Math.min(100 * 2 ** (attempts - 1), 1000), askedWait ?? 0));
          } finally {
            clearTimeout(timer);
          }
        }
      });
      return { ok: true, result, attempts };
    } catch (e) {
      if (e instanceof BrokenCircuitError) return { ok: false, error: 'circuit open: bot provider failing', attempts: 0, circuitOpen: true };
      return { ok: false, error: (e as Error)?.message ?? String(e), attempts };
    }
  }
}
