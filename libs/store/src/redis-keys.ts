import { createHash } from 'node:crypto';

/**
 * Every Redis key the gateway writes, built in one place from the deployment prefix
 * (REDIS_PREFIX). Tests use their own prefix and delete only `${prefix}:*`.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ prefix: queues live under `${prefix}:bull:${queue}:*`. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }

  channel(channelId: string): string {
    return `${this.prefix}:channel:${channelId}`;
  }
  channelIndex(): string {
    return `${this.prefix}:channels`;
  }
  /** Held (SET NX PX) while an admin change reads, changes and writes one channel. */
  channelLock(channelId: string): string {
    return `${this.prefix}:channel-lock:${channelId}`;
  }
  turn(turnId: string): string {
    return `${this.prefix}:turn:${turnId}`;
  }
  result(turnId: string): string {
    return `${this.prefix}:result:${turnId}`;
  }
  claim(turnId: string): string {
    return `${this.prefix}:claim:${turnId}`;
  }
  replyTo(turnId: string): string {
    return `${this.prefix}:replyto:${turnId}`;
  }
  /** Stream of results for one ingress process. */
  replyStream(ingressId: string): string {
    return `${this.replyStreamPrefix()}${ingressId}`;
  }
  replyStreamPrefix(): string {
    return `${this.prefix}:replies:`;
  }
  inbox(sessionKey: string): string {
    return `${this.prefix}:inbox:${sessionKey}`;
  }
  /** Held for one interval by the worker whose turn it is to sweep inboxes (one SCAN per interval, not one per worker). */
  inboxSweepLease(): string {
    return `${this.prefix}:sweep-lease:inbox`;
  }
  /** Acceptance counter of a session's turns. */
  sessionSeq(sessionKey: string): string {
    return `${this.prefix}:seq:${sessionKey}`;
  }
  /** v2 results (OutboxEntry JSON) waiting to be sent through the outgoing-messages API, in order. */
  outbox(sessionKey: string): string {
    return `${this.prefix}:outbox:${sessionKey}`;
  }
  /** Sorted set of session keys with a non-empty outbox, by when the oldest entry was queued (sweeper). */
  outboxIndex(): string {
    return `${this.prefix}:outboxes`;
  }
  /**
   * Hash of channel id → `<ms epoch>|<cause>`: the stuck-outbox warning last logged for the
   * channel, shared by the workers so that one of them says it, not each.
   */
  outboxStuckReports(): string {
    return `${this.prefix}:outbox-stuck-reports`;
  }
  /** Held (SET NX PX) by the one process sending a session's outbox, so no entry goes out twice. */
  outboxLock(sessionKey: string): string {
    return `${this.prefix}:outbox-lock:${sessionKey}`;
  }
  late(sessionKey: string): string {
    return `${this.prefix}:late:${sessionKey}`;
  }
  session(sessionKey: string): string {
    return `${this.prefix}:session:${sessionKey}`;
  }
  transcript(sessionKey: string): string {
    return `${this.prefix}:transcript:${sessionKey}`;
  }
  /**
   * How many entries the session's transcript has ever had appended (trimmed ones included): the
   * position of an entry in it never changes, so the admin read's cursor survives trimming.
   */
  transcriptCount(sessionKey: string): string {
    return `${this.prefix}:transcript-count:${sessionKey}`;
  }
  /**
   * Set while turns accepted before the session was deleted may still complete: the last such
   * acceptance number (see eraseSession).
   */
  sessionErased(sessionKey: string): string {
    return `${this.prefix}:erased:${sessionKey}`;
  }
  /**
   * Set of the session keys a Genesys conversation had (deletion by conversation id). The id is
   * hashed: Genesys sends any string up to the id limit, and key names should not carry it.
   */
  conversationSessions(genesysConversationId: string): string {
    return `${this.prefix}:conversation:${createHash('sha256').update(genesysConversationId).digest('hex').slice(0, 40)}`;
  }
  /** Sorted set of session keys by last activity (conversation list, active-session gauge). */
  sessionIndex(): string {
    return `${this.prefix}:sessions`;
  }
  /** Sorted set of worker ids by last heartbeat. */
  workers(): string {
    return `${this.prefix}:workers`;
  }
  /** The last bot list publish of a channel (what was PUT, when, and how it ended). */
  publish(channelId: string): string {
    return `${this.prefix}:publish:${channelId}`;
  }
  /**
   * Genesys's bot-connector source ranges of one region (by API base URL, hashed: no `:` or `/` in
   * the key), shared by every ingress process and surviving restarts.
   */
  ipRanges(apiBaseUrl: string): string {
    return `${this.prefix}:ipranges:${createHash('sha256').update(apiBaseUrl).digest('hex').slice(0, 32)}`;
  }
  /** Admin users: hash of username → AdminUser JSON (scrypt password hash inside). */
  adminUsers(): string {
    return `${this.prefix}:admin:users`;
  }
  /** API keys: hash of key id → ApiKeyRecord JSON (SHA-256 of the secret inside). */
  adminApiKeys(): string {
    return `${this.prefix}:admin:api-keys`;
  }
  /** One console session (cookie value hashed), with its CSRF token; TTL = session lifetime. */
  adminSession(sessionHash: string): string {
    return `${this.prefix}:admin:session:${sessionHash}`;
  }
  /**
   * Sorted set of one user's session hashes by expiry (username lower-cased), so ending a user's
   * sessions reads this instead of scanning every key.
   */
  adminUserSessions(username: string): string {
    return `${this.prefix}:admin:user-sessions:${username.toLowerCase()}`;
  }
  /**
   * Login attempts per username or client address in the current window (throttling): counted
   * before the password is checked, given back when it was right.
   */
  adminLoginFailures(subject: string): string {
    return `${this.prefix}:admin:login-failures:${subject}`;
  }
  /** The last ~1,000 failed logins (username, address): a short capped stream, apart from the audit log. */
  adminFailedLogins(): string {
    return `${this.prefix}:admin:failed-logins`;
  }
  /** The audit log: a capped stream of who changed what, when. */
  auditLog(): string {
    return `${this.prefix}:audit`;
  }
  /** Per-minute counters of answered turns (a hash of field → count) for `all` or one channel. */
  turnStats(scope: string, minute: number): string {
    return `${this.prefix}:stats:${scope}:${minute}`;
  }
  /** When Genesys last made an authenticated call to a channel (ms epoch). */
  lastGenesysContact(channelId: string): string {
    return `${this.prefix}:last-contact:${channelId}`;
  }
  /** A proactive notification's record (NotificationRecord JSON). */
  notification(id: string): string {
    return `${this.prefix}:notification:${id}`;
  }
  /** Maps a channel's idempotency key (hashed) to the notification it created. */
  notificationIdempotency(channelId: string, keyHash: string): string {
    return `${this.prefix}:notification-key:${channelId}:${keyHash}`;
  }
  /** A channel's next free notification send time (ms epoch), for the rate limit. */
  notificationRate(channelId: string): string {
    return `${this.prefix}:notification-rate:${channelId}`;
  }
  /** One pending Genesys OAuth authorization (`state` → channel, admin, PKCE verifier); single use, short TTL. */
  oauthState(state: string): string {
    return `${this.prefix}:oauth:state:${state}`;
  }
  /** A channel's Genesys OAuth tokens, sealed with SECRETS_KEY (never plaintext). */
  oauthTokens(channelId: string): string {
    return `${this.prefix}:oauth:tokens:${channelId}`;
  }
  /** Held by the one process refreshing a channel's tokens (SET NX PX), so a rotating refresh token is used once. */
  oauthRefreshLock(channelId: string): string {
    return `${this.prefix}:oauth:refresh-lock:${channelId}`;
  }
  /** Plain (non-secret) OAuth status of a channel, e.g. "re-authorize needed" after a revoked refresh token. */
  oauthStatus(channelId: string): string {
    return `${this.prefix}:oauth:status:${channelId}`;
  }
}
