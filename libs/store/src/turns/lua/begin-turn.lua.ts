import { defineLuaScript } from '@app/redis/lua-script.js';

export interface BeginTurnInput {
  keys: { inbox: string; session: string; late: string; outbox: string };
}

export interface BeginTurnReply {
  /** v2 results waiting in the session's outbox: they go out before the next turn runs. */
  outboxPending: number;
  /** The session's head turn, with the session state and late results read in the same instant. */
  head?: { turnId: string; sessionJson?: string; lateJson: string[] };
}

/**
 * What a worker needs to run a session's next turn, read atomically: the outbox length, the head
 * turn id, the session state and the late results. The turn record itself is read by the caller
 * from the id: its key depends on the head, and a script may only touch keys declared up front
 * (Redis Cluster). The record is written once at accept and removed only by the head's completion,
 * so reading it a moment later sees the same value.
 */
export const beginTurn = defineLuaScript<BeginTurnInput, BeginTurnReply>({
  name: 'gbgBeginTurn',
  lua: `
local inbox, session, late, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local pending = tostring(redis.call('LLEN', outbox))
local id = redis.call('LINDEX', inbox, 0)
if not id then return {pending} end
local result = {pending, id, redis.call('GET', session) or ''}
for _, r in ipairs(redis.call('LRANGE', late, 0, -1)) do result[#result + 1] = r end
return result
`,
  keys: ({ keys: k }) => [k.inbox, k.session, k.late, k.outbox],
  argv: () => [],
  reply: (raw) => {
    const [pending, turnId, session, ...late] = raw as string[];
    const outboxPending = Number(pending ?? 0);
    if (turnId === undefined) return { outboxPending };
    return { outboxPending, head: { turnId, sessionJson: session || undefined, lateJson: late } };
  },
});
