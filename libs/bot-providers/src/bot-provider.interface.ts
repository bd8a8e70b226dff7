import type { BotResult, CanonicalTurn } from './canonical.types.js';

/** Per-call context given by the worker: the time budget and an abort signal tied to it. */
export interface BotCallContext {
  signal: AbortSignal;
  /** Milliseconds the provider may use before the worker gives up on it. */
  timeoutMs: number;
  /** Provider configuration from the channel file (`bots[].provider.config`). */
  config: Record<string, unknown>;
}

/**
 * A bot backend. Implement this, register it with `BotProvidersModule.forRoot({ providers: [...] })`
 * under a unique `name`, and point a channel's bot at that name.
 */
export interface BotProvider {
  readonly name: string;
  handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult>;
}

/**
 * Thrown by providers for failures worth retrying (timeouts, 5xx, connection resets). Anything
 * else is treated as permanent for this turn.
 */
export class TransientBotError extends Error {
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientBotError';
  }
}

export class PermanentBotError extends Error {
  readonly transient = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentBotError';
  }
}
