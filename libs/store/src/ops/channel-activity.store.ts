import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** Small per-channel facts the setup status shows: Genesys's last call, the last bot-list publish. */
export class ChannelActivityStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async recordGenesysContact(channelId: string, at: number): Promise<void> {
    await this.redis.set(this.keys.lastGenesysContact(channelId), String(at));
  }

  async lastGenesysContact(channelId: string): Promise<number | undefined> {
    const raw = await this.redis.get(this.keys.lastGenesysContact(channelId));
    return raw ? Number(raw) : undefined;
  }

  async lastPublish<T>(channelId: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.keys.publish(channelId));
    return raw ? (JSON.parse(raw) as T) : undefined;
  }

  async savePublish<T>(channelId: string, record: T): Promise<void> {
    await this.redis.set(this.keys.publish(channelId), JSON.stringify(record));
  }
}
