import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelOAuthStatus, OAuthTokenRecords, StoredGrant, StoredOAuthTokens } from '@app/store';
import type { GenesysOAuthClient, OAuthLogger, OAuthTokens } from './genesys-oauth.client.js';
import { GenesysOAuthError, ReauthorizationRequiredError } from './genesys-oauth.errors.js';

export interface GenesysTokenStoreOptions {
  /** Refresh this long before expiry; default 60 s. */
  refreshSkewMs?: number;
  /**
   * Lifetime of the refresh lock. Must exceed the longest refresh call (timeout plus a honoured
   * Retry-After): if it expired mid-refresh, a second process would present the same rotating
   * refresh token and Genesys would revoke the whole grant. Default 60 s.
   */
  lockTtlMs?: number;
  /** How long a process waits for another one's refresh before giving up; default lockTtlMs + 5 s. */
  waitTimeoutMs?: number;
  /** How often a waiter re-reads the store; default 50 ms. */
  pollMs?: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
  logger?: OAuthLogger;
}

/**
 * Genesys OAuth tokens per channel, sealed with SECRETS_KEY (AES-256-GCM, context
 * `oauth:<channelId>:tokens`, so a sealed value moved to another channel's key does not open).
 *
 * Refresh is single-flight across processes: Genesys rotates refresh tokens and treats a reused
 * one as theft (the whole grant is revoked), so exactly one process may spend the current
 * refresh token. It takes `oauthRefreshLock(channelId)` with SET NX PX; the others poll the store
 * until the new tokens appear. Within one process concurrent callers share one promise.
 */
