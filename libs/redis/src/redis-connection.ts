import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redisTopologyOf, type RedisTopology } from './redis-topology.js';

/**
 * Reconnect quickly after a Redis restart or failover: BullMQ's own default waits at least 1 s and
 * up to 20 s between attempts, which would miss the "resume within 3 s" target (perf-reliability R3).
 */
export function fastRetry(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000) + Math.floor(Math.random() * 100);
}

/**
 * After a failover the old master may still accept the connection as a replica: writes then fail
 * with READONLY. Reconnecting (and resending the command) finds the new master.
 */
function reconnectOnReadOnly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}

export interface RedisConnectionOptions {
  /** A URL (one server), or where Redis is in any mode. */
  url?: string;
  topology?: RedisTopology;
  name: string;
  /** Commands fail at once while disconnected (producers) instead of queueing (workers). */
  failFast?: boolean;
  /** BullMQ workers and blocking readers need `null`. */
  blocking?: boolean;
  /** Batch commands issued in the same tick into one write (many concurrent turns, one socket). */
  autoPipelining?: boolean;
}

/** What REDIS_URL still says in Sentinel and Cluster mode: credentials, database, TLS. */
function fromUrl(url: string): Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'> {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * One connection, in whichever mode the deployment runs. A Cluster client is returned as `Redis`:
 * it sends every command the stores use, and with a hash-tagged REDIS_PREFIX all of the
 * gateway's keys share one slot, so its scripts and transactions run unchanged.
 */
export function createRedis(opts: RedisConnectionOptions): Redis {
  const topology = opts.topology ?? redisTopologyOf({ REDIS_URL: opts.url ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: '' });
  const base: RedisOptions = {
    connectionName: opts.name,
    retryStrategy: fastRetry,
    reconnectOnError: reconnectOnReadOnly,
    enableReadyCheck: true,
    lazyConnect: false,
    connectTimeout: 3000,
    maxRetriesPerRequest: opts.blocking ? null : opts.failFast ? 1 : 20,
    enableOfflineQueue: !opts.failFast,
    enableAutoPipelining: !!opts.autoPipelining && !opts.blocking,
    // A connected but stalled Redis (fsync, fork, half-open TCP) must not hold a webhook past its
    // deadline: fail-fast clients give up on a command after this long.
    ...(opts.failFast ? { commandTimeout: 800 } : {}),
  };
  if (topology.mode === 'single') return new Redis(topology.url, base);
  if (topology.mode === 'sentinel') {
    return new Redis({
      ...base,
      ...fromUrl(topology.url),
      sentinels: topology.sentinels,
      name: topology.name,
      sentinelPassword: topology.sentinelPassword,
      sentinelRetryStrategy: fastRetry,
      // Sentinels announce a promotion on +switch-master: the client drops the old master at once
      // instead of writing to it until its next reconnect (the "deposed master" window).
      failoverDetector: true,
    });
  }
  const { db: _db, ...credentials } = fromUrl(topology.url);
  // The cluster client reconnects and auto-pipelines as a whole; its per-node connections do not.
  const { retryStrategy: _r, enableAutoPipelining: _p, enableOfflineQueue: _o, ...nodeOptions } = base;
  const cluster: ClusterOptions = {
    clusterRetryStrategy: fastRetry,
    enableReadyCheck: true,
    enableOfflineQueue: base.enableOfflineQueue,
    enableAutoPipelining: base.enableAutoPipelining,
    lazyConnect: false,
    scaleReads: 'master',
    redisOptions: { ...nodeOptions, ...credentials },
  };
  return new Cluster(topology.nodes, cluster) as unknown as Redis;
}

/** Waits until Redis answers or the timeout passes; used by start-up checks. */
export async function pingRedis(where: string | RedisTopology, timeoutMs = 1500): Promise<boolean> {
  const topology = typeof where === 'string' ? redisTopologyOf({ REDIS_URL: where, REDIS_PREFIX: '' }) : where;
  const client = createRedis({ topology, name: 'startup-check', failFast: true });
  client.on('error', () => undefined);
  try {
    await waitUntilReady(client, timeoutMs);
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Resolves once the client is connected (fail-fast clients refuse commands before that). */
export async function waitUntilReady(client: Redis, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
