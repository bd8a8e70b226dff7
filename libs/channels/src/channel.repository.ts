import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '@app/queue';
import { REDIS_CLIENT } from '@app/redis';
import type { Channel } from './channel.types.js';

/** How long a process trusts its copy of a channel; a disable takes effect within this. */
const CACHE_MS = 1000;

/**
 * Channels live in Redis so every ingress and worker sees the same configuration. Reads are
 * cached for a second per process: a turn must not pay a Redis round trip for static config.
 */
@Injectable()
export class ChannelRepository {
  private readonly cache = new Map<string, { at: number; channel: Channel | undefined }>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(id: string): Promise<Channel | undefined> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_MS) return hit.channel;
    const raw = await this.redis.get(this.keys.channel(id));
    const channel = raw ? (JSON.parse(raw) as Channel) : undefined;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(id, { at: now, channel });
    return channel;
  }

  async list(): Promise<Channel[]> {
    const ids = await this.redis.smembers(this.keys.channelIndex());
    const found = await Promise.all(ids.sort().map((id) => this.get(id)));
    return found.filter((c): c is Channel => !!c);
  }

  async upsert(channel: Channel): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.channel(channel.id), JSON.stringify(channel))
      .sadd(this.keys.channelIndex(), channel.id)
      .exec();
    this.cache.delete(channel.id);
  }

  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    const channel = await this.get(id);
    if (!channel) return false;
    await this.upsert({ ...channel, enabled });
    return true;
  }
}
