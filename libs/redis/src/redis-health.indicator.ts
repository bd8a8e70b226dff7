import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from './redis.module.js';

/** Readiness probes must answer while Redis hangs, well inside an orchestrator's probe timeout. */
export const REDIS_CHECK_TIMEOUT_MS = 500;

/** The shared Redis connection answers PING in time. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  isHealthy(key = 'redis', timeoutMs = REDIS_CHECK_TIMEOUT_MS) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected reply');
      })
      .withTimeout(timeoutMs);
  }
}
