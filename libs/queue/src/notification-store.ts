import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NotificationRecord, NotificationStatus } from './notification.types.js';
import type { RedisKeys } from './redis-keys.js';

/*
 * KEYS: idempotency, record   ARGV: id, recordJson, ttlMs
 * One notification per (channel, idempotency key), decided atomically: a second request with the
 * same key gets the first one's id and record, whatever state it is in.
 */
const ACCEPT = `
local existing = redis.call('GET', KEYS[1])
if existing then return {'dup', existing} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return {'new', ARGV[1]}
`;

type NotificationRedis = Redis & { gbgNotificationAccept(k1: string, k2: string, a1: string, a2: string, a3: number): Promise<string[]> };

export function hashIdempotencyKey(channelId: string, key: string): string {
  return createHash('sha256').update(`${channelId}\u0000${key}`).digest('hex');
}

/** Notification records and their idempotency keys in Redis, kept for NOTIFICATION_RETENTION. */
export class NotificationStore {
  private readonly redis: NotificationRedis;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {
    const r = redis as NotificationRedis;
    if (typeof r.gbgNotificationAccept !== 'function') redis.defineCommand('gbgNotificationAccept', { numberOfKeys: 2, lua: ACCEPT });
    this.redis = r;
  }

  /** Stores a new notification, or returns the one already accepted for the same idempotency key. */
  async accept(draft: Omit<NotificationRecord, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'attempts'>): Promise<{ created: boolean; record: NotificationRecord }> {
    const now = new Date().toISOString();
    const record: NotificationRecord = { ...draft, id: `n${randomUUID().replace(/-/g, '')}`, status: 'queued', createdAt: now, updatedAt: now, attempts: 0 };
    const [kind, id] = await this.redis.gbgNotificationAccept(
      this.keys.notificationIdempotency(draft.channelId, draft.idempotencyKeyHash),
      this.keys.notification(record.id),
      record.id,
      JSON.stringify(record),
      this.ttlMs,
    );
    if (kind === 'new') return { created: true, record };
    const first = await this.get(id!);
    if (!first) throw new Error('notification record expired while its idempotency key lives');
    return { created: false, record: first };
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const raw = await this.redis.get(this.keys.notification(id));
    return raw ? (JSON.parse(raw) as NotificationRecord) : undefined;
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
