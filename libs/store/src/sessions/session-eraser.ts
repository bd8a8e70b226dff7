import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import type { SessionSummary } from '../turns/turn.types.js';
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
   * `alsoConversationId`: the caller's id, when it deletes by conversation. The session's own
   * conversation ids (state and first and last entries) are read first, so its memberships go too.
   */
  async erase(sessionKey: string, alsoConversationId?: string): Promise<EraseOutcome> {
    const k = this.keys;
    const [sessionRaw, firstRaw, lastRaw] = await this.redis.multi().get(k.session(sessionKey)).lindex(k.transcript(sessionKey), 0).lindex(k.transcript(sessionKey), -1).exec().then((res) => (res ?? []).map(([, v]) => v as string | null));
    const ids = new Set<string>(alsoConversationId ? [alsoConversationId] : []);
    for (const raw of [sessionRaw, firstRaw, lastRaw]) {
      const id = raw ? (JSON.parse(raw) as Partial<SessionSummary & TranscriptEntry>).genesysConversationId : undefined;
      if (id) ids.add(id);
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
        conversations: [...ids].map((id) => k.conversationSessions(id)),
      },
      sessionKey,
      markerTtlMs: this.turnRetentionMs,
    });
    return { erased: reply.removed > 0, inFlight: reply.inFlight };
  }
}
