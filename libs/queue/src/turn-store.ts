import type { Redis } from 'ioredis';
import type { OutboxEntry, TurnEnvelope, TurnResult } from './queue-contracts.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * The turn lifecycle in Redis, as atomic scripts. The ingress accepts turns and, at its
 * deadline, races the worker for the right to answer (the "claim"); the worker completes turns.
 * Whoever claims first answers Genesys: if the ingress fell back, the worker's replies are parked
 * in the session's late list and delivered with the session's next response.
 */

/*
 * KEYS: turn, replyto, result, inbox, sessionSeq, claim   ARGV: envelopeJson, ingressId, ttlMs, turnId, sessionTtlMs
 * The envelope's leading `"seq":0` is replaced by the session's acceptance sequence number, so
 * the order turns were accepted in is recorded where the worker and the transcript can see it.
 */
const ACCEPT = `
local r = redis.call('GET', KEYS[3])
if r then
  -- The first delivery was answered by the fallback: its result waits in the late list for the
  -- session's next turn, so a redelivery gets the fallback again, not the result a second time.
  if redis.call('GET', KEYS[6]) == 'fallback' then return {'dup-held'} end
  return {'dup', r}
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SADD', KEYS[2], ARGV[2]); redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {'dup'}
end
local seq = redis.call('INCR', KEYS[5]); redis.call('PEXPIRE', KEYS[5], ARGV[5])
redis.call('SET', KEYS[1], (string.gsub(ARGV[1], '"seq":0', '"seq":' .. seq, 1)), 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[2]); redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[4], ARGV[4]); redis.call('PEXPIRE', KEYS[4], ARGV[3])
return {'new', tostring(seq)}
`;

const CLAIM_FALLBACK = `
if redis.call('SET', KEYS[1], 'fallback', 'NX', 'PX', ARGV[1]) then return {'fallback'} end
-- Another delivery of the same turn already fell back: its result belongs to the late list.
if redis.call('GET', KEYS[1]) == 'fallback' then return {'fallback'} end
local r = redis.call('GET', KEYS[2])
if r then return {'result', r} end
return {'fallback'}
`;

/*
 * KEYS: inbox, result, claim, replyto, late, session, transcript, sessionIndex, turn, outbox, outboxIndex
 * ARGV: turnId, resultJson, resultTtlMs, streamPrefix, streamMaxLen, sessionJson, sessionTtlMs,
 *       transcriptJson, transcriptTtlMs, sessionKey, nowMs, lateJson, lateConsumed, lateAfterMs,
 *       outboxJson
 * A result the ingress did not wait for is parked: in the late list (v1, delivered with the
 * session's next response) or, when outboxJson is given (v2), in the outbox, to be sent through
 * the outgoing-messages API. Returns delivered | late | outbox | fenced.
 * The head-of-inbox check fences a worker that lost its job lock: only the holder of the
 * session's head turn may write, so a stale run can never overwrite newer session state.
 * The turn record and its waiter set go once answered; the result stays for the retention window
 * and is what a redelivery of the same messageId gets.
 */
const COMPLETE = `
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return 'fenced' end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
local consumed = tonumber(ARGV[13])
if consumed > 0 then redis.call('LTRIM', KEYS[5], consumed, -1) end
local delivered = 'late'
local claimed = false
if tonumber(ARGV[11]) < tonumber(ARGV[14]) then
  claimed = redis.call('SET', KEYS[3], 'worker', 'NX', 'PX', ARGV[3])
else
  -- Long past the reply deadline: whoever was waiting has answered with the fallback, even if its
  -- claim never reached Redis (Redis error at that instant, ingress crash), so park the result.
  redis.call('SET', KEYS[3], 'fallback', 'NX', 'PX', ARGV[3])
end
if claimed then
  delivered = 'delivered'
  for _, m in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    local sk = ARGV[4] .. m
    redis.call('XADD', sk, 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[1], 'r', ARGV[2])
    redis.call('PEXPIRE', sk, 300000)
  end
elseif ARGV[15] ~= '' then
  delivered = 'outbox'
  redis.call('RPUSH', KEYS[10], ARGV[15]); redis.call('PEXPIRE', KEYS[10], ARGV[7])
  redis.call('ZADD', KEYS[11], 'NX', ARGV[11], ARGV[10])
elseif ARGV[12] ~= '' then
  redis.call('RPUSH', KEYS[5], ARGV[12]); redis.call('PEXPIRE', KEYS[5], ARGV[7])
end
redis.call('SET', KEYS[6], ARGV[6], 'PX', ARGV[7])
local entry = ARGV[8]
if delivered ~= 'delivered' then entry = string.gsub(entry, '"late":false', '"late":true', 1) end
redis.call('RPUSH', KEYS[7], entry); redis.call('PEXPIRE', KEYS[7], ARGV[9])
redis.call('ZADD', KEYS[8], ARGV[11], ARGV[10])
-- Sessions whose transcript has expired leave the index too, so it does not grow forever.
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', '(' .. (tonumber(ARGV[11]) - tonumber(ARGV[9])))
redis.call('LPOP', KEYS[1])
redis.call('DEL', KEYS[4], KEYS[9])
return delivered
`;

