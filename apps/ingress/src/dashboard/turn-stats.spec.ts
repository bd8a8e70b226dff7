import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys, TurnStatsStore } from '@app/store';
import { latencyBucketOf } from './latency-histogram.js';
import { TurnStats } from './turn-stats.js';

// Real Redis, own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tts${randomBytes(4).toString('hex')}`);
const store = new TurnStatsStore(redis, keys);
// Two ingresses counting the same minutes.
const a = new TurnStats(store);
const b = new TurnStats(store);

afterAll(async () => {
  await a.onApplicationShutdown();
  await b.onApplicationShutdown();
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

describe('TurnStats (real Redis)', () => {
  it('merges the latencies two ingresses counted into one set of percentiles, writing only the buckets hit', async () => {
    const minute = Math.floor(Date.now() / 60_000);
    // A 0 ms bot behind a 120 ms answer on one ingress, 400 ms answers on the other.
    for (let i = 0; i < 90; i++) a.turn('ch-a', 120, 'reply', 0);
    for (let i = 0; i < 10; i++) b.turn('ch-b', 400, 'reply', 0);
    a.handoff('ch-a', 'bot_request');
    b.deadlineMiss('ch-b');
    await Promise.all([a.flush(), b.flush()]);

    const fields = await redis.hkeys(store.key('all', minute));
    expect(fields.filter((f) => f.startsWith('respms:')).sort()).toEqual([`respms:${latencyBucketOf(120)}`, `respms:${latencyBucketOf(400)}`].sort());
    expect(fields.filter((f) => f.startsWith('botms:'))).toEqual([`botms:${latencyBucketOf(0)}`]);

    const { series, handoffsByReason, outcomes } = await a.read(2);
    // Read over two minutes and pick the counted one: the test may straddle a minute boundary.
    const now = series.find((m) => m.turns > 0)!;
    expect(now).toMatchObject({ turns: 100, handoffs: 1, deadlineMisses: 1, botP50Ms: 0, botP95Ms: 0, botP99Ms: 0 });
    expect(Math.abs(now.responseP50Ms! - 120)).toBeLessThanOrEqual(120 / 32);
    expect(Math.abs(now.responseP95Ms! - 400)).toBeLessThanOrEqual(400 / 32);
    expect(handoffsByReason).toEqual({ bot_request: 1 });
    expect(outcomes).toEqual({ reply: 100 });

    const perChannel = (await b.read(2, 'ch-b')).series.find((m) => m.turns > 0)!;
    expect(perChannel).toMatchObject({ turns: 10, deadlineMisses: 1 });
    expect(Math.abs(perChannel.responseP50Ms! - 400)).toBeLessThanOrEqual(400 / 32);
  });

  it('ignores the coarse fields an older ingress wrote, instead of misreading them as buckets', async () => {
    const key = store.key('old-ch', Math.floor(Date.now() / 60_000));
    await redis.multi().hincrby(key, 'resp:50', 7).hincrby(key, 'bot:inf', 7).hincrby(key, 'turns', 7).exec();
    const { series } = await a.read(2, 'old-ch');
    expect(series.find((m) => m.turns > 0)).toMatchObject({ turns: 7, responseP50Ms: null, botP50Ms: null });
  });
});
