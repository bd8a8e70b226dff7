import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Job } from 'bullmq';
import { WorkerConfig } from '@app/config';
import { DrainRequester, TURNS_QUEUE, turnsJobOf } from '@app/queue';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';
import { WorkerHost, type QueueConsumer } from '../queues/worker-host.js';
import { SessionDrain } from './session-drain.js';

/** The turns queue's consumer: checks the job, hands the session to SessionDrain. */
@Injectable()
export class TurnProcessor implements QueueConsumer, OnModuleInit {
  private readonly logger = new Logger(TurnProcessor.name);
  readonly queue = TURNS_QUEUE;
  readonly settings: QueueConsumer['settings'];

  constructor(
    private readonly turns: SessionDrain,
    private readonly drains: DrainRequester,
    private readonly metrics: WorkerMetrics,
    private readonly host: WorkerHost,
    config: WorkerConfig,
  ) {
    this.settings = {
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_DURATION_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      // One re-run after a crash; more would mean a poison turn keeps killing workers.
      maxStalledCount: 2,
    };
  }

  onModuleInit(): void {
    this.host.register(this);
  }

  async handle(job: Job): Promise<number> {
    const drain = turnsJobOf(job);
    if (!drain) throw new Error(`unexpected job ${job.name}`);
    this.metrics.activeDrains.inc();
    try {
      const { done, more } = await this.turns.drainSession(drain.data, job.id);
      // While this job is active, deduplication keeps the request and starts it when this one ends.
      if (more) await this.drains.request(drain.data);
      return done;
    } finally {
      this.metrics.activeDrains.dec();
    }
  }

  failed(job: Job | undefined, e: Error): void {
    this.logger.error({ jobId: job?.id, sessionKey: (job?.data as { sessionKey?: string } | undefined)?.sessionKey, error: e.message }, 'session drain failed');
  }
}
