import { defineLuaScript } from '@app/redis/lua-script.js';

export interface AcceptNotificationInput {
  keys: { idempotency: string; record: string };
  id: string;
  recordJson: string;
  ttlMs: number;
}

export type AcceptNotificationReply = { created: true; id: string } | { created: false; id: string };

/**
 * One notification per (channel, idempotency key), decided atomically: a second request with the
 * same key gets the first one's id, whatever state it is in. Both keys get the retention TTL.
 */
export const acceptNotification = defineLuaScript<AcceptNotificationInput, AcceptNotificationReply>({
  name: 'gbgNotificationAccept',
  lua: `
local idempotency, record = KEYS[1], KEYS[2]
local existing = redis.call('GET', idempotency)
if existing then return {'dup', existing} end
redis.call('SET', idempotency, ARGV[1], 'PX', ARGV[3])
redis.call('SET', record, ARGV[2], 'PX', ARGV[3])
return {'new', ARGV[1]}
`,
  keys: ({ keys: k }) => [k.idempotency, k.record],
  argv: (i) => [i.id, i.recordJson, i.ttlMs],
  reply: (raw) => {
    const [kind, id] = raw as string[];
    return { created: kind === 'new', id: id! };
  },
});
