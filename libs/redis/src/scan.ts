import type { Cluster, Redis } from 'ioredis';

/**
 * Every key matching `pattern`, in batches, from every master: SCAN walks one server's keyspace,
 * so in Cluster mode it runs on each master node (replicas hold the same keys).
 */
export async function* scanKeys(client: Redis, pattern: string, count = 500): AsyncGenerator<string[]> {
  const cluster = client as unknown as Partial<Cluster> & { isCluster?: boolean };
  const servers: Redis[] = cluster.isCluster && cluster.nodes ? cluster.nodes('master') : [client];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}
