import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** A worker that has not beaten for this long counts as gone (three missed 5 s beats). */
export const WORKER_HEARTBEAT_WINDOW_MS = 15_000;

/** Workers alive, by last heartbeat: readiness, the dashboard and the workers-online gauge read it. */
export class WorkerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async beat(workerId: string, now = Date.now()): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.keys.workers(), now, workerId)
      // Forget workers silent for an hour so the set does not grow across deploys.
      .zremrangebyscore(this.keys.workers(), '-inf', now - 3600_000)
      .exec();
  }

  async leave(workerId: string): Promise<void> {
    await this.redis.zrem(this.keys.workers(), workerId);
  }

  countAlive(now = Date.now()): Promise<number> {
    return this.redis.zcount(this.keys.workers(), now - WORKER_HEARTBEAT_WINDOW_MS, '+inf');
  }
}
