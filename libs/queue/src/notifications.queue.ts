import type { JobsOptions, Queue } from 'bullmq';

/** Queue and job of proactive notifications (one job per accepted notification, id = notification id). */
export const NOTIFICATIONS_QUEUE = 'notifications';
export const SEND_NOTIFICATION_JOB = 'send-notification';

/**
 * One job per notification (job id = notification id, so a retried accept cannot queue twice).
 * The attempt count that matters is on the record (the worker stops at its own limit, waits for
 * Retry-After without spending a job attempt); this is the backstop for plain errors.
 */
function notificationJobOptions(notificationId: string): JobsOptions {
  return { jobId: notificationId, attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 86_400 } };
}

export interface SendNotificationJob {
  notificationId: string;
  channelId: string;
}

/** Every job the notifications queue carries, by name. */
export type NotificationsJob = { name: typeof SEND_NOTIFICATION_JOB; data: SendNotificationJob };

export function notificationsJobOf(job: { name: string; data: unknown }): NotificationsJob | undefined {
  const d = job.data as Partial<SendNotificationJob> | undefined;
  if (job.name !== SEND_NOTIFICATION_JOB || typeof d?.notificationId !== 'string' || typeof d.channelId !== 'string') return undefined;
  return { name: SEND_NOTIFICATION_JOB, data: { notificationId: d.notificationId, channelId: d.channelId } };
}

/** Queues the send of an accepted notification; its id is the job id, so a repeat queues nothing. */
export async function queueNotification(queue: Queue, job: SendNotificationJob): Promise<void> {
  await queue.add(SEND_NOTIFICATION_JOB, job, notificationJobOptions(job.notificationId));
}
