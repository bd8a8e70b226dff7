import { defineLuaScript } from '@app/redis/lua-script.js';

export interface EraseSessionInput {
  keys: {
    transcript: string;
    count: string;
    session: string;
    outbox: string;
    outboxIndex: string;
    late: string;
    sessionIndex: string;
    sessionSeq: string;
    inbox: string;
    erased: string;
    /** The conversation sets the session may be a member of. */
    conversations: string[];
    /**
     * Records named by turn or notification id that the session's transcript, outbox and late
     * list point at (results, claims, notification records): deleted if still there.
     */
    records: string[];
  };
  sessionKey: string;
  /** How long the erase marker stays: turns still queued are done or expired by then (TURN_RETENTION_SECONDS). */
  markerTtlMs: number;
}

/** How many keys or index memberships went (0: nothing was stored), and whether turns were in flight. */
export interface EraseSessionReply {
  removed: number;
  inFlight: boolean;
}

/**
 * Deletes what the gateway keeps about one bot session, in one step: transcript (and its count),
 * session state, outbox (and its index membership), late results, session and conversation index
 * memberships, and the per-turn results and notification records the caller found through them
 * (they do not count as "found": the session's own keys say whether anything was stored). Turns queued or running are left to finish (their inbox, records and results
 * expire with TURN_RETENTION_SECONDS): the customer still gets their answers. So that those turns
 * do not write the session back, the marker records the last acceptance number now taken; the
 * completion script answers turns up to it but records nothing (no transcript entry, session
 * state or index membership), and TranscriptStore.append skips while it exists. With no turn
 * queued, the acceptance counter goes too and no marker is needed.
 */
export const eraseSession = defineLuaScript<EraseSessionInput, EraseSessionReply>({
  name: 'gbgEraseSession',
  lua: `
local transcript, count, session, outbox, outboxIndex, late, sessionIndex, seq, inbox, erased =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local sessionKey, markerTtlMs = ARGV[1], ARGV[2]
local removed = redis.call('DEL', transcript, count, session, outbox, late)
removed = removed + redis.call('ZREM', outboxIndex, sessionKey) + redis.call('ZREM', sessionIndex, sessionKey)
local conversations = tonumber(ARGV[3])
for i = 11, 10 + conversations do removed = removed + redis.call('SREM', KEYS[i], sessionKey) end
for i = 11 + conversations, #KEYS do redis.call('DEL', KEYS[i]) end
local inFlight = redis.call('LLEN', inbox) > 0
if inFlight then
  redis.call('SET', erased, redis.call('GET', seq) or '0', 'PX', markerTtlMs)
  -- The counter must outlive the marker: restarting at 1 would pass new turns off as old ones.
  if redis.call('PTTL', seq) < tonumber(markerTtlMs) then redis.call('PEXPIRE', seq, markerTtlMs) end
else
  -- An older marker goes with the counter, for the same reason.
  removed = removed + redis.call('DEL', seq)
  redis.call('DEL', erased)
end
return {removed, inFlight and 1 or 0}
`,
  keys: ({ keys: k }) => [k.transcript, k.count, k.session, k.outbox, k.outboxIndex, k.late, k.sessionIndex, k.sessionSeq, k.inbox, k.erased, ...k.conversations, ...k.records],
  argv: (i) => [i.sessionKey, i.markerTtlMs, i.keys.conversations.length],
  reply: (raw) => {
    const [removed, inFlight] = raw as number[];
    return { removed: Number(removed), inFlight: inFlight === 1 };
  },
});
