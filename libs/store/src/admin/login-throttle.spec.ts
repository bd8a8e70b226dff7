import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.js';
import { LOGIN_LIMITS, LoginThrottle } from './login-throttle.js';

// Real Redis, own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tlt${randomBytes(4).toString('hex')}`);
const throttle = new LoginThrottle(redis, keys);

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

let n = 0;
/** A fresh client address per test, so tests do not share the per-address counter. */
const address = () => `198.51.100.${++n}`;
const admitted = (answers: { admitted: boolean }[]) => answers.filter((a) => a.admitted).length;

describe('LoginThrottle (Lua on a real Redis)', () => {
  it('admits exactly the per-user limit out of a parallel burst, and says how long the rest must wait', async () => {
    const from = address();
    const answers = await Promise.all(Array.from({ length: 40 }, () => throttle.begin('Carol', from)));
    expect(admitted(answers)).toBe(LOGIN_LIMITS.perUser);
    for (const a of answers) if (!a.admitted) expect(a.retryAfterMs).toBeGreaterThan(LOGIN_LIMITS.windowMs - 5000);
    // The username is one subject whatever its case, whatever the address.
    expect((await throttle.begin('CAROL', address())).admitted).toBe(false);
  });

  it('admits exactly the per-address limit out of a burst over many usernames', async () => {
    const from = address();
    const answers = await Promise.all(Array.from({ length: 70 }, (_, i) => throttle.begin(`spray-${i}`, from)));
    expect(admitted(answers)).toBe(LOGIN_LIMITS.perAddress);
  });

  it('counts one IPv6 /64, and an IPv4 client in either spelling, as one address', async () => {
    const v6 = await Promise.all(Array.from({ length: 60 }, (_, i) => throttle.begin(`v6-${i}`, `2001:db8:77:1::${(i + 1).toString(16)}`)));
    expect(admitted(v6)).toBe(LOGIN_LIMITS.perAddress);
    expect((await throttle.begin('v6-next', '2001:db8:77:2::1')).admitted).toBe(true);
    const mapped = await Promise.all(Array.from({ length: 60 }, (_, i) => throttle.begin(`v4-${i}`, i % 2 ? '192.0.2.200' : '::ffff:192.0.2.200')));
    expect(admitted(mapped)).toBe(LOGIN_LIMITS.perAddress);
  });

  it('does not count right passwords: they give their attempt back, and clear their user’s count', async () => {
    const from = address();
    for (let i = 0; i < LOGIN_LIMITS.perAddress + 10; i++) {
      expect((await throttle.begin(`user-${i % 3}`, from)).admitted).toBe(true);
      await throttle.succeeded(`user-${i % 3}`, from);
    }
    // Nine wrong, then the right one is still admitted (under the limit) and clears the count.
    for (let i = 0; i < LOGIN_LIMITS.perUser - 1; i++) expect((await throttle.begin('dave', from)).admitted).toBe(true);
    expect((await throttle.begin('dave', from)).admitted).toBe(true);
    await throttle.succeeded('dave', from);
    const again = await Promise.all(Array.from({ length: 12 }, () => throttle.begin('dave', from)));
    expect(admitted(again)).toBe(LOGIN_LIMITS.perUser);
  });

  it('ends the lock with the window, which refused attempts do not extend', async () => {
    const short = new LoginThrottle(redis, keys, { perUser: 2, perAddress: 5, windowMs: 600 });
    const from = address();
    expect((await short.begin('erin', from)).admitted).toBe(true);
    expect((await short.begin('erin', from)).admitted).toBe(true);
    const refused = await short.begin('erin', from);
    expect(refused).toMatchObject({ admitted: false });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(600);
    await new Promise((r) => setTimeout(r, 200));
    expect((await short.begin('erin', from)).admitted).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect((await short.begin('erin', from)).admitted).toBe(true);
  });

  it('gives a counter left without an expiry the window, instead of locking forever', async () => {
    const userKey = keys.adminLoginFailures('user:frank');
    await redis.set(userKey, '10');
    const refused = await throttle.begin('frank', address());
    expect(refused).toEqual({ admitted: false, retryAfterMs: LOGIN_LIMITS.windowMs });
    expect(await redis.pttl(userKey)).toBeGreaterThan(0);
  });

  it('keeps failed logins in their own short stream, not in the audit log', async () => {
    const from = address();
    for (let i = 0; i < 3; i++) await throttle.failed(`grace-${i}`, from);
    const rows = await redis.xrevrange(keys.adminFailedLogins(), '+', '-', 'COUNT', 3);
    expect(rows.map(([, f]) => f)).toEqual([2, 1, 0].map((i) => ['username', `grace-${i}`, 'address', from]));
    expect(await redis.exists(keys.auditLog())).toBe(0);
    // Capped: a flood keeps about the last thousand.
    const tx = redis.multi();
    for (let i = 0; i < 3000; i++) tx.xadd(keys.adminFailedLogins(), '*', 'username', 'x', 'address', from);
    await tx.exec();
    await throttle.failed('last', from);
    expect(await redis.xlen(keys.adminFailedLogins())).toBeLessThanOrEqual(1100);
  });
});
