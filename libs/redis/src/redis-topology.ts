/** Where Redis is: one server, a Sentinel-managed master, or a Cluster. Parsed once from the config. */
export interface RedisEndpoint {
  host: string;
  port: number;
}

export type RedisTopology =
  /** REDIS_URL names the server. */
  | { mode: 'single'; url: string }
  /** REDIS_SENTINELS + REDIS_SENTINEL_NAME find the master; REDIS_URL gives only password, db and TLS. */
  | { mode: 'sentinel'; url: string; sentinels: RedisEndpoint[]; name: string; sentinelPassword?: string }
  /** REDIS_CLUSTER_NODES seed the cluster; REDIS_URL gives only password and TLS. */
  | { mode: 'cluster'; url: string; nodes: RedisEndpoint[] };

export interface RedisTopologySettings {
  REDIS_URL: string;
  REDIS_PREFIX: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: string;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/;

/** `host:port,host:port` (IPv6 in brackets); undefined when any entry is malformed. */
export function parseEndpoints(list: string): RedisEndpoint[] | undefined {
  const out: RedisEndpoint[] = [];
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = HOST_PORT.exec(raw);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) return undefined;
    out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return out.length ? out : undefined;
}

/**
 * A prefix whose keys Redis Cluster hashes to one slot: `{tag}` at its start. Every key of the
 * gateway (and of its BullMQ queues) then lives on one master, so multi-key scripts and
 * transactions work; Cluster gives this deployment high availability, not sharding.
 */
export function isHashTaggedPrefix(prefix: string): boolean {
  return /^\{[^{}]+\}/.test(prefix);
}

/** Everything wrong with the Redis settings together, so one failed start names all of it. */
export function redisTopologyProblems(s: RedisTopologySettings): string[] {
  const problems: string[] = [];
  if (s.REDIS_SENTINELS !== undefined && !parseEndpoints(s.REDIS_SENTINELS)) problems.push('REDIS_SENTINELS must be host:port[,host:port…]');
  if (s.REDIS_CLUSTER_NODES !== undefined && !parseEndpoints(s.REDIS_CLUSTER_NODES)) problems.push('REDIS_CLUSTER_NODES must be host:port[,host:port…]');
  if (s.REDIS_SENTINELS !== undefined && s.REDIS_CLUSTER_NODES !== undefined) problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES exclude each other: pick Sentinel or Cluster');
  if (s.REDIS_SENTINELS !== undefined && !s.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the master name the sentinels monitor');
  if (s.REDIS_SENTINELS === undefined && (s.REDIS_SENTINEL_NAME || s.REDIS_SENTINEL_PASSWORD)) problems.push('REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD only apply with REDIS_SENTINELS');
  if (s.REDIS_CLUSTER_NODES !== undefined && !isHashTaggedPrefix(s.REDIS_PREFIX)) {
    problems.push(`REDIS_PREFIX must start with a hash tag in Cluster mode, e.g. {${s.REDIS_PREFIX.replace(/[{}]/g, '') || 'gbg'}}: the gateway's scripts and BullMQ need all their keys in one slot`);
  }
  return problems;
}

export function redisTopologyOf(s: RedisTopologySettings): RedisTopology {
  if (s.REDIS_CLUSTER_NODES) return { mode: 'cluster', url: s.REDIS_URL, nodes: parseEndpoints(s.REDIS_CLUSTER_NODES)! };
  if (s.REDIS_SENTINELS) {
    return { mode: 'sentinel', url: s.REDIS_URL, sentinels: parseEndpoints(s.REDIS_SENTINELS)!, name: s.REDIS_SENTINEL_NAME!, sentinelPassword: s.REDIS_SENTINEL_PASSWORD };
  }
  return { mode: 'single', url: s.REDIS_URL };
}

/** For logs and errors: where Redis is, never its password. */
export function describeTopology(t: RedisTopology): string {
  const safeUrl = t.url.replace(/\/\/[^@]*@/, '//***@');
  if (t.mode === 'single') return safeUrl;
  if (t.mode === 'sentinel') return `sentinel master "${t.name}" via ${t.sentinels.map((e) => `${e.host}:${e.port}`).join(',')}`;
  return `cluster via ${t.nodes.map((e) => `${e.host}:${e.port}`).join(',')}`;
}
