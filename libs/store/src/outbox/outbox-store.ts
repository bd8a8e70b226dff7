import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OutboxEntry } from '../turns/turn.types.js';
import type { RedisKeys } from '../redis-keys.js';
import { extendLock, releaseLock } from '@app/redis/lock.lua.js';
import { ackOutboxHead, claimStuckReport, forgetOutboxIfEmpty } from './lua/outbox-ack.lua.js';

/** The head of a session's outbox as read, kept verbatim so the ack matches it exactly. */
export interface OutboxHead {
  raw: string;
  entry: OutboxEntry;
}

/** A session's outbox, held by one sender at a time. */
export interface OutboxLease {
  readonly sessionKey: string;
  /** False once the lock was lost (expired and taken): stop sending. */
  readonly held: boolean;
  head(): Promise<OutboxHead | undefined>;
  /** Removes the entry after it was sent or given up on; false if it was not the head any more. */
  ack(head: OutboxHead): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * v2 results waiting to go out through the outgoing-messages API. Each session's outbox is a list
 * sent strictly in order by whoever holds its lock; an entry leaves the list only after Genesys
 * took it (or it was given up and recorded), so a crash at any point resends at most the one
 * entry whose send was in flight.
 */
export class OutboxStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: RedisKeys,
  ) {}

  /**
   * Appends an entry from outside a turn (a notification) and, in the same transaction, writes
   * `alsoSet` (the notification's record saying it is on its way), so a crash cannot leave one
   * without the other.
   */
  async enqueue(sessionKey: string, entry: OutboxEntry, ttlMs: number, alsoSet?: { key: string; value: string }): Promise<void> {
    const k = this.keys;
    const tx = this.redis
      .multi()
      .rpush(k.outbox(sessionKey), JSON.stringify(entry))
      .pexpire(k.outbox(sessionKey), ttlMs)
      .zadd(k.outboxIndex(), 'NX', Date.now(), sessionKey);
    if (alsoSet) tx.set(alsoSet.key, alsoSet.value, 'KEEPTTL');
    const res = await tx.exec();
    const failed = res?.find(([e]) => e);
    if (!res || failed) throw failed?.[0] ?? new Error('outbox enqueue aborted');
  }

  async length(sessionKey: string): Promise<number> {
    return this.redis.llen(this.keys.outbox(sessionKey));
  }

  /** Session keys whose outbox has waited since before `olderThan` (ms epoch), oldest first. */
  async stale(olderThan: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.outboxIndex(), '-inf', olderThan, 'LIMIT', 0, limit);
  }

  /**
   * True when this caller should log that `channelId`'s outboxes are stuck with `cause`: no worker
   * has said so yet, the cause changed, or it was last said `repeatAfterMs` ago.
   */
  async claimStuckReport(channelId: string, cause: string, repeatAfterMs: number): Promise<boolean> {
    return claimStuckReport(this.redis, { keys: { reports: this.keys.outboxStuckReports() }, channelId, cause, nowMs: Date.now(), repeatAfterMs });
  }

  /** Channels whose stuck outboxes were reported and not yet said to move again. */
  async stuckReported(): Promise<string[]> {
    return this.redis.hkeys(this.keys.outboxStuckReports());
  }

  /** True for the one caller that clears the channel's report (and so says its outboxes move again). */
  async clearStuckReport(channelId: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.outboxStuckReports(), channelId)) === 1;
  }

  async forgetIfEmpty(sessionKey: string): Promise<void> {
    await forgetOutboxIfEmpty(this.redis, { keys: { outbox: this.keys.outbox(sessionKey), outboxIndex: this.keys.outboxIndex() }, sessionKey });
  }

  /**
   * Takes the session's send lock, renewed every third of `ttlMs` until released. Undefined when
   * another process holds it (it is sending this outbox right now).
   */
  async lease(sessionKey: string, ttlMs: number): Promise<OutboxLease | undefined> {
    const k = this.keys;
    const lockKey = k.outboxLock(sessionKey);
    const value = randomBytes(12).toString('hex');
    if ((await this.redis.set(lockKey, value, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    const redis = this.redis;
    let held = true;
    const renew = setInterval(() => {
      extendLock(redis, { keys: { lock: lockKey }, token: value, ttlMs }).then(
        (ok) => {
          if (!ok) held = false;
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(ttlMs / 3)));
    renew.unref();
    return {
      sessionKey,
      get held() {
        return held;
      },
      async head() {
        const raw = await redis.lindex(k.outbox(sessionKey), 0);
        return raw === null ? undefined : { raw, entry: JSON.parse(raw) as OutboxEntry };
      },
      async ack(head) {
        const r = await ackOutboxHead(redis, {
          keys: { outbox: k.outbox(sessionKey), outboxIndex: k.outboxIndex(), lock: lockKey },
          entryJson: head.raw,
          sessionKey,
          lockToken: value,
          nowMs: Date.now(),
        });
        if (r === 'lock-lost') held = false;
        return r === 'acked';
      },
      async release() {
        clearInterval(renew);
        held = false;
        await releaseLock(redis, { keys: { lock: lockKey }, token: value }).catch(() => undefined);
      },
    };
  }
}
