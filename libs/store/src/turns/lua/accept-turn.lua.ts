import { defineLuaScript } from '@app/redis/lua-script.js';

/*
 * Key prefix: every key below comes from RedisKeys, so all share `${REDIS_PREFIX}:`. On Redis
 * Cluster, a prefix that is a hash tag (`{gbg}`) would put them in one slot; REDIS_PREFIX does not
 * accept braces yet (the cluster work of issue 12 decides the tag). The same holds for every script
 * in this folder.
 */
export interface AcceptTurnInput {
  keys: { turn: string; replyTo: string; result: string; inbox: string; sessionSeq: string; claim: string };
  turnId: string;
  ingressId: string;
  /** The envelope as JSON whose first member is `"seq"`: the script writes the acceptance number there. */
  envelopeJson: string;
  ttlMs: number;
  sessionTtlMs: number;
}

export type AcceptTurnReply = { status: 'new'; seq: number } | { status: 'duplicate'; resultJson?: string } | { status: 'duplicate-held' };

const SEQ_HEAD = '{"seq":0';

/** The envelope JSON with `seq` first and its value left out, for the script to prepend `{"seq":N`. */
export function envelopeTailOf(envelopeJson: string): string {
  if (!envelopeJson.startsWith(SEQ_HEAD)) throw new Error('accept-turn: the envelope JSON must start with {"seq":0');
  return envelopeJson.slice(SEQ_HEAD.length);
}

/**
 * Accepts a turn once: a turn with a result answers duplicates from it (or with the fallback if
 * that result was parked), a turn still in flight adds the caller to its waiters, a new turn gets
 * the session's next acceptance number, its record and its place in the session's inbox.
 * The number is written as the envelope's first member (`{"seq":N` + the rest as sent), not by
 * patching the JSON: cjson on Redis 7.0 would turn `[]` into `{}` and round numbers to 14 digits.
 */
export const acceptTurn = defineLuaScript<AcceptTurnInput, AcceptTurnReply>({
  name: 'gbgAcceptTurn',
  lua: `
local turn, replyTo, result, inbox, sessionSeq, claim = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local envelopeTail, ingressId, ttlMs, turnId, sessionTtlMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local r = redis.call('GET', result)
if r then
  -- The first delivery was answered by the fallback: its result waits in the late list for the
  -- session's next turn, so a redelivery gets the fallback again, not the result a second time.
  if redis.call('GET', claim) == 'fallback' then return {'dup-held'} end
  return {'dup', r}
end
if redis.call('EXISTS', turn) == 1 then
  redis.call('SADD', replyTo, ingressId); redis.call('PEXPIRE', replyTo, ttlMs)
  return {'dup'}
end
local seq = redis.call('INCR', sessionSeq); redis.call('PEXPIRE', sessionSeq, sessionTtlMs)
redis.call('SET', turn, '{"seq":' .. seq .. envelopeTail, 'PX', ttlMs)
redis.call('SADD', replyTo, ingressId); redis.call('PEXPIRE', replyTo, ttlMs)
redis.call('RPUSH', inbox, turnId); redis.call('PEXPIRE', inbox, ttlMs)
return {'new', tostring(seq)}
`,
  keys: ({ keys: k }) => [k.turn, k.replyTo, k.result, k.inbox, k.sessionSeq, k.claim],
  argv: (i) => [envelopeTailOf(i.envelopeJson), i.ingressId, i.ttlMs, i.turnId, i.sessionTtlMs],
  reply: (raw) => {
    const [kind, value] = raw as string[];
    if (kind === 'new') return { status: 'new', seq: Number(value) };
    if (kind === 'dup-held') return { status: 'duplicate-held' };
    return { status: 'duplicate', resultJson: value || undefined };
  },
});
