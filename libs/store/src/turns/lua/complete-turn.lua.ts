import { defineLuaScript } from '@app/redis/lua-script.js';
import type { RedisKeys } from '../../redis-keys.js';
import { APPEND_TRANSCRIPT_LUA } from '../../sessions/lua/transcript-lua.js';

export interface CompleteTurnScriptInput {
  keys: {
    inbox: string;
    result: string;
    claim: string;
    replyTo: string;
    late: string;
    session: string;
    transcript: string;
    sessionIndex: string;
    turn: string;
    outbox: string;
    outboxIndex: string;
    transcriptCount: string;
    /** The Genesys conversation's session set (any key when the turn names no conversation). */
    conversation: string;
    erased: string;
  };
  /**
   * Reply streams by ingress id, for the waiters the caller knows of. The script declines (reply
   * `streams`) when the turn has a waiter not in here, and the caller runs it again with them.
   */
  replyStreams: Record<string, string>;
  turnId: string;
  resultJson: string;
  resultTtlMs: number;
  streamMaxLen: number;
  sessionJson: string;
  sessionTtlMs: number;
  /** The transcript entry as delivered in time, and as written when the result was parked. */
  transcriptJson: string;
  transcriptLateJson: string;
  transcriptTtlMs: number;
  /** TRANSCRIPT_MAX_ENTRIES: the transcript keeps only the newest this many. */
  transcriptMaxEntries: number;
  /** The turn's acceptance number: compared with the session's erase marker. */
  seq: number;
  /** Whether `keys.conversation` is the turn's conversation (false: the turn names none). */
  indexConversation: boolean;
  sessionKey: string;
  nowMs: number;
  /** How many late results from earlier turns this response delivered. */
  lateConsumed: number;
  /** From then on, an unclaimed turn counts as answered by the fallback. */
  lateAfterMs: number;
  /** v2: the outbox entry for a result the ingress did not wait for. */
  outboxJson?: string;
}

/** The fixed keys of one turn's completion, derived in TypeScript (every key the script touches is declared). */
export function completeTurnKeys(k: RedisKeys, turnId: string, sessionKey: string, genesysConversationId?: string): CompleteTurnScriptInput['keys'] {
  return {
    inbox: k.inbox(sessionKey),
    result: k.result(turnId),
    claim: k.claim(turnId),
    replyTo: k.replyTo(turnId),
    late: k.late(sessionKey),
    session: k.session(sessionKey),
    transcript: k.transcript(sessionKey),
    sessionIndex: k.sessionIndex(),
    turn: k.turn(turnId),
    outbox: k.outbox(sessionKey),
    outboxIndex: k.outboxIndex(),
    transcriptCount: k.transcriptCount(sessionKey),
    conversation: k.conversationSessions(genesysConversationId ?? ''),
    erased: k.sessionErased(sessionKey),
  };
}

export type CompleteTurnReply = { status: 'delivered' | 'late' | 'outbox' | 'fenced' } | { status: 'streams'; ingressIds: string[] };

/** Reply streams keep results for this long (ms) for an ingress to read. */
const REPLY_STREAM_TTL_MS = 300_000;
const FIXED_KEYS = 14;

/**
 * Completes a session's head turn: stores the result, then delivers it to the waiting ingress
 * streams if the worker claims the turn first, else parks it (v1: the late list, delivered with
 * the session's next response; v2: the outbox). Writes the session state and the transcript entry,
 * and removes the turn from the inbox.
 * Fencing: only the holder of the session's head turn may write, so a stale run (a worker that
 * lost its job lock) can never overwrite newer session state: it gets `fenced` and nothing changes.
 * The turn record and its waiter set go once answered; the result stays for the retention window
 * and is what a redelivery of the same messageId gets.
 * A turn accepted before its session was deleted (seq up to the erase marker) is answered as
 * usual, but records nothing: no transcript entry, session state or index membership.
 */
