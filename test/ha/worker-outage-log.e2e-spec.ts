import { GatewayHarness, testChannel } from '../support/gateway-harness.js';
import { restartRedis, startRedis, stopAll, type RedisProcess } from '../support/redis-servers.js';

/**
 * While Redis is away, each BullMQ connection of the worker fails every reconnect attempt (every
 * 2 s at most). The log says so once per queue and kind of error, not once per attempt; the
 * count stays with gbg_redis_errors_total.
 */
describe('a Redis outage in the worker log', () => {
  let redis: RedisProcess;
  let gw: GatewayHarness;

  beforeAll(async () => {
    redis = await startRedis();
    gw = new GatewayHarness('outagelog', [testChannel('ol1')], { REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    await gw.startWorker();
  }, 30_000);

  afterAll(async () => {
    await gw?.stop();
    await stopAll([redis]);
  });

  it("says each queue's connection error once, not on every reconnect attempt", async () => {
    const worker = gw.procs.find((p) => p.kind === 'worker')!;
    await stopAll([redis]);
    // About eight reconnect attempts per connection (100 ms, doubling, at most 2 s apart).
    await new Promise((r) => setTimeout(r, 8000));
    const lines = worker.output
      .join('')
      .split('\n')
      .filter((l) => l.includes('"worker error"'))
      .map((l) => JSON.parse(l) as { queue: string; kind: string });
    redis = await restartRedis(redis);

    expect(lines.length).toBeGreaterThan(0);
    const said = lines.map((l) => `${l.queue}:${l.kind}`);
    expect(said).toEqual([...new Set(said)]);
  }, 30_000);
});
