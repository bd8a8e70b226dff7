import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { tryLock, unlock } from '@app/redis';
import type { RedisKeys } from '../redis-keys.js';

/** An admin change to a channel holds its lock at most this long (a crashed holder frees it then). */
const CHANGE_LOCK_MS = 10_000;
/** How long another change waits for it before giving up. */
const CHANGE_WAIT_MS = 3_000;

/**
 * Channels as stored: one JSON document per channel (its secrets already sealed by the channel
 * repository, which owns the model) plus the index of channel ids, and the lock an admin change
 * holds across its read-modify-write.
 */
export class ChannelRecords {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  get(id: string): Promise<string | null> {
    return this.redis.get(this.keys.channel(id));
  }

  ids(): Promise<string[]> {
    return this.redis.smembers(this.keys.channelIndex());
  }

  async put(id: string, stored: string): Promise<void> {
    await this.redis.multi().set(this.keys.channel(id), stored).sadd(this.keys.channelIndex(), id).exec();
  }

  /** True when the channel existed. */
  async remove(id: string): Promise<boolean> {
    const [[, n]] = (await this.redis.multi().del(this.keys.channel(id)).srem(this.keys.channelIndex(), id).exec()) as [[Error | null, number], unknown];
    return n === 1;
  }

  /**
   * Runs `fn` holding the channel's change lock, shared by every process; undefined (fn not run)
   * when another change kept it past the wait.
   */
  async withChangeLock<T>(id: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const key = this.keys.channelLock(id);
    const until = Date.now() + CHANGE_WAIT_MS;
    let token = await tryLock(this.redis, key, CHANGE_LOCK_MS);
    while (!token) {
      if (Date.now() > until) return { ran: false };
      await sleep(20);
      token = await tryLock(this.redis, key, CHANGE_LOCK_MS);
    }
    try {
      return { ran: true, value: await fn() };
    } finally {
      await unlock(this.redis, key, token);
    }
  }
}
