import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Worker, type Job } from 'bullmq';
import { WorkerConfig } from '@app/config';
import { NOTIFICATIONS_QUEUE, RedisKeys, SEND_NOTIFICATION_JOB, type SendNotificationJob } from '@app/queue';
import { REDIS_OPTIONS, createRedis, type RedisModuleOptions } from '@app/redis';
import { NotificationSender } from './notification.sender.js';

/** Thin BullMQ processor for `notifications`: one job per notification, retried with backoff. */
@Injectable()
export class NotificationProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationProcessor.name);
  private worker?: Worker<SendNotificationJob>;
  private connection?: ReturnType<typeof createRedis>;

  constructor(
    private readonly sender: NotificationSender,
    private readonly config: WorkerConfig,
    private readonly keys: RedisKeys,
    @Inject(REDIS_OPTIONS) private readonly redisOptions: RedisModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const connection = (this.connection = createRedis({ url: this.redisOptions.url, name: 'worker-notifications', blocking: true }));
    connection.on('error', () => undefined);
    this.worker = new Worker<SendNotificationJob>(NOTIFICATIONS_QUEUE, (job, token) => this.handle(job, token), {
      connection,
      prefix: this.keys.bullPrefix,
      concurrency: this.config.NOTIFICATION_CONCURRENCY,
      lockDuration: 30_000,
      // A stalled address notification is reported "outcome unknown" on its re-run, never resent.
      maxStalledCount: 1,
    });
    this.worker.on('error', (e) => this.logger.error({ error: e.message }, 'notification worker error'));
    // Out of job attempts on errors the service could not record (Redis trouble): say so on the record.
    this.worker.on('failed', (job, e) => {
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      void this.sender
        .recordGivenUp(job.data.notificationId, `gave up after ${job.attemptsMade} attempts: ${e.message}`)
        .catch((err: Error) => this.logger.warn({ notificationId: job.data.notificationId, error: err.message }, 'could not mark the notification failed; its record still says queued'));
    });
  }

  private async handle(job: Job<SendNotificationJob>, token?: string): Promise<void> {
    if (job.name !== SEND_NOTIFICATION_JOB || typeof job.data?.notificationId !== 'string') throw new Error(`unexpected job ${job.name}`);
    const outcome = await this.sender.attempt(job.data.notificationId);
    if (outcome.kind === 'done') return;
    if (outcome.kind === 'rate_limited') {
      // Over the channel's rate: come back after the window without spending an attempt.
      await job.moveToDelayed(Date.now() + outcome.waitMs, token);
      throw new DelayedError();
    }
    if (outcome.retryAfterMs !== undefined) {
      // Genesys said when (a Retry-After longer than the API client waits in-line). Attempts are
      // counted on the notification record, so this cannot loop forever.
      await job.moveToDelayed(Date.now() + outcome.retryAfterMs, token);
      throw new DelayedError();
    }
    throw new Error(outcome.reason);
  }

  async onApplicationShutdown(): Promise<void> {
    // Shutting down: a close error leaves nothing to do, and the connection is dropped next anyway.
    await this.worker?.close().catch(() => undefined);
    this.connection?.disconnect();
  }
}
