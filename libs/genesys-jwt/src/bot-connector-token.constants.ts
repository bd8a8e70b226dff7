/**
 * Bounds for the Bot Connector credential (reference perf-reliability.md §3.1, §3.8).
 */

/**
 * A legitimate token is a few hundred characters; 8 KB leaves room for extra claims while keeping
 * hostile input from reaching JSON parsing or HMAC work.
 */
export const MAX_BOT_CONNECTOR_TOKEN_LENGTH = 8 * 1024;

/**
 * Genesys and the gateway do not share a clock; RFC 8725 practice is a small leeway on exp/nbf only.
 */
export const BOT_CONNECTOR_CLOCK_SKEW_SECONDS = 30;

/**
 * RFC 7518 §3.2 requires an HS256 key of at least 256 bits; shorter secrets are brute-forceable offline
 * from a single captured token (hashcat mode 16500).
 */
export const MIN_CLIENT_SECRET_BYTES = 32;

/**
 * NumericDate upper bound (9999-12-31T23:59:59Z): anything beyond it is a bogus "never expires" value,
 * not a date an admin meant.
 */
export const MAX_NUMERIC_DATE_SECONDS = 253_402_300_799;

/** The only algorithm accepted; pinned per RFC 8725 §3.1 so no header can pick another. */
export const BOT_CONNECTOR_JWT_ALGORITHM = 'HS256' as const;
