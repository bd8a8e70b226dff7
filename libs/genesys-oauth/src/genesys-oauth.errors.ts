/**
 * What went wrong talking to Genesys OAuth, as a closed set the callback page and the channel
 * status can turn into exact advice. Messages never contain tokens, codes or secrets.
 */
export type GenesysOAuthErrorCode =
  /** Code or refresh token refused (expired, used, revoked): the admin must authorize again. */
  | 'invalid_grant'
  /** The admin (or org policy) declined the authorization. */
  | 'access_denied'
  /** redirect_uri differs from the registered one / the one used at authorization. */
  | 'redirect_mismatch'
  /** The OAuth client is not enabled for this grant. */
  | 'unauthorized_client'
  /** Wrong client id or secret. */
  | 'invalid_client'
  /** The token was accepted but lacks a scope the gateway needs. */
  | 'missing_scope'
  /** An access token was refused by the API (401). */
  | 'invalid_token'
  | 'rate_limited'
  | 'timeout'
  | 'network'
  | 'server_error'
  | 'bad_response'
  | 'invalid_request';

export class GenesysOAuthError extends Error {
  constructor(
    readonly code: GenesysOAuthErrorCode,
    message: string,
    readonly details: { status?: number; oauthError?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'GenesysOAuthError';
  }

  /** Nothing but a new authorization by an admin fixes this. */
  get reauthorizeRequired(): boolean {
    return this.code === 'invalid_grant' || this.code === 'access_denied' || this.code === 'missing_scope';
  }

  /** Worth trying again later without human action. */
  get transient(): boolean {
    return this.code === 'rate_limited' || this.code === 'timeout' || this.code === 'network' || this.code === 'server_error';
  }
}

/** The state of an authorization round trip is unknown, expired or already used. */
export class OAuthStateError extends Error {
  constructor(
    readonly code: 'malformed' | 'unknown_or_expired',
    message: string,
  ) {
    super(message);
    this.name = 'OAuthStateError';
  }
}

/** The channel's grant is gone (revoked refresh token, never authorized): an admin must authorize it again. */
export class ReauthorizationRequiredError extends Error {
  readonly reauthorizeRequired = true;
  constructor(
    readonly channelId: string,
    readonly reason: string,
  ) {
    super(`Genesys OAuth for channel "${channelId}" needs to be re-authorized: ${reason}. An admin must open /api/channels/${channelId}/oauth/authorize again.`);
    this.name = 'ReauthorizationRequiredError';
  }
}
