import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { readiness } from '@app/observability';
import { TURNS_QUEUE } from '@app/queue';
import { REDIS_CHECK_TIMEOUT_MS, RedisHealthIndicator } from '@app/redis';
import { WorkerRegistry } from '@app/store';
import { TurnDispatcher } from '../bot-connector/turn-dispatcher.service.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redisHealth: RedisHealthIndicator,
    @InjectQueue(TURNS_QUEUE) private readonly queue: Queue,
    private readonly workers: WorkerRegistry,
    private readonly dispatcher: TurnDispatcher,
  ) {}

  /** The process is up and its event loop turns. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** Can take turns: not shutting down, Redis and the queue answer, and some worker is alive. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { httpStatus, body } = await readiness(this.health, [
      () => (this.dispatcher.isDraining ? this.indicators.check('shutdown').down('draining') : this.indicators.check('shutdown').up()),
      this.redisHealth.isHealthy(),
      // The queue has a connection of its own, which can fail apart from the shared client.
      this.indicators
        .check('queue')
        .attempt(async () => void (await this.queue.getJobCounts('waiting')))
        .withTimeout(REDIS_CHECK_TIMEOUT_MS),
      this.indicators
        .check('workers')
        .attempt(async () => {
          const count = await this.workers.countAlive();
          if (count === 0) throw new Error('none');
          return { count };
        })
        .withTimeout(REDIS_CHECK_TIMEOUT_MS),
    ]);
    await reply.status(httpStatus).send(body);
  }
}