/*
 * KEYS: inbox, session, late, outbox   ARGV: turnKeyPrefix
 * Everything a worker needs to run a session's next turn, in one round trip: how many v2 results
 * wait in the outbox (they go out first), the head turn id, its record, the session state and
 * the late results waiting to be delivered. The turn key is built from the head id, which only
 * this script knows (single-instance Redis, like the reply streams below).
 */
const BEGIN = `
local pending = tostring(redis.call('LLEN', KEYS[4]))
local id = redis.call('LINDEX', KEYS[1], 0)
if not id then return {pending} end
local result = {pending, id, redis.call('GET', ARGV[1] .. id) or '', redis.call('GET', KEYS[2]) or ''}
for _, r in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do result[#result + 1] = r end
return result
`;

const DROP_HEAD = `
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]); return 1 end
return 0
`;

type ScriptedRedis = Redis & {
  gbgAccept(k1: string, k2: string, k3: string, k4: string, k5: string, k6: string, a1: string, a2: string, a3: number, a4: string, a5: number): Promise<string[]>;
  gbgClaimFallback(k1: string, k2: string, a1: number): Promise<string[]>;
  gbgComplete(...args: (string | number)[]): Promise<string>;
  gbgDropHead(k1: string, a1: string): Promise<number>;
  gbgBegin(k1: string, k2: string, k3: string, k4: string, a1: string): Promise<string[]>;
};

export function defineTurnScripts(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.gbgAccept !== 'function') {
    redis.defineCommand('gbgAccept', { numberOfKeys: 6, lua: ACCEPT });
    redis.defineCommand('gbgClaimFallback', { numberOfKeys: 2, lua: CLAIM_FALLBACK });
    redis.defineCommand('gbgComplete', { numberOfKeys: 11, lua: COMPLETE });
    redis.defineCommand('gbgDropHead', { numberOfKeys: 1, lua: DROP_HEAD });
    redis.defineCommand('gbgBegin', { numberOfKeys: 4, lua: BEGIN });
  }
  return r;
}

export type AcceptResult =
  | { status: 'new'; seq: number }
  | { status: 'duplicate'; result?: TurnResult }
  /** A redelivery of a turn that was answered with the deadline fallback. */
  | { status: 'duplicate-held' };

/**
 * How long after a turn's deadline a result still goes to the waiting ingress when nobody claimed
 * the turn. Beyond it the ingress has certainly answered (it claims at the deadline), so a missing
 * claim means the claim was lost, and the result is parked for the next turn instead.
 */
const LATE_GRACE_MS = 2000;

export interface NextTurn {
  turnId: string;
  /** Undefined when the record expired before any worker got to it. */
  envelope?: TurnEnvelope;
  sessionJson?: string;
  late: TurnResult[];
}

export interface CompleteTurnInput {
  envelope: TurnEnvelope;
  result: TurnResult;
  /** Serialized session state to store, with its TTL. */
  sessionJson: string;
  sessionTtlMs: number;
  transcriptJson: string;
  transcriptTtlMs: number;
  /** How many late results from earlier turns this response delivered. */
  lateConsumed: number;
  /** v2: where the result goes when the ingress stopped waiting (see OutboxEntry). */
  outbox?: OutboxEntry;
}

