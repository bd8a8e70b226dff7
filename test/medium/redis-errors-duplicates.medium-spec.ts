import { Worker } from 'bullmq';
import { RedisConnections } from '@app/redis';
import { startRedis, stopAll, type RedisProcess } from '../support/redis-servers.js';

/**
 * gbg_redis_errors_total must see every connection a process holds. A BullMQ Worker runs its
 * blocking fetch on a duplicate of the connection it is given; here the server has room for our
 * two connections and not for that duplicate, so only the duplicate fails.
 */
describe('Redis error counts include the connections BullMQ duplicates', () => {
  let redis: RedisProcess;
  let connections: RedisConnections;
  let worker: Worker | undefined;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await worker?.close(true).catch(() => undefined);
    await connections?.onApplicationShutdown();
    await stopAll([redis]);
  });

  it("counts a Worker's fetch-connection errors under the purpose of the connection it was given", async () => {
    connections = new RedisConnections({ url: `redis://127.0.0.1:${redis.port}`, name: 'dup-test' });
    const consumer = connections.blocking('jobs-consumer');
    await Promise.all([connections.command.ping(), consumer.ping()]);
    // Room for these two and no more (clients already connected are kept).
    await connections.command.config('SET', 'maxclients', '2');
    expect(connections.errorCounts.get('jobs-consumer') ?? 0).toBe(0);

    worker = new Worker('dup-test-jobs', async () => undefined, { connection: consumer, prefix: 'dup-test' });
    worker.on('error', () => undefined);
    const until = Date.now() + 5000;
    while (Date.now() < until && !connections.errorCounts.get('jobs-consumer')) await new Promise((r) => setTimeout(r, 50));

    expect(connections.errorCounts.get('jobs-consumer')).toBeGreaterThan(0);
    // Our own two connections stayed up: the errors are the duplicate's.
    expect([connections.command.status, consumer.status]).toEqual(['ready', 'ready']);
    expect(connections.errorCounts.get('command') ?? 0).toBe(0);
  });
});
