import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@app/queue/redis-keys.js';
import type { AdminSession } from './admin-auth.types.js';

/**
 * Console sessions: the cookie carries a random id; Redis keeps only its SHA-256, so a Redis dump
 * does not hand out live sessions. Each session has its own CSRF token (synchronizer pattern).
 */
export class AdminSessionsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {}

  private key(sessionId: string): string {
    return this.keys.adminSession(createHash('sha256').update(sessionId).digest('hex'));
  }

  async create(username: string): Promise<{ sessionId: string; session: AdminSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const session: AdminSession = { username, csrfToken: randomBytes(24).toString('base64url'), createdAt: new Date().toISOString(), expiresAt: Date.now() + this.ttlMs };
    await this.redis.set(this.key(sessionId), JSON.stringify(session), 'PX', this.ttlMs);
    return { sessionId, session };
  }

  async get(sessionId: string): Promise<AdminSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined;
    const raw = await this.redis.get(this.key(sessionId));
    return raw ? (JSON.parse(raw) as AdminSession) : undefined;
  }

  async destroy(sessionId: string): Promise<void> {
    await this.redis.del(this.key(sessionId));
  }

  /** Every session of a user goes when the user is deleted (keys are hashed, so scan by value). */
  async destroyAllOf(username: string): Promise<number> {
    let cursor = '0';
    let n = 0;
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.keys.adminSession('*'), 'COUNT', 500);
      cursor = next;
      for (const k of found) {
        const raw = await this.redis.get(k);
        if (raw && (JSON.parse(raw) as AdminSession).username.toLowerCase() === username.toLowerCase()) n += await this.redis.del(k);
      }
    } while (cursor !== '0');
    return n;
  }
}
