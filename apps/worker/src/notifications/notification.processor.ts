import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { WorkerConfig } from '@app/config';
import { NOTIFICATIONS_QUEUE, notificationsJobOf } from '@app/queue';
import { WorkerHost, type QueueConsumer } from '../queues/worker-host.js';
import { NotificationSender } from './notification.sender.js';

/** The notifications queue's consumer: one job per notification, retried with backoff. */
@Injectable()
export class NotificationProcessor implements QueueConsumer, OnModuleInit {
  private readonly logger = new Logger(NotificationProcessor.name);
  readonly queue = NOTIFICATIONS_QUEUE;
  readonly settings: QueueConsumer['settings'];

  constructor(
    private readonly sender: NotificationSender,
    private readonly host: WorkerHost,
    config: WorkerConfig,
  ) {
    this.settings = {
      concurrency: config.NOTIFICATION_CONCURRENCY,
      lockDuration: 30_000,
      // A stalled address notification is reported "outcome unknown" on its re-run, never resent.
      maxStalledCount: 1,
    };
  }

  onModuleInit(): void {
    this.host.register(this);
  }

  async handle(job: Job, token?: string): Promise<void> {
    const send = notificationsJobOf(job);
    if (!send) throw new Error(`unexpected job ${job.name}`);
    const outcome = await this.sender.attempt(send.data.notificationId);
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

  /** Out of job attempts on errors the sender could not record (Redis trouble): say so on the record. */
  failed(job: Job | undefined, e: Error): void {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const notificationId = (job.data as { notificationId: string }).notificationId;
    void this.sender
      .recordGivenUp(notificationId, `gave up after ${job.attemptsMade} attempts: ${e.message}`)
      .catch((err: Error) => this.logger.warn({ notificationId, error: err.message }, 'could not mark the notification failed; its record still says queued'));
  }
}
