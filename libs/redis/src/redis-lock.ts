import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { releaseLock } from './lock.lua.js';

/** Takes `key` for `ttlMs` when free; the token to release it with, or undefined when held. */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<string | undefined> {
  const token = randomBytes(16).toString('hex');
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
}

/** Releases the lock only while it is still ours: it may have expired and been taken by another holder. */
export async function unlock(redis: Redis, key: string, token: string): Promise<void> {
  await releaseLock(redis, { keys: { lock: key }, token });
}
