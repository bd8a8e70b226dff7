import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '@app/queue';
import { REDIS_CLIENT } from '@app/redis';

/** Writes per channel and process are at most this frequent: the console needs "when", not every call. */
const WRITE_EVERY_MS = 5000;

/** Remembers when Genesys last made an authenticated call to a channel (setup status, doctor). */
@Injectable()
export class GenesysContactTracker {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Fire and forget: never delays or fails a turn. */
  seen(channelId: string): void {
    const now = Date.now();
    if (now - (this.lastWrite.get(channelId) ?? 0) < WRITE_EVERY_MS) return;
    if (this.lastWrite.size > 10_000) this.lastWrite.clear();
    this.lastWrite.set(channelId, now);
    // A lost write only ages the "last contact" shown in setup; the next turn after WRITE_EVERY_MS writes again.
    this.redis.set(this.keys.lastGenesysContact(channelId), String(now)).catch(() => undefined);
  }

  async last(channelId: string): Promise<number | undefined> {
    const raw = await this.redis.get(this.keys.lastGenesysContact(channelId));
    return raw ? Number(raw) : undefined;
  }
}