export type CompleteOutcome = 'delivered' | 'late' | 'outbox' | 'fenced';

export class TurnStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
    private readonly turnTtlMs: number,
  ) {
    this.redis = defineTurnScripts(redis);
  }

  async accept(envelope: TurnEnvelope): Promise<AcceptResult> {
    const k = this.keys;
    const reply = await this.redis.gbgAccept(
      k.turn(envelope.turnId),
      k.replyTo(envelope.turnId),
      k.result(envelope.turnId),
      k.inbox(envelope.sessionKey),
      k.sessionSeq(envelope.sessionKey),
      k.claim(envelope.turnId),
      JSON.stringify({ ...envelope, seq: 0 }),
      envelope.ingressId,
      this.turnTtlMs,
      envelope.turnId,
      Math.max(this.turnTtlMs, (envelope.request.botSessionTimeout ?? 60) * 60_000),
    );
    if (reply[0] === 'new') return { status: 'new', seq: Number(reply[1]) };
    if (reply[0] === 'dup-held') return { status: 'duplicate-held' };
    return { status: 'duplicate', result: reply[1] ? (JSON.parse(reply[1]) as TurnResult) : undefined };
  }

  /** Returns the worker's result if it won the race, or undefined when the ingress must fall back. */
  async claimFallback(turnId: string): Promise<TurnResult | undefined> {
    const reply = await this.redis.gbgClaimFallback(this.keys.claim(turnId), this.keys.result(turnId), this.turnTtlMs);
    return reply[0] === 'result' && reply[1] ? (JSON.parse(reply[1]) as TurnResult) : undefined;
  }

  /**
   * The session's next turn with everything needed to run it (undefined when the inbox is empty),
   * and how many v2 results wait in its outbox: those must go out before the turn runs.
   */
  async begin(sessionKey: string): Promise<{ outboxPending: number; next?: NextTurn }> {
    const k = this.keys;
    const reply = await this.redis.gbgBegin(k.inbox(sessionKey), k.session(sessionKey), k.late(sessionKey), k.outbox(sessionKey), k.turn(''));
    const [pending, turnId, envelope, session, ...late] = reply;
    const outboxPending = Number(pending ?? 0);
    if (turnId === undefined) return { outboxPending };
    return {
      outboxPending,
      next: {
        turnId,
        envelope: envelope ? (JSON.parse(envelope) as TurnEnvelope) : undefined,
        sessionJson: session || undefined,
        late: late.map((r) => JSON.parse(r) as TurnResult),
      },
    };
  }

  async dropHead(sessionKey: string, turnId: string): Promise<boolean> {
    return (await this.redis.gbgDropHead(this.keys.inbox(sessionKey), turnId)) === 1;
  }

  async complete(input: CompleteTurnInput, streamMaxLen = 10000): Promise<CompleteOutcome> {
    const k = this.keys;
    const { envelope, result } = input;
    const resultJson = JSON.stringify(result);
    return (await this.redis.gbgComplete(
      k.inbox(envelope.sessionKey),
      k.result(envelope.turnId),
      k.claim(envelope.turnId),
      k.replyTo(envelope.turnId),
      k.late(envelope.sessionKey),
      k.session(envelope.sessionKey),
      k.transcript(envelope.sessionKey),
      k.sessionIndex(),
      k.turn(envelope.turnId),
      k.outbox(envelope.sessionKey),
      k.outboxIndex(),
      envelope.turnId,
      resultJson,
      this.turnTtlMs,
      k.replyStreamPrefix(),
      streamMaxLen,
      input.sessionJson,
      input.sessionTtlMs,
      input.transcriptJson,
      input.transcriptTtlMs,
      envelope.sessionKey,
      Date.now(),
      resultJson,
      input.lateConsumed,
      (envelope.deadlineAt ?? Number.MAX_SAFE_INTEGER - LATE_GRACE_MS) + LATE_GRACE_MS,
      input.outbox ? JSON.stringify(input.outbox) : '',
    )) as CompleteOutcome;
  }
}
