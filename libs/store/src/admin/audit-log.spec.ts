import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.js';
import { AuditLog } from './audit-log.js';

// Real Redis, own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tal${randomBytes(4).toString('hex')}`);
const audit = new AuditLog(redis, keys);

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

describe('AuditLog (real Redis)', () => {
  it("stores the free text of details redacted, and keeps who did what to which object", async () => {
    const actor = { kind: 'user' as const, name: 'ops@example.com' };
    await audit.record(actor, 'channel.publish', 'channel:shop', { ok: false, error: 'Genesys answered 400: bot text "call 020 7946 0958 or mail jane@example.com"', attempts: 2 });
    const raw = JSON.stringify(await redis.xrange(keys.auditLog(), '-', '+'));
    expect(raw).not.toContain('7946 0958');
    expect(raw).not.toContain('jane@example.com');
    const [entry] = (await audit.list()).entities;
    expect(entry).toMatchObject({ actor, action: 'channel.publish', target: 'channel:shop', details: { ok: false, error: 'Genesys answered 400: bot text "call [phone] or mail [email]"', attempts: 2 } });
  });
});
