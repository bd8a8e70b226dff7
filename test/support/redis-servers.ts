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
  // The replicas must be in sync before a failover can promote one.
  const m = new Redis({ port: master.port, host: '127.0.0.1' });
  try {
    const until = Date.now() + 10_000;
    while (!new RegExp(`connected_slaves:${replicas}`).test(await m.info('replication'))) {
      if (Date.now() > until) throw new Error('replicas did not attach');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    m.disconnect();
  }
  return { servers, sentinels };
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
