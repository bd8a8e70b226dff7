import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { createRedis } from '@app/redis/redis-connection.js';
import { redisTopologyOf } from '@app/redis/redis-topology.js';
import { bearerCredential, mintBotConnectorToken } from '@app/genesys-jwt';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from './redis-test-prefix.js';

const ROOT = resolve(process.cwd());
export const INGRESS_ENTRY = join(ROOT, 'dist/apps/ingress/apps/ingress/src/main.js');
/** Everything the gateway processes printed (JSON logs), for leak checks. */
export function processOutput(h: { procs: { output: string[] }[] }): string {
  return h.procs.map((p) => p.output.join('')).join('');
}

export const WORKER_ENTRY = join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
/** apps/example-gateway: the gateway with a developer's own provider (`faq`), as `<entry> ingress|worker`. */
export const EXAMPLE_GATEWAY_ENTRY = join(ROOT, 'dist/apps/example-gateway/apps/example-gateway/src/main.js');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => done(port));
    });
  });
}

export interface TestChannel {
  id: string;
  clientId: string;
  secret: string;
  raw: Record<string, unknown>;
}

/** A channel definition for CHANNELS_FILE with a fresh app credential. */
export function testChannel(id: string, overrides: Record<string, unknown> = {}): TestChannel {
  const clientId = `app-${id}`;
  const secret = randomBytes(32).toString('base64url');
  const raw = {
    id,
    name: `Test ${id}`,
    enabled: true,
    genesys: { environment: 'mypurecloud.ie' },
    app: { clientId, clientSecrets: [secret] },
    replyDeadlineMs: 5000,
    deadlinePolicy: 'hold',
    holdMessage: 'Hold on, still working.',
    defaultLanguage: 'en-us',
    handoff: { maxConsecutiveFallbacks: 2, defaultQueue: 'General', summaryTurns: 3 },
    bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us', 'de-de'], intents: [{ name: 'Echo' }, { name: 'Help' }], provider: { name: 'demo', config: {} } }],
    ...overrides,
  };
  return { id, clientId, secret, raw };
}

interface Proc {
  kind: 'ingress' | 'worker';
  child: ChildProcess;
  output: string[];
}

/**
 * Runs the real gateway as child processes (built entry points), isolated by a Redis key prefix,
 * and talks to it over HTTP as Genesys would.
 */
export class GatewayHarness {
  readonly prefix: string;
  readonly redis: Redis;
  readonly redisUrl: string;
  readonly adminToken = randomBytes(24).toString('base64url');
  readonly secretsKey = randomBytes(32).toString('base64url');
  port = 0;
  /** The ingress's METRICS_PORT; each harness has its own, so suites and `npm start` never share one. */
  metricsPort = 0;
  private dir = mkdtempSync(join(tmpdir(), 'gbg-e2e-'));
  private channelsFile = join(this.dir, 'channels.json');
  readonly procs: Proc[] = [];

  constructor(
    name: string,
    readonly channels: TestChannel[],
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.prefix = extraEnv.REDIS_PREFIX ?? testPrefix(name);
    this.redisUrl = extraEnv.REDIS_URL ?? TEST_REDIS_URL;
    // Sentinel and Cluster suites look at Redis the way the gateway does: through the same topology.
    this.redis =
      extraEnv.REDIS_SENTINELS || extraEnv.REDIS_CLUSTER_NODES
        ? createRedis({ topology: redisTopologyOf({ ...extraEnv, REDIS_URL: this.redisUrl, REDIS_PREFIX: this.prefix }), name: 'harness' })
        : new Redis(this.redisUrl, { maxRetriesPerRequest: 2, retryStrategy: () => 100 });
    this.redis.on('error', () => undefined);
    writeFileSync(this.channelsFile, JSON.stringify({ channels: channels.map((c) => c.raw) }));
  }

  /** Rewrites CHANNELS_FILE; processes started afterwards load the new one. */
  writeChannels(channels: TestChannel[]): void {
    writeFileSync(this.channelsFile, JSON.stringify({ channels: channels.map((c) => c.raw) }));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where the ingress serves /metrics (METRICS_PORT), apart from the webhook port. */
  get metricsUrl(): string {
    return `http://127.0.0.1:${this.metricsPort}`;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.prefix,
      CHANNELS_FILE: this.channelsFile,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      ADMIN_TOKEN: this.adminToken,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      // Off unless a process is given a port of its own: the ingress gets one (startIngress).
      METRICS_PORT: '0',
      HTTP_PROVIDER_ALLOW_PRIVATE: 'true',
      PRINT_CREDENTIALS: 'false',
      SECRETS_KEY: this.secretsKey,
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      SHUTDOWN_GRACE_MS: '5000',
      // A busy test machine lags and fills the event loop; suites about load shedding turn it back on.
      SHED_EVENT_LOOP_DELAY_MS: '0',
      SHED_EVENT_LOOP_UTILIZATION: '0',
      ...this.extraEnv,
      ...extra,
    };
  }

