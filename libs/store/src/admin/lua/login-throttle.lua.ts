import { defineLuaScript } from '@app/redis/lua-script.js';

/** Key prefix: both counters come from RedisKeys.adminLoginFailures, under `${REDIS_PREFIX}:` (hash-taggable). */
export interface LoginCountersInput {
  keys: { userCounter: string; addressCounter: string };
}

export interface BeginLoginInput extends LoginCountersInput {
  windowMs: number;
  perUser: number;
  perAddress: number;
}

/**
 * Either counter at its limit: nothing is counted, and the answer is the ms until the fuller one
 * (the longest wait) expires. Else both are counted, and a counter without an expiry gets the
 * window. One script, so a parallel burst cannot read the same count and all go through.
 * Returns the wait in ms, 0 when admitted.
 */
export const beginLogin = defineLuaScript<BeginLoginInput, number>({
  name: 'gbgLoginBegin',
  lua: `
local windowMs = ARGV[1]
local limits = { tonumber(ARGV[2]), tonumber(ARGV[3]) }
local wait = 0
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= limits[i] then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then
      redis.call('PEXPIRE', KEYS[i], windowMs)
      ttl = tonumber(windowMs)
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], windowMs) end
end
return 0
`,
  keys: ({ keys: k }) => [k.userCounter, k.addressCounter],
  argv: (i) => [i.windowMs, i.perUser, i.perAddress],
  reply: (raw) => raw as number,
});

/**
 * A right password clears its user's count, and gives its own attempt back to the address (never
 * below zero, never making a counter without expiry): other users behind that address keep theirs.
 */
export const loginSucceeded = defineLuaScript<LoginCountersInput, void>({
  name: 'gbgLoginSucceeded',
  lua: `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`,
  keys: ({ keys: k }) => [k.userCounter, k.addressCounter],
  argv: () => [],
  reply: () => undefined,
});
