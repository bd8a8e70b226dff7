import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';

/** Genesys's source ranges of one region as fetched by some ingress, shared with the others. */
export interface SharedIpRanges {
  apiBaseUrl: string;
  cidrs: string[];
  fetchedAt: number;
}

export class IpRangesStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The shared ranges of the region, or undefined when absent or not of this region (a hash collision or a damaged value). */
  async get(apiBaseUrl: string): Promise<SharedIpRanges | undefined> {
    const raw = await this.redis.get(this.keys.ipRanges(apiBaseUrl));
    if (!raw) return undefined;
    const v = JSON.parse(raw) as Partial<SharedIpRanges>;
    if (v.apiBaseUrl !== apiBaseUrl || !Array.isArray(v.cidrs) || typeof v.fetchedAt !== 'number') return undefined;
    return { apiBaseUrl, cidrs: v.cidrs.filter((c): c is string => typeof c === 'string'), fetchedAt: v.fetchedAt };
  }

  async put(value: SharedIpRanges, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.ipRanges(value.apiBaseUrl), JSON.stringify(value), 'PX', ttlMs);
  }
}