export class GenesysTokenStore {
  private readonly skewMs: number;
  private readonly lockTtlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly records: OAuthTokenRecords,
    private readonly options: GenesysTokenStoreOptions = {},
  ) {
    this.skewMs = options.refreshSkewMs ?? 60_000;
    this.lockTtlMs = options.lockTtlMs ?? 60_000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? this.lockTtlMs + 5_000;
    this.pollMs = options.pollMs ?? 50;
    this.now = options.now ?? Date.now;
    if (this.skewMs < 0 || this.lockTtlMs < 100 || this.pollMs < 1) throw new RangeError('invalid token store timing options');
  }

  /** Stores tokens from a token endpoint answer, bound to the client that obtained them; clears a previous "re-authorize needed" status. */
  async save(channelId: string, tokens: OAuthTokens, grant: StoredGrant, client: Pick<GenesysOAuthClient, 'tokenBinding'>, scopes?: string[]): Promise<StoredOAuthTokens> {
    const now = this.now();
    const record: StoredOAuthTokens = { grant, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: now + tokens.expiresIn * 1000, obtainedAt: now, scopes, binding: client.tokenBinding };
    await this.records.save(channelId, record);
    return record;
  }

  load(channelId: string): Promise<StoredOAuthTokens | undefined> {
    return this.records.load(channelId);
  }

  /** The channel's tokens when they belong to this client (and its hosts); undefined otherwise. */
  async loadFor(channelId: string, client: Pick<GenesysOAuthClient, 'tokenBinding'>): Promise<StoredOAuthTokens | undefined> {
    const cur = await this.load(channelId);
    return cur && belongsTo(cur, client) ? cur : undefined;
  }

  /** The stored tokens for use by `client`; a record issued to another client or host is never used. */
  private async current(channelId: string, client: Pick<GenesysOAuthClient, 'tokenBinding'>): Promise<StoredOAuthTokens | undefined> {
    const cur = await this.load(channelId);
    if (cur && !belongsTo(cur, client)) {
      throw new ReauthorizationRequiredError(channelId, "the channel's OAuth client or Genesys region changed since it was authorized; authorize (or connect) it again");
    }
    return cur;
  }

  status(channelId: string): Promise<ChannelOAuthStatus | undefined> {
    return this.records.status(channelId);
  }

  clear(channelId: string): Promise<void> {
    return this.records.clear(channelId);
  }

  /** Client Credentials as the channel's grant: fetch a token now and keep renewing it that way. */
  async connectClientCredentials(channelId: string, client: GenesysOAuthClient): Promise<StoredOAuthTokens> {
    return this.save(channelId, await client.clientCredentials(), 'client_credentials', client);
  }

  /** A valid access token, refreshed first when it expires within the skew. */
  async getAccessToken(channelId: string, client: GenesysOAuthClient): Promise<string> {
    const cur = await this.current(channelId, client);
    if (!cur) throw await this.missing(channelId);
    if (cur.expiresAt - this.skewMs > this.now()) return cur.accessToken;
    return this.renew(channelId, client, cur.accessToken);
  }

  /** After the API answered 401 to `rejectedAccessToken`: renew unless someone already did. */
  async refreshAfterUnauthorized(channelId: string, client: GenesysOAuthClient, rejectedAccessToken: string): Promise<string> {
    return this.renew(channelId, client, rejectedAccessToken);
  }

  private renew(channelId: string, client: GenesysOAuthClient, staleAccessToken: string): Promise<string> {
    const running = this.inflight.get(channelId);
    if (running) return running;
    const p = this.renewAcrossProcesses(channelId, client, staleAccessToken).finally(() => this.inflight.delete(channelId));
    this.inflight.set(channelId, p);
    return p;
  }

  private async renewAcrossProcesses(channelId: string, client: GenesysOAuthClient, stale: string): Promise<string> {
    const deadline = Date.now() + this.waitTimeoutMs;
    // A token other than the stale one that has not expired was written by whoever refreshed.
    const replaced = (t: StoredOAuthTokens | undefined): t is StoredOAuthTokens => !!t && t.accessToken !== stale && t.expiresAt > this.now();
    for (;;) {
      const lockValue = await this.records.lockRefresh(channelId, this.lockTtlMs);
      if (lockValue) {
        try {
          // Re-read under the lock: another process may have refreshed between our read and the lock.
          const cur = await this.current(channelId, client);
          if (!cur) throw await this.missing(channelId);
          if (replaced(cur)) return cur.accessToken;
          return (await this.refreshLocked(channelId, client, cur)).accessToken;
        } finally {
          // The lock has a TTL: if the release fails it expires on its own and a waiter takes over.
          await this.records.unlockRefresh(channelId, lockValue).catch(() => undefined);
        }
      }
      await sleep(this.pollMs);
      const cur = await this.current(channelId, client);
      if (replaced(cur)) return cur.accessToken;
      if (!cur) throw await this.missing(channelId);
      if (Date.now() > deadline) {
        throw new GenesysOAuthError('timeout', `Timed out waiting for another process to refresh the Genesys token of channel "${channelId}".`);
      }
    }
  }

  private async refreshLocked(channelId: string, client: GenesysOAuthClient, cur: StoredOAuthTokens): Promise<StoredOAuthTokens> {
    try {
      if (cur.grant === 'client_credentials') return await this.save(channelId, await client.clientCredentials(), 'client_credentials', client);
      if (!cur.refreshToken) throw new GenesysOAuthError('invalid_grant', 'no refresh token is stored');
      const next = await client.refresh(cur.refreshToken);
      // Genesys rotates; should a server not, keep the one we have rather than lose it.
      const saved = await this.save(channelId, { ...next, refreshToken: next.refreshToken ?? cur.refreshToken }, 'authorization_code', client, cur.scopes);
      this.options.logger?.info({ channelId, expiresAt: saved.expiresAt }, 'genesys oauth tokens refreshed');
      return saved;
    } catch (e) {
      if (e instanceof GenesysOAuthError && e.code === 'invalid_grant') {
        // The grant is dead (revoked, reused, expired). Drop the tokens so nothing keeps trying
        // and record why, for the channel status and the admin.
        const reason = `Genesys refused the refresh token (${e.message})`;
        await this.markReauthorizeNeeded(channelId, reason);
        this.options.logger?.warn({ channelId, oauthError: e.details.oauthError }, 'genesys oauth grant revoked; re-authorization needed');
        throw new ReauthorizationRequiredError(channelId, reason);
      }
      throw e;
    }
  }

  async markReauthorizeNeeded(channelId: string, reason: string): Promise<void> {
    await this.records.markReauthorizeNeeded(channelId, { status: 'reauthorize_needed', reason, at: this.now() });
  }

  private async missing(channelId: string): Promise<ReauthorizationRequiredError> {
    const st = await this.status(channelId);
    return new ReauthorizationRequiredError(channelId, st?.reason ?? 'no Genesys tokens are stored for it');
  }
}

/** A record without a binding predates it: accepted, and bound at its next save. */
function belongsTo(record: StoredOAuthTokens, client: Pick<GenesysOAuthClient, 'tokenBinding'>): boolean {
  return record.binding === undefined || record.binding === client.tokenBinding;
}
