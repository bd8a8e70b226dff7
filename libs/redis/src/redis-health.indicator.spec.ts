import { createServer, type AddressInfo, type Server } from 'node:net';
import { Test } from '@nestjs/testing';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { readiness } from '@app/observability';
import { createRedis } from './redis-connection.js';
import { RedisHealthIndicator } from './redis-health.indicator.js';
import { REDIS_CLIENT } from './redis.module.js';

// The indicator and the probe answer built from it, against a real Redis, one that never answers, and none.
const url = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients: Redis[] = [];
let silent: Server;

async function probe(redis: Redis) {
  clients.push(redis);
  redis.on('error', () => undefined);
  const ref = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    providers: [RedisHealthIndicator, { provide: REDIS_CLIENT, useValue: redis }],
  }).compile();
  const [health, indicators, redisHealth] = [ref.get(HealthCheckService), ref.get(HealthIndicatorService), ref.get(RedisHealthIndicator)];
  return { indicators, run: (extra: Parameters<typeof readiness>[1] = []) => readiness(health, [redisHealth.isHealthy(), ...extra]) };
}

beforeAll(async () => {
  // Reads and never replies: a Redis stalled by fsync, a fork, or a half-open socket. Reading lets
  // a client's close reach the server, so close() below does not wait forever.
  silent = createServer((socket) => socket.resume());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await new Promise((r) => silent.close(r));
});

describe('RedisHealthIndicator and the readiness answer', () => {
  it('is ready when Redis answers PING, and counts what an indicator reports', async () => {
    const { run, indicators } = await probe(createRedis({ url, name: 'health-spec' }));
    expect(await run([() => indicators.check('workers').up({ count: 2 })])).toEqual({ httpStatus: 200, body: { status: 'ok', checks: { redis: 'ok', workers: 'ok (2)' } } });
  });

  it('answers 503 within the timeout when Redis never replies', async () => {
    const { port } = silent.address() as AddressInfo;
    const { run } = await probe(createRedis({ url: `redis://127.0.0.1:${port}`, name: 'health-spec' }));
    const started = Date.now();
    expect(await run()).toEqual({ httpStatus: 503, body: { status: 'unavailable', checks: { redis: 'timeout' } } });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('says only our own words about a failure, never the driver’s error text', async () => {
    const { port } = silent.address() as AddressInfo;
    const { run, indicators } = await probe(createRedis({ url: `redis://127.0.0.1:${port}`, name: 'health-spec', failFast: true }));
    const answer = await run([
      () => indicators.check('shutdown').down('draining'),
      indicators.check('queue').attempt(() => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:6379 WRONGPASS'))),
    ]);
    expect(answer.httpStatus).toBe(503);
    expect(answer.body.checks).toEqual({ redis: 'fail', shutdown: 'draining', queue: 'fail' });
    expect(JSON.stringify(answer)).not.toMatch(/10\.1\.2\.3|WRONGPASS|ECONNREFUSED|stream|writeable/i);
  });
});
