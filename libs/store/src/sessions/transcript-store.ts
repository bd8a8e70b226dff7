import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { TranscriptEntry } from './transcript.types.js';
import { appendTranscript, transcriptPage } from './lua/append-transcript.lua.js';

/** A record appended outside a turn (expired turn, refused v2 reply, notification): fewer fields. */
export type TranscriptRecord = Partial<TranscriptEntry> & Pick<TranscriptEntry, 'turnId' | 'at' | 'channelId' | 'botSessionId' | 'outcome'>;

/** TRANSCRIPT_RETENTION_DAYS and TRANSCRIPT_MAX_ENTRIES, as the two writers of a transcript need them. */
export interface TranscriptLimits {
  /** Kept this long after the last write. */
  retentionMs: number;
  /** Only the newest this many entries are kept. */
  maxEntries: number;
}

/** One page of a transcript, oldest first. Positions count every entry ever appended to the session. */
export interface TranscriptPage {
  entries: TranscriptEntry[];
  /** Position of the oldest entry still kept (entries before it were trimmed). */
  first: number;
  /** Entries ever appended: the position after the newest. */
  total: number;
  /** Position of the first entry of this page. */
  from: number;
}

/**
 * A session's transcript: a Redis list of entries, oldest first, kept `retentionMs` after the
 * last write and trimmed to the newest `maxEntries` on every append. Turns append through the
 * completion script (atomically with the result); this store appends the records written
 * outside a turn and serves the reads.
 */
export class TranscriptStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly limits: TranscriptLimits,
  ) {}

  get retentionMs(): number {
    return this.limits.retentionMs;
  }

  get maxEntries(): number {
    return this.limits.maxEntries;
  }

  /** False when skipped: the session was deleted while turns were in flight (see SessionEraser). */
  async append(sessionKey: string, record: TranscriptRecord): Promise<boolean> {
    const k = this.keys;
    const conversationId = record.genesysConversationId;
    return appendTranscript(this.redis, {
      keys: { transcript: k.transcript(sessionKey), count: k.transcriptCount(sessionKey), conversation: k.conversationSessions(conversationId ?? ''), erased: k.sessionErased(sessionKey) },
      entryJson: JSON.stringify(record),
      sessionKey,
      ttlMs: this.limits.retentionMs,
      maxEntries: this.limits.maxEntries,
      indexConversation: Boolean(conversationId),
    });
  }

  /**
   * Up to `limit` entries from position `from` on (from the oldest kept one when `from` is
   * undefined or was trimmed away).
   */
  async page(sessionKey: string, from: number | undefined, limit: number): Promise<TranscriptPage> {
    const k = this.keys;
    const reply = await transcriptPage(this.redis, { keys: { transcript: k.transcript(sessionKey), count: k.transcriptCount(sessionKey) }, from: from ?? 0, limit });
    return { entries: parse(reply.entriesJson), first: reply.first, total: reply.total, from: Math.max(from ?? 0, reply.first) };
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
