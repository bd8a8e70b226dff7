import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** Counters live this long: the dashboard shows at most a day. */
const KEEP_MS = 25 * 3600_000;

/** Per-minute turn counters (a hash of field → count per scope and minute), shared by every ingress. */
export class TurnStatsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  key(scope: string, minute: number): string {
    return this.keys.turnStats(scope, minute);
  }

  /** Adds counts (key → field → n) in one pipeline. */
  async add(batch: Map<string, Map<string, number>>): Promise<void> {
    const tx = this.redis.pipeline();
    for (const [key, fields] of batch) {
      for (const [f, n] of fields) tx.hincrby(key, f, n);
      tx.pexpire(key, KEEP_MS);
    }
    await tx.exec();
  }

  /** The counters of `scope` for minutes `from`..`to` (minute numbers since the epoch), oldest first. */
  async read(scope: string, from: number, to: number): Promise<Record<string, string>[]> {
    const tx = this.redis.pipeline();
    for (let m = from; m <= to; m++) tx.hgetall(this.keys.turnStats(scope, m));
    return ((await tx.exec()) ?? []).map(([, v]) => (v ?? {}) as Record<string, string>);
  }
}
