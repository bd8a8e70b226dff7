import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { IngressConfig, type IngressReadinessCheck } from '@app/config';
import { readiness } from '@app/observability';
import { TURNS_QUEUE } from '@app/queue';
import { REDIS_CHECK_TIMEOUT_MS, RedisHealthIndicator } from '@app/redis';
import { WorkerRegistry } from '@app/store';
import { TurnDispatcher } from '../bot-connector/turn-dispatcher.service.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly config: IngressConfig,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redisHealth: RedisHealthIndicator,
    @InjectQueue(TURNS_QUEUE) private readonly queue: Queue,
    private readonly workers: WorkerRegistry,
    private readonly dispatcher: TurnDispatcher,
  ) {}

  /** The process is up and its event loop turns; never a dependency, or a Redis blip restarts every pod. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** Should the load balancer send turns here: not draining, plus what READINESS_CHECKS adds. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, this.config.readinessChecks);
  }

  /** Redis, the queue and the workers, whatever readiness checks: for dashboards and people. */
  @Get('dependencies')
  async dependencies(@Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, ['redis', 'queue', 'workers']);
  }

  private async answer(reply: FastifyReply, names: IngressReadinessCheck[]): Promise<void> {
    const { httpStatus, body } = await readiness(this.health, names.map((name) => this.check(name)));
    await reply.status(httpStatus).send(body);
  }

  private check(name: IngressReadinessCheck): HealthIndicatorFunction {
    switch (name) {
      case 'shutdown':
        return () => (this.dispatcher.isDraining ? this.indicators.check('shutdown').down('draining') : this.indicators.check('shutdown').up());
      case 'redis':
        return this.redisHealth.isHealthy();
      case 'queue':
        // The queue has a connection of its own, which can fail apart from the shared client.
        return this.indicators
          .check('queue')
          .attempt(async () => void (await this.queue.getJobCounts('waiting')))
          .withTimeout(REDIS_CHECK_TIMEOUT_MS);
      case 'workers':
        return this.indicators
          .check('workers')
          .attempt(async () => {
            const count = await this.workers.countAlive();
            if (count === 0) throw new Error('none');
            return { count };
          })
          .withTimeout(REDIS_CHECK_TIMEOUT_MS);
    }
  }
}
