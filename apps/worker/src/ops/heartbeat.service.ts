import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '@app/queue';
import { REDIS_CLIENT } from '@app/redis';

const BEAT_MS = 5000;

/** Tells ingress readiness and the dashboard that this worker is alive. */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workerId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'worker'}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  onApplicationBootstrap(): void {
    const beat = () => {
      const now = Date.now();
      void this.redis
        .multi()
        .zadd(this.keys.workers(), now, this.workerId)
        // Forget workers silent for an hour so the set does not grow across deploys.
        .zremrangebyscore(this.keys.workers(), '-inf', now - 3600_000)
        .exec()
        // A missed beat is retried in BEAT_MS; Redis trouble itself shows in the health checks.
        .catch(() => undefined);
    };
    beat();
    this.timer = setInterval(beat, BEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Best effort on the way out: an entry left behind drops out of the heartbeat window on its own.
    await this.redis.zrem(this.keys.workers(), this.workerId).catch(() => undefined);
  }
}
