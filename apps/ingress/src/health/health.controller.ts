import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { TURNS_QUEUE } from '@app/queue';
import { RedisKeys } from '@app/store';
import { REDIS_CLIENT } from '@app/redis';
import { TurnDispatcher } from '../bot-connector/turn-dispatcher.service.js';

const HEARTBEAT_WINDOW_MS = 15000;
const CHECK_TIMEOUT_MS = 500;

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

@Controller('health')
export class HealthController {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectQueue(TURNS_QUEUE) private readonly queue: Queue,
    private readonly keys: RedisKeys,
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
    const checks: Record<string, string> = {};
    checks.shutdown = this.dispatcher.isDraining ? 'draining' : 'ok';
    try {
      checks.redis = (await within(this.redis.ping(), CHECK_TIMEOUT_MS)) === 'PONG' ? 'ok' : 'fail';
    } catch {
      checks.redis = 'fail';
    }
    try {
      await within(this.queue.getJobCounts('waiting'), CHECK_TIMEOUT_MS);
      checks.queue = 'ok';
    } catch {
      checks.queue = 'fail';
    }
    try {
      const n = await within(this.redis.zcount(this.keys.workers(), Date.now() - HEARTBEAT_WINDOW_MS, '+inf'), CHECK_TIMEOUT_MS);
      checks.workers = n > 0 ? `ok (${n})` : 'none';
    } catch {
      checks.workers = 'fail';
    }
    const ok = Object.values(checks).every((v) => v.startsWith('ok'));
    await reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  }
}
