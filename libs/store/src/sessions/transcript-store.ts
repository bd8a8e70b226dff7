import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { TranscriptEntry } from './transcript.types.js';

/** A record appended outside a turn (expired turn, refused v2 reply, notification): fewer fields. */
export type TranscriptRecord = Partial<TranscriptEntry> & Pick<TranscriptEntry, 'turnId' | 'at' | 'channelId' | 'botSessionId' | 'outcome'>;

/**
 * A session's transcript: a Redis list of entries, oldest first, kept `retentionMs` after the
 * last write. Turns append through the completion script (atomically with the result); this
 * store appends the records written outside a turn and serves the reads.
 */
export class TranscriptStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly retentionMs: number,
  ) {}

  async append(sessionKey: string, record: TranscriptRecord): Promise<void> {
    const key = this.keys.transcript(sessionKey);
    const res = await this.redis.multi().rpush(key, JSON.stringify(record)).pexpire(key, this.retentionMs).exec();
    const failed = res?.find(([e]) => e);
    if (!res || failed) throw failed?.[0] ?? new Error('transcript append aborted');
  }

  /** The last `n` entries, oldest first. */
  async last(sessionKey: string, n: number): Promise<TranscriptEntry[]> {
    if (n <= 0) return [];
    return parse(await this.redis.lrange(this.keys.transcript(sessionKey), -n, -1));
  }

  async all(sessionKey: string): Promise<TranscriptEntry[]> {
    return parse(await this.redis.lrange(this.keys.transcript(sessionKey), 0, -1));
  }

  /** Per session: its newest entry and how many it has, in one round trip. */
  async heads(sessionKeys: string[]): Promise<{ last?: TranscriptEntry; count: number }[]> {
    if (sessionKeys.length === 0) return [];
    const tx = this.redis.multi();
    for (const k of sessionKeys) tx.lindex(this.keys.transcript(k), -1).llen(this.keys.transcript(k));
    const res = ((await tx.exec()) ?? []).map(([, v]) => v as string | number | null);
    return sessionKeys.map((_, i) => {
      const raw = res[i * 2] as string | null;
      return { last: raw ? (JSON.parse(raw) as TranscriptEntry) : undefined, count: Number(res[i * 2 + 1] ?? 0) };
    });
  }
}

function parse(raws: string[]): TranscriptEntry[] {
  return raws.map((r) => JSON.parse(r) as TranscriptEntry);
}
