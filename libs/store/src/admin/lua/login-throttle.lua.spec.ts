import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../redis-keys.js';
import { beginLogin, loginSucceeded } from './login-throttle.lua.js';

// The login throttle's scripts called directly on a real Redis; own prefix, own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const k = new RedisKeys(`tlt${randomBytes(4).toString('hex')}`);

afterAll(async () => {
  const found = await redis.keys(`${k.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

let n = 0;
function counters() {
  n++;
  return { userCounter: k.adminLoginFailures(`user:u${n}`), addressCounter: k.adminLoginFailures(`ip:a${n}`) };
}

describe('login throttle scripts', () => {
  it('counts both counters with the window TTL, then refuses at a limit without counting, with the wait', async () => {
    const keys = counters();
    const begin = () => beginLogin(redis, { keys, windowMs: 60_000, perUser: 2, perAddress: 5 });
    expect(await begin()).toBe(0);
    expect(await begin()).toBe(0);
    expect(await redis.pttl(keys.userCounter)).toBeGreaterThan(59_000);
    expect(await redis.pttl(keys.addressCounter)).toBeGreaterThan(59_000);
    const wait = await begin();
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect([await redis.get(keys.userCounter), await redis.get(keys.addressCounter)]).toEqual(['2', '2']);
  });

  it('gives a counter at its limit without an expiry the window, so it cannot block forever', async () => {
    const keys = counters();
    await redis.set(keys.addressCounter, '5');
    expect(await beginLogin(redis, { keys, windowMs: 30_000, perUser: 2, perAddress: 5 })).toBe(30_000);
    expect(await redis.pttl(keys.addressCounter)).toBeGreaterThan(29_000);
    expect(await redis.exists(keys.userCounter)).toBe(0);
  });

  it('admits again once the window expired', async () => {
    const keys = counters();
    // A window long enough that a busy machine cannot let it lapse between the first two calls.
    const begin = () => beginLogin(redis, { keys, windowMs: 500, perUser: 1, perAddress: 5 });
    expect(await begin()).toBe(0);
    expect(await begin()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 650));
    expect(await begin()).toBe(0);
  });

  it('a success clears the user, gives one attempt back to the address, and twice never goes below zero', async () => {
    const keys = counters();
    await beginLogin(redis, { keys, windowMs: 60_000, perUser: 5, perAddress: 5 });
    await loginSucceeded(redis, { keys });
    expect(await redis.exists(keys.userCounter)).toBe(0);
    expect(await redis.get(keys.addressCounter)).toBe('0');
    await loginSucceeded(redis, { keys });
    expect(await redis.get(keys.addressCounter)).toBe('0');
    expect(await redis.pttl(keys.addressCounter)).toBeGreaterThan(0);
  });
});
