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
