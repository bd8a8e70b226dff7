import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { WorkerConfig } from '@app/config';
import { DRAIN_SESSION_JOB, RedisKeys, TURNS_QUEUE, drainJobOptions, type DrainSessionJob } from '@app/queue';
import { REDIS_OPTIONS, createRedis, type RedisModuleOptions } from '@app/redis';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';
import { TurnService } from './turn.service.js';

/**
 * Thin BullMQ processor: checks the job, hands the session to TurnService. Created after boot
 * (so no turn runs before the app is wired) and closed first on shutdown, letting active
 * turns finish.
 */
@Injectable()
export class TurnProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TurnProcessor.name);
  private worker?: Worker<DrainSessionJob, number>;
  private connection?: ReturnType<typeof createRedis>;
  private queueConnection?: ReturnType<typeof createRedis>;
  /** For follow-up drains of sessions with more turns than one job takes. */
  private queue?: Queue<DrainSessionJob>;

  constructor(
    private readonly turns: TurnService,
    private readonly config: WorkerConfig,
    private readonly keys: RedisKeys,
    private readonly metrics: WorkerMetrics,
    @Inject(REDIS_OPTIONS) private readonly redisOptions: RedisModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const connection = (this.connection = createRedis({ url: this.redisOptions.url, name: 'worker-turns', blocking: true }));
    connection.on('error', () => undefined);
    this.queueConnection = createRedis({ url: this.redisOptions.url, name: 'worker-queue' });
    this.queueConnection.on('error', () => undefined);
    this.queue = new Queue<DrainSessionJob>(TURNS_QUEUE, { connection: this.queueConnection, prefix: this.keys.bullPrefix });
    this.queue.on('error', () => undefined);
    this.worker = new Worker<DrainSessionJob, number>(TURNS_QUEUE, (job) => this.handle(job), {
      connection,
      prefix: this.keys.bullPrefix,
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      // One re-run after a crash; more would mean a poison turn keeps killing workers.
      maxStalledCount: 2,
      autorun: true,
    });
    this.worker.on('error', (e) => this.logger.error({ error: e.message }, 'worker error'));
    this.worker.on('failed', (job, e) => this.logger.error({ jobId: job?.id, sessionKey: job?.data.sessionKey, error: e.message }, 'session drain failed'));
  }

  private async handle(job: Job<DrainSessionJob, number>): Promise<number> {
    if (job.name !== DRAIN_SESSION_JOB || typeof job.data?.sessionKey !== 'string') {
      throw new Error(`unexpected job ${job.name}`);
    }
    this.metrics.activeDrains.inc();
    try {
      const { done, more } = await this.turns.drainSession(job.data);
      // While this job is active, deduplication keeps the add and starts it when this one ends.
      if (more) await this.queue!.add(DRAIN_SESSION_JOB, job.data, drainJobOptions(job.data.sessionKey));
      return done;
    } finally {
      this.metrics.activeDrains.dec();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.worker) return;
    const grace = this.config.SHUTDOWN_GRACE_MS;
    const closing = this.worker.close();
    const timedOut = await Promise.race([closing.then(() => false), sleep(grace, true)]);
    if (timedOut) {
      // Still-active drains become stalled and another worker re-runs them: nothing is lost.
      this.logger.warn({ graceMs: grace }, 'active turns did not finish in time; leaving them to other workers');
      // Forced close on the way out: its error changes nothing (stalled jobs are re-run elsewhere).
      await this.worker.close(true).catch(() => undefined);
    }
    // Shutting down: a close error leaves nothing to do, and the connections are dropped next anyway.
    await this.queue?.close().catch(() => undefined);
    // BullMQ leaves a connection it was given open; it is ours to close.
    this.connection?.disconnect();
    this.queueConnection?.disconnect();
  }
}
