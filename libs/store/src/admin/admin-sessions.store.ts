import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { AdminSession, AdminUser } from '@app/admin-auth/admin-auth.types.js';

/** Whether a session still stands for its user: the user exists, with the credential the session was made under. */
export function sessionMatchesUser(session: AdminSession, user: AdminUser | undefined): boolean {
  return !!user && (user.epoch ?? '') === (session.epoch ?? '');
}

/**
 * Console sessions: the cookie carries a random id; Redis keeps only its SHA-256, so a Redis dump
 * does not hand out live sessions. Each session has its own CSRF token (synchronizer pattern).
 * Each user has an index of their sessions (a sorted set by expiry), so ending them all costs the
 * user's own sessions, not a SCAN of the deployment's keys.
 */
export class AdminSessionsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {}

  private static hash(sessionId: string): string {
    return createHash('sha256').update(sessionId).digest('hex');
  }

  async create(user: Pick<AdminUser, 'username' | 'epoch'>): Promise<{ sessionId: string; session: AdminSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: AdminSession = { username: user.username, epoch: user.epoch ?? '', csrfToken: randomBytes(24).toString('base64url'), createdAt: new Date(now).toISOString(), expiresAt: now + this.ttlMs };
    const hash = AdminSessionsStore.hash(sessionId);
    const index = this.keys.adminUserSessions(user.username);
    // The index forgets expired sessions here, and lives as long as the newest one.
    await exec(
      this.redis
        .multi()
        .set(this.keys.adminSession(hash), JSON.stringify(session), 'PX', this.ttlMs)
        .zremrangebyscore(index, '-inf', now)
        .zadd(index, session.expiresAt, hash)
        .pexpire(index, this.ttlMs),
    );
    return { sessionId, session };
  }

  async get(sessionId: string): Promise<AdminSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined;
    const raw = await this.redis.get(this.keys.adminSession(AdminSessionsStore.hash(sessionId)));
    return raw ? (JSON.parse(raw) as AdminSession) : undefined;
  }

  async destroy(session: { id: string; username: string }): Promise<void> {
    const hash = AdminSessionsStore.hash(session.id);
    await exec(this.redis.multi().del(this.keys.adminSession(hash)).zrem(this.keys.adminUserSessions(session.username), hash));
  }

  /** Ends every session of a user (password changed, user deleted); the number ended. */
  async destroyAllOf(username: string): Promise<number> {
    const index = this.keys.adminUserSessions(username);
    const hashes = await this.redis.zrange(index, '0', '-1');
    if (!hashes.length) return 0;
    // Only the members read: a session made meanwhile keeps its entry.
    const [deleted] = await exec(
      this.redis
        .multi()
        .del(...hashes.map((h) => this.keys.adminSession(h)))
        .zrem(index, ...hashes),
    );
    return Number(deleted);
  }
}

/** Runs a MULTI and returns its replies; a failed command fails the call instead of passing as done. */
async function exec(tx: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const replies = await tx.exec();
  if (!replies) throw new Error('Redis transaction aborted');
  const failed = replies.find(([e]) => e);
  if (failed) throw failed[0]!;
  return replies.map(([, r]) => r);
}
