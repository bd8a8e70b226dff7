import type { Redis } from 'ioredis';
import { tryLock, unlock } from '@app/redis';
import type { SecretBox } from '@app/secrets';
import type { RedisKeys } from '../redis-keys.js';

export type StoredGrant = 'authorization_code' | 'client_credentials';

/** A channel's tokens as kept (sealed) in Redis. */
export interface StoredOAuthTokens {
  grant: StoredGrant;
  accessToken: string;
  /** Rotating: every refresh replaces it. Absent for client credentials. */
  refreshToken?: string;
  /** Epoch ms at which Genesys stops accepting the access token. */
  expiresAt: number;
  obtainedAt: number;
  /** Scopes verified at authorization (tokens/me), for the channel status. */
  scopes?: string[];
  /**
   * The client and hosts the tokens were issued to (GenesysOAuthClient.tokenBinding). Records
   * written before it existed have none and are bound at their next save.
   */
  binding?: string;
}

/** Non-secret OAuth status of a channel, readable by the channel status without SECRETS_KEY. */
export interface ChannelOAuthStatus {
  status: 'reauthorize_needed';
  reason: string;
  at: number;
}

/**
 * A channel's Genesys tokens, sealed with SECRETS_KEY (AES-256-GCM, context
 * `oauth:<channelId>:tokens`, so a sealed value moved to another channel's key does not open),
 * its plain OAuth status, and the lock held by the one process spending a rotating refresh token.
 */
export class OAuthTokenRecords {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
  ) {}

  /** Stores tokens and clears a previous "re-authorize needed" status, together. */
  async save(channelId: string, record: StoredOAuthTokens): Promise<void> {
    await this.redis.multi().set(this.keys.oauthTokens(channelId), this.box.seal(JSON.stringify(record), context(channelId))).del(this.keys.oauthStatus(channelId)).exec();
  }

  async load(channelId: string): Promise<StoredOAuthTokens | undefined> {
    const sealed = await this.redis.get(this.keys.oauthTokens(channelId));
    return sealed === null ? undefined : (JSON.parse(this.box.open(sealed, context(channelId))) as StoredOAuthTokens);
  }

  async status(channelId: string): Promise<ChannelOAuthStatus | undefined> {
    const raw = await this.redis.get(this.keys.oauthStatus(channelId));
    return raw === null ? undefined : (JSON.parse(raw) as ChannelOAuthStatus);
  }

  /** Drops the tokens and records why, together: nothing keeps using a dead grant. */
  async markReauthorizeNeeded(channelId: string, status: ChannelOAuthStatus): Promise<void> {
    await this.redis.multi().del(this.keys.oauthTokens(channelId)).set(this.keys.oauthStatus(channelId), JSON.stringify(status)).exec();
  }

  async clear(channelId: string): Promise<void> {
    await this.redis.del(this.keys.oauthTokens(channelId), this.keys.oauthStatus(channelId), this.keys.oauthRefreshLock(channelId));
  }

  /** The refresh lock's token when taken, undefined while another process holds it. */
  lockRefresh(channelId: string, ttlMs: number): Promise<string | undefined> {
    return tryLock(this.redis, this.keys.oauthRefreshLock(channelId), ttlMs);
  }

  unlockRefresh(channelId: string, token: string): Promise<void> {
    return unlock(this.redis, this.keys.oauthRefreshLock(channelId), token);
  }
}

function context(channelId: string): string {
  return `oauth:${channelId}:tokens`;
}