  /** Command-line of each process; a suite may run a developer's own entry point instead (the example gateway). */
  entries: Record<'ingress' | 'worker', string[]> = { ingress: [INGRESS_ENTRY], worker: [WORKER_ENTRY] };

  private spawn(kind: 'ingress' | 'worker', env: Record<string, string> = {}): Proc {
    const child = spawn(process.execPath, this.entries[kind], { env: this.env(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const proc: Proc = { kind, child, output: [] };
    const keep = (d: Buffer) => {
      proc.output.push(d.toString());
      if (proc.output.length > 500) proc.output.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.procs.push(proc);
    return proc;
  }

  async startIngress(env: Record<string, string> = {}): Promise<Proc> {
    if (!this.port) this.port = await freePort();
    if (!this.metricsPort) this.metricsPort = await freePort();
    const p = this.spawn('ingress', { METRICS_PORT: String(this.metricsPort), ...env });
    await this.waitFor(async () => (await fetch(`${this.baseUrl}/health/live`).catch(() => undefined))?.ok === true, 20000, p);
    return p;
  }

  async startWorker(env: Record<string, string> = {}): Promise<Proc> {
    const before = await this.redis.zcard(`${this.prefix}:workers`);
    const p = this.spawn('worker', env);
    await this.waitFor(async () => (await this.redis.zcard(`${this.prefix}:workers`)) > before, 20000, p);
    return p;
  }

  async waitFor(check: () => Promise<boolean>, timeoutMs: number, proc?: Proc): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (proc && proc.child.exitCode !== null) throw new Error(`${proc.kind} exited early:\n${proc.output.join('')}`);
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out${proc ? `; ${proc.kind} output:\n${proc.output.join('')}` : ''}`);
  }

  credential(channel: TestChannel, opts: { secret?: string } = {}): string {
    return bearerCredential(mintBotConnectorToken({ clientId: channel.clientId, clientSecret: opts.secret ?? channel.secret }));
  }

  /** POSTs one Bot Connector v1 turn. */
  async turn(
    channel: TestChannel,
    body: Record<string, unknown>,
    opts: { auth?: string | null; headers?: Record<string, string>; rawBody?: string; path?: string } = {},
  ): Promise<{ status: number; body: any; ms: number; headers: Headers }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    const auth = opts.auth === undefined ? this.credential(channel) : opts.auth;
    if (auth !== null) headers.authorization = auth;
    const started = Date.now();
    const res = await fetch(`${this.baseUrl}${opts.path ?? `/genesys/${channel.id}/botconnector`}`, {
      method: 'POST',
      headers,
      body: opts.rawBody ?? JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed, ms: Date.now() - started, headers: res.headers };
  }

  async admin(path: string, token: string | null = this.adminToken): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }

  kill(proc: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return new Promise((r) => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return r();
      proc.child.once('exit', () => r());
      proc.child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => this.kill(p, 'SIGTERM')));
    await deletePrefix(this.redis, this.prefix);
    this.redis.disconnect();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function newSessionBody(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    botId: 'Bot One',
    botVersion: '1.0',
    botSessionId: randomUUID(),
    inputMessage: { type: 'Text', text },
    languageCode: 'en-us',
    botSessionTimeout: 60,
    genesysConversationId: randomUUID(),
    chatBot: { id: 'bot1', name: 'Bot One' },
    ...extra,
  };
}

/** The next turn of the same session (same botSessionId), with new text. */
export function nextTurn(first: Record<string, unknown>, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...first, inputMessage: { type: 'Text', text }, parameters: undefined, ...extra };
}

export function buttonTurn(first: Record<string, unknown>, text: string, payload: string, type = 'QuickReply'): Record<string, unknown> {
  return {
    ...first,
    inputMessage: { type: 'Structured', text, content: [{ contentType: 'ButtonResponse', buttonResponse: { type, text, payload } }] },
  };
}
