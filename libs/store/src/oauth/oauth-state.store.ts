import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { SecretBox } from '@app/secrets';
import { OAuthStateError } from '@app/genesys-oauth/genesys-oauth.errors.js';
import { PKCE_VERIFIER_PATTERN } from '@app/genesys-oauth/pkce.js';

/** What an authorization round trip is bound to; returned once, at the callback. */
export interface OAuthStateRecord {
  channelId: string;
  adminId: string;
  redirectUri: string;
  /** PKCE verifier when PKCE is on for the channel. */
  codeVerifier?: string;
  createdAt: number;
}

export interface OAuthStateStoreOptions {
  /** How long the admin has to finish the login; default 10 min. */
  ttlMs?: number;
}

/** 32 random bytes → 43 base64url characters: 256 bits, unguessable, so lookup by key is safe. */
const STATE_BYTES = 32;
const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * OAuth `state` values in Redis. The state is the key, so an attacker would have to guess 256
 * bits; GETDEL makes it single use even with two callbacks racing on two ingress processes; the
 * record (with the PKCE verifier) is sealed, since a verifier plus a leaked code is a grant.
 */
export class OAuthStateStore {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
    options: OAuthStateStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1 || this.ttlMs > 3_600_000) throw new RangeError('OAuth state TTL must be 1 ms .. 1 h');
  }

  async create(input: Omit<OAuthStateRecord, 'createdAt'>): Promise<{ state: string; expiresAt: number }> {
    if (!input.channelId || !input.adminId || !input.redirectUri) throw new TypeError('channelId, adminId and redirectUri are required');
    if (input.codeVerifier !== undefined && !PKCE_VERIFIER_PATTERN.test(input.codeVerifier)) throw new RangeError('invalid PKCE code verifier');
    const state = randomBytes(STATE_BYTES).toString('base64url');
    const record: OAuthStateRecord = { ...input, createdAt: Date.now() };
    const sealed = this.box.seal(JSON.stringify(record), this.context(state));
    // NX: a collision of 256-bit values will not happen, but never overwrite a pending state anyway.
    const ok = await this.redis.set(this.keys.oauthState(state), sealed, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') throw new Error('OAuth state collision');
    return { state, expiresAt: record.createdAt + this.ttlMs };
  }

  /** Returns the record and deletes it in one step; a second call with the same state fails. */
  async consume(state: unknown): Promise<OAuthStateRecord> {
    if (typeof state !== 'string' || !STATE_PATTERN.test(state)) throw new OAuthStateError('malformed', 'The authorization state is missing or malformed; start the authorization again.');
    const sealed = await this.redis.getdel(this.keys.oauthState(state));
    if (sealed === null) throw new OAuthStateError('unknown_or_expired', 'The authorization state is unknown, expired or was already used; start the authorization again.');
    return JSON.parse(this.box.open(sealed, this.context(state))) as OAuthStateRecord;
  }

  private context(state: string): string {
    return `oauth:state:${state}`;
  }
}
