/**
 * Domain errors carry a code; each HTTP surface maps codes to statuses once, in its exception
 * filter. Services never throw HTTP exceptions.
 */
export type GatewayErrorCode =
  | 'channel_not_found'
  | 'bot_not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'invalid_credentials'
  | 'rate_limited'
  | 'invalid_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'conflict'
  /** The resource is defined in a file (CHANNELS_FILE) and is changed there, not through the API. */
  | 'managed_by_file'
  | 'upstream_error'
  | 'overloaded'
  | 'unavailable'
  | 'internal';

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    /** Safe, field-level details for the client (never values, never internals). */
    readonly details?: string[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const GATEWAY_ERROR_STATUS: Record<GatewayErrorCode, number> = {
  channel_not_found: 404,
  bot_not_found: 404,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  invalid_credentials: 401,
  rate_limited: 429,
  invalid_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  conflict: 409,
  managed_by_file: 409,
  upstream_error: 502,
  overloaded: 503,
  unavailable: 503,
  internal: 500,
};
