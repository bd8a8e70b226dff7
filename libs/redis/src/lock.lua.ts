import { defineLuaScript } from './lua-script.js';

/** A lock is a key SET NX PX to a random token; only the holder of the token may extend or release it. */
export interface LockInput {
  keys: { lock: string };
  token: string;
}

/** Renews the lock's TTL while it is still ours; false when it expired and may be someone else's. */
export const extendLock = defineLuaScript<LockInput & { ttlMs: number }, boolean>({
  name: 'gbgExtendLock',
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
  keys: ({ keys: k }) => [k.lock],
  argv: (i) => [i.token, i.ttlMs],
  reply: (raw) => raw === 1,
});

/** Deletes the lock only while it is still ours: it may have expired and been taken by another holder. */
export const releaseLock = defineLuaScript<LockInput, boolean>({
  name: 'gbgReleaseLock',
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
  keys: ({ keys: k }) => [k.lock],
  argv: (i) => [i.token],
  reply: (raw) => raw === 1,
});
