import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { SessionSummary } from '../turns/turn.types.js';

export type SessionStatus = 'open' | 'closed' | 'expired';

/**
 * A bot session's stored state (JSON, written by the turn completion script) and the index of
 * sessions by last activity. Other processes read the SessionSummary part; the worker's own
 * fields travel with it untouched.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get<T extends SessionSummary = SessionSummary>(sessionKey: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.keys.session(sessionKey));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  /** Open, closed (ended, handed off, failed or closed by Genesys) or expired, per session, in one round trip. */
  async statuses(sessionKeys: string[]): Promise<SessionStatus[]> {
    if (sessionKeys.length === 0) return [];
    const raws = await this.redis.mget(sessionKeys.map((k) => this.keys.session(k)));
    return raws.map((raw) => (raw === null ? 'expired' : (JSON.parse(raw) as SessionSummary).closed ? 'closed' : 'open'));
  }

  /**
   * Remembers that Genesys closed the session (a 409 on an outgoing message). Read-modify-write
   * is safe here: Genesys said the session's turns are over, so no turn completes concurrently.
   */
  async markClosedByGenesys(sessionKey: string): Promise<void> {
    const key = this.keys.session(sessionKey);
    const raw = await this.redis.get(key);
    if (!raw) return;
    const session = JSON.parse(raw) as SessionSummary;
    if (session.closed) return;
    await this.redis.set(key, JSON.stringify({ ...session, closed: 'genesys' }), 'KEEPTTL');
  }

  /** Sessions active between `min` and `max` (ms epoch), newest first, at most `limit`. */
  async recent(max: number, min: number, limit: number): Promise<{ sessionKey: string; at: number }[]> {
    const page = await this.redis.zrevrangebyscore(this.keys.sessionIndex(), max, min, 'WITHSCORES', 'LIMIT', 0, limit);
    const rows: { sessionKey: string; at: number }[] = [];
    for (let i = 0; i < page.length; i += 2) rows.push({ sessionKey: page[i]!, at: Number(page[i + 1]) });
    return rows;
  }

  /** Sessions with a turn since `since` (ms epoch). */
  countActiveSince(since: number): Promise<number> {
    return this.redis.zcount(this.keys.sessionIndex(), since, '+inf');
  }
}
