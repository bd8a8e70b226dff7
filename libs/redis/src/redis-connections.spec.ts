import net from 'node:net';
import { RedisConnections } from './redis.module.js';

/** A port on loopback nothing listens on: every connection attempt is refused. */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => done(port));
    });
  });
}

describe('RedisConnections error counts (gbg_redis_errors_total)', () => {
  it('counts connection errors by purpose, not by the per-process connection name', async () => {
    const connections = new RedisConnections({ url: `redis://127.0.0.1:${await closedPort()}`, name: 'test', failFast: true });
    connections.producer('queue');
    connections.blocking('replies', 'host-1234-abcd');
    try {
      const until = Date.now() + 5000;
      while (Date.now() < until && ['command', 'queue', 'replies'].some((p) => !connections.errorCounts.get(p))) await new Promise((r) => setTimeout(r, 50));
      expect([...connections.errorCounts.keys()].sort()).toEqual(['command', 'queue', 'replies']);
      for (const n of connections.errorCounts.values()) expect(n).toBeGreaterThan(0);
    } finally {
      await connections.onApplicationShutdown();
    }
  });
});