export const completeTurn = defineLuaScript<CompleteTurnScriptInput, CompleteTurnReply>({
  name: 'gbgCompleteTurn',
  lua: `${APPEND_TRANSCRIPT_LUA}
local inbox, result, claim, replyTo, late, session, transcript, sessionIndex, turn, outbox, outboxIndex =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local transcriptCount, conversation, erased = KEYS[12], KEYS[13], KEYS[14]
local turnId, resultJson, resultTtlMs, streamMaxLen, streamTtlMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local sessionJson, sessionTtlMs = ARGV[6], ARGV[7]
local transcriptJson, transcriptLateJson, transcriptTtlMs = ARGV[8], ARGV[9], ARGV[10]
local sessionKey, now, lateConsumed, lateAfter, outboxJson = ARGV[11], tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14]), ARGV[15]
local seq, maxEntries, indexConversation = tonumber(ARGV[16]), tonumber(ARGV[17]), ARGV[18] == '1'
-- KEYS[15..] are the reply streams of the ingress ids in ARGV[19..], in the same order.
local FIXED_KEYS, FIXED_ARGS = ${FIXED_KEYS}, 18

if redis.call('LINDEX', inbox, 0) ~= turnId then return {'fenced'} end
local inTime = now < lateAfter
local streams = {}
if inTime then
  local byIngress = {}
  for i = FIXED_KEYS + 1, #KEYS do byIngress[ARGV[i - FIXED_KEYS + FIXED_ARGS]] = KEYS[i] end
  local members = redis.call('SMEMBERS', replyTo)
  for _, m in ipairs(members) do
    -- A waiter whose stream was not declared: nothing written yet, the caller declares it and retries.
    if not byIngress[m] then return {'streams', unpack(members)} end
    streams[#streams + 1] = byIngress[m]
  end
end

redis.call('SET', result, resultJson, 'PX', resultTtlMs)
if lateConsumed > 0 then redis.call('LTRIM', late, lateConsumed, -1) end
local delivered = 'late'
local claimed = false
if inTime then
  claimed = redis.call('SET', claim, 'worker', 'NX', 'PX', resultTtlMs)
else
  -- Long past the reply deadline: whoever was waiting has answered with the fallback, even if its
  -- claim never reached Redis (Redis error at that instant, ingress crash), so park the result.
  redis.call('SET', claim, 'fallback', 'NX', 'PX', resultTtlMs)
end
if claimed then
  delivered = 'delivered'
  for _, sk in ipairs(streams) do
    redis.call('XADD', sk, 'MAXLEN', '~', streamMaxLen, '*', 'id', turnId, 'r', resultJson)
    redis.call('PEXPIRE', sk, streamTtlMs)
  end
elseif outboxJson ~= '' then
  delivered = 'outbox'
  redis.call('RPUSH', outbox, outboxJson); redis.call('PEXPIRE', outbox, sessionTtlMs)
  redis.call('ZADD', outboxIndex, 'NX', now, sessionKey)
else
  redis.call('RPUSH', late, resultJson); redis.call('PEXPIRE', late, sessionTtlMs)
end
local erasedUpTo = tonumber(redis.call('GET', erased) or '-1')
if seq > erasedUpTo then
  redis.call('SET', session, sessionJson, 'PX', sessionTtlMs)
  local entry = transcriptLateJson
  if delivered == 'delivered' then entry = transcriptJson end
  if not indexConversation then conversation = nil end
  appendTranscript(transcript, transcriptCount, conversation, entry, transcriptTtlMs, maxEntries, sessionKey)
  redis.call('ZADD', sessionIndex, now, sessionKey)
end
-- Sessions whose transcript has expired leave the index too, so it does not grow forever.
redis.call('ZREMRANGEBYSCORE', sessionIndex, '-inf', '(' .. (now - tonumber(transcriptTtlMs)))
redis.call('LPOP', inbox)
redis.call('DEL', replyTo, turn)
return {delivered}
`,
  keys: ({ keys: k, replyStreams }) => [
    k.inbox,
    k.result,
    k.claim,
    k.replyTo,
    k.late,
    k.session,
    k.transcript,
    k.sessionIndex,
    k.turn,
    k.outbox,
    k.outboxIndex,
    k.transcriptCount,
    k.conversation,
    k.erased,
    ...Object.values(replyStreams),
  ],
  argv: (i) => [
    i.turnId,
    i.resultJson,
    i.resultTtlMs,
    i.streamMaxLen,
    REPLY_STREAM_TTL_MS,
    i.sessionJson,
    i.sessionTtlMs,
    i.transcriptJson,
    i.transcriptLateJson,
    i.transcriptTtlMs,
    i.sessionKey,
    i.nowMs,
    i.lateConsumed,
    i.lateAfterMs,
    i.outboxJson ?? '',
    i.seq,
    i.transcriptMaxEntries,
    i.indexConversation ? '1' : '0',
    ...Object.keys(i.replyStreams),
  ],
  reply: (raw) => {
    const [status, ...rest] = raw as string[];
    if (status === 'streams') return { status, ingressIds: rest };
    return { status: status as 'delivered' | 'late' | 'outbox' | 'fenced' };
  },
});
