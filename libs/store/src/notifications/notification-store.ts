import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NotificationRecord, NotificationStatus } from './notification.types.js';
import type { RedisKeys } from '../redis-keys.js';
import { acceptNotification } from './lua/notification-accept.lua.js';

export function hashIdempotencyKey(channelId: string, key: string): string {
  return createHash('sha256').update(`${channelId}\u0000${key}`).digest('hex');
}

/** Notification records and their idempotency keys in Redis, kept for NOTIFICATION_RETENTION. */
export class NotificationStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {}

  /** Stores a new notification, or returns the one already accepted for the same idempotency key. */
  async accept(draft: Omit<NotificationRecord, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'attempts'>): Promise<{ created: boolean; record: NotificationRecord }> {
    const now = new Date().toISOString();
    const record: NotificationRecord = { ...draft, id: `n${randomUUID().replace(/-/g, '')}`, status: 'queued', createdAt: now, updatedAt: now, attempts: 0 };
    const { created, id } = await acceptNotification(this.redis, {
      keys: { idempotency: this.keys.notificationIdempotency(draft.channelId, draft.idempotencyKeyHash), record: this.keys.notification(record.id) },
      id: record.id,
      recordJson: JSON.stringify(record),
      ttlMs: this.ttlMs,
    });
    if (created) return { created: true, record };
    const first = await this.get(id);
    if (!first) throw new Error('notification record expired while its idempotency key lives');
    return { created: false, record: first };
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const raw = await this.redis.get(this.keys.notification(id));
    return raw ? (JSON.parse(raw) as NotificationRecord) : undefined;
  }

  /** The write that stores `record` as it is, for a caller that must make it atomically with its own (OutboxStore.enqueue). */
  writeOf(record: NotificationRecord): { key: string; value: string } {
    return { key: this.keys.notification(record.id), value: JSON.stringify(record) };
  }

  /** Applies a change to the record (read-modify-write; one job owns a notification at a time). */
  async update(id: string, change: Partial<NotificationRecord> & { status?: NotificationStatus }): Promise<NotificationRecord | undefined> {
    const cur = await this.get(id);
    if (!cur) return undefined;
    const next: NotificationRecord = { ...cur, ...change, updatedAt: new Date().toISOString() };
    await this.redis.set(this.keys.notification(id), JSON.stringify(next), 'KEEPTTL');
    return next;
  }
}
