import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { OutboxEntry, SessionSummary } from '../turns/turn.types.js';
import type { TranscriptEntry } from './transcript.types.js';
import { eraseSession } from './lua/erase-session.lua.js';

export interface EraseOutcome {
  /** False when nothing was stored for the session. */
  erased: boolean;
  /** Turns were queued or running: they are answered but record nothing (see eraseSession). */
  inFlight: boolean;
}

/**
 * Deletes what the gateway keeps about a bot session (a customer's erasure request), and finds a
 * Genesys conversation's sessions through the index the transcript writers keep.
 */
export class SessionEraser {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** TURN_RETENTION_SECONDS: turns still queued at the deletion are done or expired by then. */
    private readonly turnRetentionMs: number,
  ) {}

  /** The session keys recorded for a Genesys conversation (some may have expired since). */
  sessionsOf(genesysConversationId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.conversationSessions(genesysConversationId));
  }

  /**
   * `alsoConversationId`: the caller's id, when it deletes by conversation. The session's state,
   * transcript, outbox and late list are read first, for the conversation sets it is in and the
   * per-turn records they point at. A turn completing between that read and the script keeps its
   * result until TURN_RETENTION_SECONDS (its transcript entry still goes).
   */
  async erase(sessionKey: string, alsoConversationId?: string): Promise<EraseOutcome> {
    const k = this.keys;
    const read = await this.redis
      .multi()
      .get(k.session(sessionKey))
      .lrange(k.transcript(sessionKey), 0, -1)
      .lrange(k.outbox(sessionKey), 0, -1)
      .lrange(k.late(sessionKey), 0, -1)
      .exec();
    const [sessionRaw, entries, outbox, late] = (read ?? []).map(([, v]) => v) as [string | null, string[], string[], string[]];
    const conversationIds = new Set<string>(alsoConversationId ? [alsoConversationId] : []);
    const records = new Set<string>();
    const session = sessionRaw ? (JSON.parse(sessionRaw) as Partial<SessionSummary>) : undefined;
    if (session?.genesysConversationId) conversationIds.add(session.genesysConversationId);
    for (const raw of entries ?? []) {
      const e = JSON.parse(raw) as Partial<TranscriptEntry>;
      if (e.genesysConversationId) conversationIds.add(e.genesysConversationId);
      if (!e.turnId) continue;
      // A notification's entry carries the notification id; a turn's (or its refused reply's) the turn id.
      if (e.kind === 'notification') records.add(k.notification(e.turnId));
      else records.add(k.result(e.turnId)).add(k.claim(e.turnId));
    }
    for (const raw of [...(outbox ?? []), ...(late ?? [])]) {
      const e = JSON.parse(raw) as Partial<OutboxEntry>;
      if (e.notificationId) records.add(k.notification(e.notificationId));
      else if (e.turnId) records.add(k.result(e.turnId)).add(k.claim(e.turnId));
    }
    const reply = await eraseSession(this.redis, {
      keys: {
        transcript: k.transcript(sessionKey),
        count: k.transcriptCount(sessionKey),
        session: k.session(sessionKey),
        outbox: k.outbox(sessionKey),
        outboxIndex: k.outboxIndex(),
        late: k.late(sessionKey),
        sessionIndex: k.sessionIndex(),
        sessionSeq: k.sessionSeq(sessionKey),
        inbox: k.inbox(sessionKey),
        erased: k.sessionErased(sessionKey),
        conversations: [...conversationIds].map((id) => k.conversationSessions(id)),
        records: [...records],
      },
      sessionKey,
      markerTtlMs: this.turnRetentionMs,
    });
    return { erased: reply.removed > 0, inFlight: reply.inFlight };
  }
}
