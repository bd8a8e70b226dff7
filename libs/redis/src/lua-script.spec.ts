import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { defineLuaScript } from './lua-script.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `tlua${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const found = await redis.keys(`${prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

describe('defineLuaScript', () => {
  it('loads a script Redis does not know yet (NOSCRIPT → EVAL), then runs it by its SHA', async () => {
    // A script text no Redis has seen, so the first call must take the EVAL path.
    const incrBy = defineLuaScript<{ keys: { counter: string }; by: number }, number>({
      name: 'test-incr',
      lua: `-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`,
      keys: (i) => [i.keys.counter],
      argv: (i) => [i.by],
      reply: (raw) => raw as number,
    });
    const counter = `${prefix}:counter`;
    expect(await incrBy(redis, { keys: { counter }, by: 2 })).toBe(2);
    expect(await incrBy(redis, { keys: { counter }, by: 3 })).toBe(5);
  });

  it('passes other script errors through', async () => {
    const fails = defineLuaScript<object, never>({ name: 'test-fail', lua: `return redis.error_reply('boom ${prefix}')`, keys: () => [], argv: () => [], reply: () => undefined as never });
    await expect(fails(redis, {})).rejects.toThrow(/boom/);
  });
});
