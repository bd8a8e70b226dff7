/** Codes this client sets itself when Genesys gave none (network trouble, unreadable answers). */
export type GenesysApiLocalCode = 'timeout' | 'network_error' | 'bad_response' | 'redirect_refused';

export interface GenesysApiErrorInit {
  status: number;
  /** Genesys' error `code` (`session.not.found`, `missing.permissions`, …) or a local code. */
  code: string;
  message: string;
  method: string;
  /** The request path without query string. */
  path: string;
  transient: boolean;
  attempts: number;
  retryAfterMs?: number;
  correlationId?: string;
  /** Genesys' `contextId`: what Genesys support asks for. */
  contextId?: string;
  /**
   * A non-idempotent request (POST) failed in a way that does not tell whether Genesys acted on
   * it (timeout, reset, 500/502/504). It was not retried; resending may duplicate a message.
   */
  outcomeUnknown?: boolean;
}

/**
 * A Genesys Platform API call that failed. Carries nothing from the request (no headers, no
 * body): only what Genesys answered and where, so it is safe to log and to show an admin.
 */
export class GenesysApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly method: string;
  readonly path: string;
  readonly transient: boolean;
  readonly attempts: number;
  readonly retryAfterMs?: number;
  readonly correlationId?: string;
  readonly contextId?: string;
  readonly outcomeUnknown: boolean;

  constructor(init: GenesysApiErrorInit) {
    super(init.message);
    this.name = 'GenesysApiError';
    this.status = init.status;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.transient = init.transient;
    this.attempts = init.attempts;
    this.retryAfterMs = init.retryAfterMs;
    this.correlationId = init.correlationId;
    this.contextId = init.contextId;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

/** The channel has no `genesys.oauth`, so the gateway has no way to call the Genesys API for it. */
export class GenesysNotConnectedError extends Error {
  readonly code = 'genesys_not_connected';
  constructor(
    readonly channelId: string,
    why = 'has no genesys.oauth configuration, so the gateway cannot call the Genesys API for it. Add an OAuth client (client_credentials recommended) to the channel.',
  ) {
    super(`Channel "${channelId}" ${why}`);
    this.name = 'GenesysNotConnectedError';
  }
}
