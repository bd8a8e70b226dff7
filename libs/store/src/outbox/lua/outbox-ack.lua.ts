import { defineLuaScript } from '@app/redis/lua-script.js';

export interface OutboxAckInput {
  keys: { outbox: string; outboxIndex: string; lock: string };
  /** The head entry exactly as read (and sent). */
  entryJson: string;
  sessionKey: string;
  lockToken: string;
  nowMs: number;
}

/** `lock-lost`: the sender's lock expired (stop sending); `not-head`: the entry is no longer first. */
export type OutboxAckReply = 'acked' | 'not-head' | 'lock-lost';

/**
 * Removes the head only if it is still the entry that was sent and the sender still holds the
 * lock: a sender whose lock expired must not remove what a successor is working on. The index
 * score moves to now while entries remain, so the sweeper leaves an outbox being sent alone.
 */
export const ackOutboxHead = defineLuaScript<OutboxAckInput, OutboxAckReply>({
  name: 'gbgOutboxAck',
  lua: `
local outbox, outboxIndex, lock = KEYS[1], KEYS[2], KEYS[3]
local entryJson, sessionKey, lockToken, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', lock) ~= lockToken then return -1 end
if redis.call('LINDEX', outbox, 0) ~= entryJson then return 0 end
redis.call('LPOP', outbox)
if redis.call('LLEN', outbox) == 0 then redis.call('ZREM', outboxIndex, sessionKey)
else redis.call('ZADD', outboxIndex, 'XX', now, sessionKey) end
return 1
`,
  keys: ({ keys: k }) => [k.outbox, k.outboxIndex, k.lock],
  argv: (i) => [i.entryJson, i.sessionKey, i.lockToken, i.nowMs],
  reply: (raw) => (raw === 1 ? 'acked' : raw === -1 ? 'lock-lost' : 'not-head'),
});

export interface ForgetOutboxInput {
  keys: { outbox: string; outboxIndex: string };
  sessionKey: string;
}

/** An outbox that expired (session TTL) leaves the index; true when it did. */
export const forgetOutboxIfEmpty = defineLuaScript<ForgetOutboxInput, boolean>({
  name: 'gbgOutboxForget',
  lua: `if redis.call('LLEN', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[1]) end return 0`,
  keys: ({ keys: k }) => [k.outbox, k.outboxIndex],
  argv: (i) => [i.sessionKey],
  reply: (raw) => raw === 1,
});

export interface StuckReportInput {
  keys: { reports: string };
  channelId: string;
  cause: string;
  nowMs: number;
  /** The same cause is said again after this long, so a restart or a later shift sees it too. */
  repeatAfterMs: number;
}

/**
 * Records that the channel's stuck outboxes are reported with `cause`; true when the caller should
 * log it: the cause is new or changed for the channel, or was last said `repeatAfterMs` ago.
 * Atomic, so of the workers whose sweeps find the same stuck outbox at once, one says so.
 */
export const claimStuckReport = defineLuaScript<StuckReportInput, boolean>({
  name: 'gbgOutboxStuckReport',
  lua: `
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if prev then
  local sep = string.find(prev, '|', 1, true)
  if sep and string.sub(prev, sep + 1) == ARGV[2] and tonumber(ARGV[3]) - tonumber(string.sub(prev, 1, sep - 1)) < tonumber(ARGV[4]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. '|' .. ARGV[2])
return 1
`,
  keys: ({ keys: k }) => [k.reports],
  argv: (i) => [i.channelId, i.cause, i.nowMs, i.repeatAfterMs],
  reply: (raw) => raw === 1,
});
