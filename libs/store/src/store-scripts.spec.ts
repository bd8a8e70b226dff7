import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys.js';
import { extendLock, releaseLock } from '@app/redis/lock.lua.js';
import { acceptNotification } from './notifications/lua/notification-accept.lua.js';
import { ackOutboxHead, forgetOutboxIfEmpty } from './outbox/lua/outbox-ack.lua.js';
import { takeSendSlot } from './notifications/lua/next-slot.lua.js';

// The lock, outbox and notification scripts called directly on a real Redis; own prefix, own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const k = new RedisKeys(`tss${randomBytes(4).toString('hex')}`);

afterAll(async () => {
  const found = await redis.keys(`${k.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

describe('lock scripts', () => {
  it('extend renews only the holder’s lock, with the new TTL', async () => {
    const lock = k.outboxLock('c1:a');
    await redis.set(lock, 'mine', 'PX', 1000);
    expect(await extendLock(redis, { keys: { lock }, token: 'other', ttlMs: 60_000 })).toBe(false);
    expect(await redis.pttl(lock)).toBeLessThanOrEqual(1000);
    expect(await extendLock(redis, { keys: { lock }, token: 'mine', ttlMs: 60_000 })).toBe(true);
    expect(await redis.pttl(lock)).toBeGreaterThan(59_000);
  });

  it('release deletes only the holder’s lock, once; an expired lock cannot be extended', async () => {
    const lock = k.channelLock('c2');
    await redis.set(lock, 'mine', 'PX', 60_000);
    expect(await releaseLock(redis, { keys: { lock }, token: 'other' })).toBe(false);
    expect(await redis.get(lock)).toBe('mine');
    expect(await releaseLock(redis, { keys: { lock }, token: 'mine' })).toBe(true);
    expect(await releaseLock(redis, { keys: { lock }, token: 'mine' })).toBe(false);
    await redis.set(lock, 'short', 'PX', 20);
    await new Promise((r) => setTimeout(r, 40));
    expect(await extendLock(redis, { keys: { lock }, token: 'short', ttlMs: 60_000 })).toBe(false);
  });
});

describe('outbox scripts', () => {
  const sessionKey = 'c1:s1';
  const input = (entryJson: string, lockToken = 'tok') => ({
    keys: { outbox: k.outbox(sessionKey), outboxIndex: k.outboxIndex(), lock: k.outboxLock(sessionKey) },
    entryJson,
    sessionKey,
    lockToken,
    nowMs: 5000,
  });

  it('acks the head only for the lock holder and only while it is the head; the index follows', async () => {
    await redis.rpush(k.outbox(sessionKey), 'e1', 'e2');
    await redis.zadd(k.outboxIndex(), 1000, sessionKey);
    await redis.set(k.outboxLock(sessionKey), 'tok', 'PX', 60_000);
    expect(await ackOutboxHead(redis, input('e1', 'stale'))).toBe('lock-lost');
    expect(await ackOutboxHead(redis, input('e2'))).toBe('not-head');
    expect(await redis.lrange(k.outbox(sessionKey), 0, -1)).toEqual(['e1', 'e2']);
    expect(await ackOutboxHead(redis, input('e1'))).toBe('acked');
    expect(await redis.zscore(k.outboxIndex(), sessionKey)).toBe('5000');
    // The same ack twice: the entry is gone, nothing else is removed.
    expect(await ackOutboxHead(redis, input('e1'))).toBe('not-head');
    expect(await redis.lrange(k.outbox(sessionKey), 0, -1)).toEqual(['e2']);
    expect(await ackOutboxHead(redis, input('e2'))).toBe('acked');
    expect(await redis.zscore(k.outboxIndex(), sessionKey)).toBeNull();
  });

  it('forgets an outbox in the index only once it is empty (expired)', async () => {
    const s = 'c1:s2';
    const forget = () => forgetOutboxIfEmpty(redis, { keys: { outbox: k.outbox(s), outboxIndex: k.outboxIndex() }, sessionKey: s });
    await redis.rpush(k.outbox(s), 'e1');
    // Long enough that a busy machine cannot let it expire before the first check.
    await redis.pexpire(k.outbox(s), 500);
    await redis.zadd(k.outboxIndex(), 1, s);
    expect(await forget()).toBe(false);
    await new Promise((r) => setTimeout(r, 650));
    expect(await forget()).toBe(true);
    expect(await forget()).toBe(false);
    expect(await redis.zscore(k.outboxIndex(), s)).toBeNull();
  });
});

describe('notification accept script', () => {
  it('stores a new notification and its key with the TTL; the same key again gets the first id and writes nothing', async () => {
    const keys = { idempotency: k.notificationIdempotency('c1', 'h1'), record: k.notification('n1') };
    expect(await acceptNotification(redis, { keys, id: 'n1', recordJson: '{"id":"n1"}', ttlMs: 60_000 })).toEqual({ created: true, id: 'n1' });
    expect(await redis.pttl(keys.idempotency)).toBeGreaterThan(59_000);
    expect(await redis.pttl(keys.record)).toBeGreaterThan(59_000);
    const again = { idempotency: keys.idempotency, record: k.notification('n2') };
    expect(await acceptNotification(redis, { keys: again, id: 'n2', recordJson: '{"id":"n2"}', ttlMs: 60_000 })).toEqual({ created: false, id: 'n1' });
    expect(await redis.exists(k.notification('n2'))).toBe(0);
    expect(await redis.get(keys.record)).toBe('{"id":"n1"}');
  });

  it('accepts the key anew once it expired', async () => {
    const keys = { idempotency: k.notificationIdempotency('c1', 'h2'), record: k.notification('n3') };
    await acceptNotification(redis, { keys, id: 'n3', recordJson: '{}', ttlMs: 20 });
    await new Promise((r) => setTimeout(r, 40));
    const next = { idempotency: keys.idempotency, record: k.notification('n4') };
    expect(await acceptNotification(redis, { keys: next, id: 'n4', recordJson: '{}', ttlMs: 60_000 })).toEqual({ created: true, id: 'n4' });
  });
});

describe('next-slot script (notification send rate)', () => {
  it('a free slot is taken (0) and the next one is an interval later; a busy slot answers the wait and takes nothing', async () => {
    const nextSlot = k.notificationRate('c9');
    const take = (nowMs: number) => takeSendSlot(redis, { keys: { nextSlot }, nowMs, intervalMs: 250 });
    expect(await take(1_000_000)).toBe(0);
    expect(await redis.get(nextSlot)).toBe('1000250');
    expect(await take(1_000_100)).toBe(150);
    expect(await take(1_000_200)).toBe(50);
    // Asking did not move the slot.
    expect(await redis.get(nextSlot)).toBe('1000250');
    expect(await take(1_000_250)).toBe(0);
    expect(await redis.get(nextSlot)).toBe('1000500');
    // The key outlives the interval only briefly: a quiet channel leaves nothing behind.
    expect(await redis.pttl(nextSlot)).toBeLessThanOrEqual(1250);
  });

  it('channels do not share a slot', async () => {
    const a = { keys: { nextSlot: k.notificationRate('ca') }, nowMs: 5_000_000, intervalMs: 1000 };
    const b = { keys: { nextSlot: k.notificationRate('cb') }, nowMs: 5_000_000, intervalMs: 1000 };
    expect(await takeSendSlot(redis, a)).toBe(0);
    expect(await takeSendSlot(redis, b)).toBe(0);
    expect(await takeSendSlot(redis, a)).toBe(1000);
  });
});
