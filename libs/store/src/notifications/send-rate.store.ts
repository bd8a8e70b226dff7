import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { takeSendSlot } from './lua/next-slot.lua.js';

/**
 * Spaces a channel's notification sends 1/rate apart across all workers (a shared "next slot"
 * time), so no second carries more than the rate, window edges included.
 */
export class SendRateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** 0 when this send took the slot; otherwise how long (ms) until one is free. */
  take(channelId: string, intervalMs: number, nowMs = Date.now()): Promise<number> {
    return takeSendSlot(this.redis, { keys: { nextSlot: this.keys.notificationRate(channelId) }, nowMs, intervalMs });
  }
}
