import type { BotResult, CanonicalTurn } from './canonical.types.js';
import type { ProviderConfigSpec } from './kit/provider-config.js';

/** Per-call context given by the worker: the time budget and an abort signal tied to it. */
export interface BotCallContext {
  signal: AbortSignal;
  /** Milliseconds the provider may use before the worker gives up on it. */
  timeoutMs: number;
  /** Provider configuration from the channel (`bots[].provider.config`), validated against the provider's spec. */
  config: Record<string, unknown>;
}

/** Context of a call that is not a customer turn (the setup doctor's probe, a session closure). */
export interface BackendCallContext {
  signal: AbortSignal;
  timeoutMs: number;
  config: Record<string, unknown>;
}

/** What the setup doctor learns from one harmless call to the backend. */
export interface ProbeReport {
  /** One line for the admin: what was called and what it answered (never a secret). */
  detail: string;
  /** Things that work but will surprise (a model the key cannot see, a default the backend ignores), each with its fix. */
  warnings?: { problem: string; fix: string }[];
}

/** How a bot session ended, for providers whose backend keeps a session of its own (Kore's SESSION_CLOSURE). */
export interface EndedSession {
  channelId: string;
  botSessionId: string;
  genesysConversationId?: string;
  language: string;
  /** `Complete` (the bot or the customer ended it), `Handoff` (to an agent) or `Failed`. */
  outcome: 'Complete' | 'Handoff' | 'Failed';
  /** The bot state of the session's last turn. */
  state: Record<string, unknown>;
}

/**
 * A bot backend. Implement this, register it with `BotProvidersModule.forRoot({ providers: [...] })`
 * under a unique `name`, and point a channel's bot at that name (docs/providers/writing-a-provider.md).
 */
export interface BotProvider {
  readonly name: string;
  /**
   * The provider's config: a class-validator class checked when a channel is loaded or changed
   * (never turn by turn), which keys are secrets (sealed at rest, never shown back) and which are URLs
   * (checked by the network guard). Without it, any object is accepted and nothing is sealed.
   */
  readonly configSpec?: ProviderConfigSpec;
  handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult>;
  /** One harmless call to the backend for the setup doctor; throws like handleTurn when it fails. */
  probe?(ctx: BackendCallContext): Promise<ProbeReport>;
  /** Called once, best effort, after the gateway ended a bot session; must not throw. */
  sessionEnded?(session: EndedSession, ctx: BackendCallContext): Promise<void>;
}

/**
 * Thrown by providers for failures worth retrying (timeouts, 5xx, connection resets). Anything
 * else is treated as permanent for this turn.
 */
export class TransientBotError extends Error {
  readonly transient = true;
  /** Milliseconds the backend asked us to wait (Retry-After), when it said so. */
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.name = 'TransientBotError';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export class PermanentBotError extends Error {
  readonly transient = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentBotError';
  }
}

/**
 * The backend refused the configured credentials (401/403): a configuration problem, never retried,
 * and what the setup doctor reports as "credential refused".
 */
export class BackendCredentialsError extends PermanentBotError {
  readonly credentials = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendCredentialsError';
  }
}

export const isBackendCredentialsError = (e: unknown): e is BackendCredentialsError => !!e && typeof e === 'object' && (e as { credentials?: unknown }).credentials === true;
