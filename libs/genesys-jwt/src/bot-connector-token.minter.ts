import { randomBytes, randomUUID } from 'node:crypto';
import { weakSecretProblem } from '@app/secrets';
import { createBotConnectorJwtService } from './bot-connector-jwt.provider.js';
import { BOT_CONNECTOR_JWT_ALGORITHM, MIN_CLIENT_SECRET_BYTES } from './bot-connector-token.constants.js';

const signer = createBotConnectorJwtService();

export interface BotConnectorAppSecret {
  clientId: string;
  clientSecret: string;
}

export interface MintOptions {
  /** Omit for a non-expiring credential: Genesys replays one static header, so most admins paste one. */
  expiresInSeconds?: number;
  /** Epoch milliseconds; defaults to Date.now(). */
  now?: number;
}

/**
 * Mints the JWT an admin pastes into the Genesys integration's `Authorization` credential
 * (as `bearer <token>`, see bearerCredential).
 */
export function mintBotConnectorToken(app: BotConnectorAppSecret, opts: MintOptions = {}): string {
  if (typeof app.clientId !== 'string' || app.clientId.length === 0) throw new Error('clientId is required');
  assertStrongSecret(app.clientSecret);

  const nowMs = opts.now ?? Date.now();
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new Error('now must be a non-negative epoch millisecond value');
  const iat = Math.floor(nowMs / 1000);

  const payload: { appId: string; iat: number; exp?: number } = { appId: app.clientId, iat };
  if (opts.expiresInSeconds !== undefined) {
    const ttl = opts.expiresInSeconds;
    if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new Error('expiresInSeconds must be a positive integer');
    payload.exp = iat + ttl;
  }

  // jsonwebtoken keeps a caller-supplied iat (it only fills in a missing one), so `now` stays authoritative.
  return signer.sign(payload, { secret: app.clientSecret, algorithm: BOT_CONNECTOR_JWT_ALGORITHM });
}

/** The exact value for the Genesys credential field named `Authorization`. */
export function bearerCredential(token: string): string {
  return `bearer ${token}`;
}

/** 256 random bits, the minimum RFC 7518 §3.2 sets for an HS256 key, as 43 base64url characters. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Not a secret (it travels in every token), only unique; a UUID keeps it unguessable for free. */
export function generateClientId(): string {
  return randomUUID();
}

/**
 * Refuses a secret too weak to key HMAC-SHA256, so a channel configured with one is never served.
 * The message never contains the secret, since it ends up in startup logs.
 */
export function assertStrongSecret(secret: string): void {
  const problem = weakSecretProblem(secret, MIN_CLIENT_SECRET_BYTES);
  if (problem) throw new Error(`client secret ${problem}`);
}
