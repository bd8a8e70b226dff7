import { defineLuaScript } from '@app/redis/lua-script.js';

export interface NextSlotInput {
  keys: { nextSlot: string };
  nowMs: number;
  intervalMs: number;
}

/**
 * The channel's next free send time. Free now: take it (the next one is an interval later) and
 * answer 0. Otherwise answer how long until it is free, without taking anything.
 */
export const takeSendSlot = defineLuaScript<NextSlotInput, number>({
  name: 'next-slot',
  lua: `
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
if slot > now then return slot - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) + 1000)
return 0
`,
  keys: (i) => [i.keys.nextSlot],
  argv: (i) => [i.nowMs, i.intervalMs],
  reply: (raw) => Number(raw),
});
