import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './gateway-harness.js';

/** A redis-server (or sentinel) process of a test's own, on a loopback port, without persistence. */
export interface RedisProcess {
  port: number;
  child: ChildProcess;
  output: string[];
}

const dirs: string[] = [];

function startServer(args: string[], port: number, config?: string): RedisProcess {
  const dir = mkdtempSync(join(tmpdir(), 'gbg-redis-'));
  dirs.push(dir);
  let argv = args;
  if (config !== undefined) {
    // Sentinels rewrite their config file, so each gets one of its own.
    const file = join(dir, 'node.conf');
    writeFileSync(file, config);
    argv = [file, ...args];
  }
  const child = spawn('redis-server', [...argv, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { port, child, output };
}

export async function untilPong(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') return;
    } catch {
      /* not up yet */
    } finally {
      c.disconnect();
    }
    if (Date.now() > until) throw new Error(`redis on ${port} did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(extra: string[] = []): Promise<RedisProcess> {
  const p = startServer(extra, await freePort());
  await untilPong(p.port);
  return p;
}

/** Starts a server again on the port it had (an orchestrator restarting a pod), empty. */
export async function restartRedis(p: RedisProcess): Promise<RedisProcess> {
  const again = startServer([], p.port);
  await untilPong(p.port);
  return again;
}

/** A master, `replicas` replicas and three sentinels watching `name` (quorum 2, down after 1 s). */
export async function startSentinelGroup(name: string, replicas = 1): Promise<{ servers: RedisProcess[]; sentinels: RedisProcess[] }> {
  const master = await startRedis();
  const servers = [master];
  for (let i = 0; i < replicas; i++) servers.push(await startRedis(['--replicaof', '127.0.0.1', String(master.port)]));
  const sentinels: RedisProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n');
    const s = startServer(['--sentinel'], port, conf);
    sentinels.push(s);
  }
  for (const s of sentinels) await untilPong(s.port);
  const group = { servers, sentinels };
  await waitForSentinelGroupInSync(group, name);
  return group;
}

/**
 * Waits until the group is fit for a failover: every sentinel names the same master, every other
 * server is a replica of it that finished its full sync (`state=online`, link up: a replica still
 * waiting for its RDB, which Redis 7's diskless sync delays 5 s, holds nothing, and Sentinel
 * promotes it all the same), and every sentinel has seen each replica as such. "Attached"
 * (`connected_slaves`) is not enough: a replica counts from its first PSYNC, before it has data.
 */
export async function waitForSentinelGroupInSync(group: { servers: RedisProcess[]; sentinels: RedisProcess[] }, name: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const open = (port: number) => {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    return c;
  };
  let last = '';
  for (;;) {
    const clients: Redis[] = [];
    try {
      const masters = new Set<number>();
      for (const s of group.sentinels) {
        const c = open(s.port);
        clients.push(c);
        const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
        masters.add(addr ? Number(addr[1]) : 0);
      }
      const [master] = [...masters];
      if (masters.size !== 1 || !master) throw new Error(`sentinels name masters ${[...masters].join(',')}`);
      const m = open(master);
      clients.push(m);
      const replication = await m.info('replication');
      if (!/role:master/.test(replication)) throw new Error(`${master} is not a master yet`);
      const offset = Number(/master_repl_offset:(\d+)/.exec(replication)?.[1]);
      for (const r of group.servers.filter((p) => p.port !== master)) {
        if (!new RegExp(`slave\\d+:ip=[^,]+,port=${r.port},state=online`).test(replication)) throw new Error(`replica ${r.port} not online at ${master}`);
        const rc = open(r.port);
        clients.push(rc);
        const info = await rc.info('replication');
        if (!new RegExp(`master_port:${master}\\b`).test(info) || !/master_link_status:up/.test(info) || /master_sync_in_progress:1/.test(info)) throw new Error(`replica ${r.port} not synced to ${master}`);
        if (Number(/slave_repl_offset:(\d+)/.exec(info)?.[1]) < offset) throw new Error(`replica ${r.port} behind`);
      }
      for (const s of group.sentinels) {
        const c = open(s.port);
        clients.push(c);
        const replicas = (await c.call('SENTINEL', 'replicas', name)) as string[][];
        const seen = replicas.map((fields) => Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]]))) as Record<string, string>);
        for (const r of group.servers.filter((p) => p.port !== master)) {
          const e = seen.find((x) => Number(x.port) === r.port);
          if (!e || e.flags !== 'slave' || e['master-link-status'] !== 'ok' || Number(e['master-port']) !== master) throw new Error(`sentinel ${s.port} sees replica ${r.port} as ${JSON.stringify(e ?? null)}`);
        }
      }
      return;
    } catch (e) {
      last = (e as Error).message;
    } finally {
      for (const c of clients) c.disconnect();
    }
    if (Date.now() > until) throw new Error(`sentinel group "${name}" not in sync: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Six nodes, three masters with a replica each, made one cluster by `redis-cli --cluster create`. */
export async function startCluster(): Promise<RedisProcess[]> {
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < 6; i++) nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000', '--cluster-config-file', `nodes-${i}.conf`]));
  await new Promise<void>((resolve, reject) => {
    const cli = spawn('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    cli.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cluster create failed:\n${out}`))));
  });
  // Wait until every node agrees the cluster is ok.
  const until = Date.now() + 20_000;
  for (const n of nodes) {
    const c = new Redis({ port: n.port, host: '127.0.0.1' });
    try {
      while (!/cluster_state:ok/.test(await c.cluster('INFO'))) {
        if (Date.now() > until) throw new Error('cluster did not become ok');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      c.disconnect();
    }
  }
  return nodes;
}

export function stopAll(procs: RedisProcess[]): Promise<void> {
  return Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
          p.child.once('exit', () => resolve());
          p.child.kill('SIGKILL');
        }),
    ),
  ).then(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}
