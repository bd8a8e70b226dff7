#!/usr/bin/env node
// `npm run bench`: drives the REAL gateway (ingress + worker processes from dist/) over HTTP
// with an open-loop load generator and prints latency/throughput figures for the targets
// P1–P3, P5 and a small R5 spike of perf-reliability.md §0. See docs/performance.md for the
// method and the results.
//
//   npm run bench                       full run (about 6 minutes on a 2-core box)
//   npm run bench -- --quick            smoke run (about 80 s)
//   npm run bench -- --only p1,p3       some scenarios only (p1, p2, p3, r5, p6 = bot provider overhead)
//   node scripts/bench/bench.mjs --help all options (skips the build)
//
// Everything it creates is its own: a temp channels file, child processes, and Redis keys under
// random prefixes `<BENCH_PREFIX>-<scenario>:*`, all removed on exit (also on Ctrl-C).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SessionPool, bearerFor, createAgent, preconnect, runOpenLoop } from './loadgen.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INGRESS_MAIN = join(root, 'dist/apps/ingress/apps/ingress/src/main.js');
const WORKER_MAIN = join(root, 'dist/apps/worker/apps/worker/src/main.js');
const BASELINE_MAIN = join(root, 'scripts/bench/baseline-server.mjs');

// ---- options ------------------------------------------------------------------------------------
const env = process.env;
const list = (s) => String(s).split(',').map((x) => x.trim()).filter(Boolean);
const nums = (s) => list(s).map(Number);
let args;
try {
  args = parseArgs({
    options: {
      quick: { type: 'boolean', default: env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true' },
      only: { type: 'string', default: env.BENCH_ONLY ?? 'p1,p2,p3,r5,p6' },
      'redis-url': { type: 'string', default: env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: { type: 'string', default: env.BENCH_PREFIX },
      sessions: { type: 'string', default: env.BENCH_SESSIONS ?? '2000' },
      warmup: { type: 'string', default: env.BENCH_WARMUP_S },
      concurrency: { type: 'string', default: env.WORKER_CONCURRENCY ?? env.BENCH_CONCURRENCY ?? '50' },
      'p1-rate': { type: 'string', default: env.BENCH_P1_RATE ?? '200' },
      'p1-duration': { type: 'string', default: env.BENCH_P1_DURATION_S },
      'p2-rates': { type: 'string', default: env.BENCH_P2_RATES },
      'p2-step': { type: 'string', default: env.BENCH_P2_STEP_S },
      'p2-workers': { type: 'string', default: env.BENCH_P2_WORKERS ?? '2' },
      'p3-workers': { type: 'string', default: env.BENCH_P3_WORKERS },
      'p3-concurrency': { type: 'string', default: env.BENCH_P3_CONCURRENCY ?? '50' },
      'p3-duration': { type: 'string', default: env.BENCH_P3_DURATION_S },
      'p3-bot-ms': { type: 'string', default: env.BENCH_P3_BOT_MS ?? '2000' },
      'p3-over': { type: 'string', default: env.BENCH_P3_OVER ?? '1.4' },
      'p3-over-all': { type: 'boolean', default: env.BENCH_P3_OVER_ALL === '1' },
      'r5-phases': { type: 'string', default: env.BENCH_R5_PHASES },
      'r5-workers': { type: 'string', default: env.BENCH_R5_WORKERS ?? '2' },
      'r5-sockets': { type: 'string', default: env.BENCH_R5_SOCKETS ?? '12000' },
      'r5-preconnect': { type: 'string', default: env.BENCH_R5_PRECONNECT ?? '10000,0' },
      'cpu-prof': { type: 'boolean', default: false },
      'node-option': { type: 'string', multiple: true, default: [] },
      'gateway-env': { type: 'string', multiple: true, default: [] },
      'otlp-sink': { type: 'boolean', default: false },
      'otlp-only': { type: 'string' },
      json: { type: 'string', default: env.BENCH_JSON },
      timeline: { type: 'boolean', default: env.BENCH_TIMELINE === '1' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  console.error(`bench: ${e.message}`);
  process.exit(2);
}
if (args.help) {
  console.log(`usage: node scripts/bench/bench.mjs [options]   (npm run bench -- [options] builds first)
  --quick                 smoke run, about 80 s (env BENCH_QUICK=1)
  --only p1,p2,p3,r5,p6   scenarios to run (BENCH_ONLY); p6 = bot provider overhead vs http
  --sessions N            bot sessions used round-robin (BENCH_SESSIONS, 2000)
  --warmup S              warm-up seconds before each measured phase (BENCH_WARMUP_S, 5; quick 2)
  --concurrency N         WORKER_CONCURRENCY for P1/P2 (WORKER_CONCURRENCY, 50)
  --p1-rate R             P1 turns/s (BENCH_P1_RATE, 200)
  --p1-duration S         P1 seconds per side (BENCH_P1_DURATION_S, 20; quick 4)
  --p2-rates a,b,...      P2 steps in turns/s (BENCH_P2_RATES, 250,500,750,1000,1250,1500,2000,2500;
                          quick 250,1000)
  --p2-step S             P2 seconds per step (BENCH_P2_STEP_S, 10; quick 3)
  --p2-workers N          P2 worker processes (BENCH_P2_WORKERS, 2)
  --p3-workers 1,2,3      P3 worker-process counts (BENCH_P3_WORKERS; quick 1,2)
  --p3-concurrency N      P3 WORKER_CONCURRENCY (BENCH_P3_CONCURRENCY, 50)
  --p3-duration S         P3 seconds per run (BENCH_P3_DURATION_S, 20; quick 4)
  --p3-bot-ms MS          P3 bot latency (BENCH_P3_BOT_MS, 2000)
  --p3-over F             P3 over-capacity rate = F × 1-worker capacity (BENCH_P3_OVER, 1.4; 0 skips)
  --p3-over-all           also run the over-capacity rate (F × n-worker capacity) for every worker count,
                          so the scaling ratio is taken at saturation (BENCH_P3_OVER_ALL=1; adds ~30 s each)
  --r5-phases R:S,...     R5 spike profile, turns/s:seconds back to back (BENCH_R5_PHASES,
                          1000:1,5000:5,500:5; quick 1000:1,5000:2,500:2)
  --r5-workers N          R5 worker processes (BENCH_R5_WORKERS, 2)
  --r5-sockets N          R5 client keep-alive sockets at most (BENCH_R5_SOCKETS, 12000; needs
                          ulimit -n above it, for this process and the ingress alike)
  --r5-preconnect N,...   one R5 run per value: open N keep-alive sockets before the spike, so it
                          needs no new connections while fewer than N requests are in flight; 0 =
                          open them on demand (BENCH_R5_PRECONNECT, 10000,0)
  --cpu-prof              write V8 CPU profiles of the gateway processes (printed directory)
  --node-option OPT       extra node option for every gateway/baseline child (repeatable)
  --otlp-sink             tracing on: start an OTLP/HTTP endpoint that accepts everything (its own
                          process) and point every gateway process at it (OTEL_EXPORTER_OTLP_ENDPOINT)
  --otlp-only ingress|workers
                          with --otlp-sink: only these processes trace, to tell the two sides' costs apart
  --gateway-env K=V       extra environment variable for every gateway/baseline child (repeatable),
                          e.g. --gateway-env MAX_INFLIGHT_TURNS=2000 (try settings without editing code)
  --json FILE             also write every figure as JSON (BENCH_JSON)
  --timeline              print per-second p50/p99 and box CPU for each measured phase (BENCH_TIMELINE=1)
  --redis-url URL         (REDIS_URL, redis://127.0.0.1:6379)`);
  process.exit(0);
}
const Q = args.quick;
const num = (v, full, quick) => (v !== undefined && v !== '' ? Number(v) : Q ? quick : full);
const opts = {
  only: new Set(list(args.only).map((s) => s.toLowerCase())),
  sessions: Number(args.sessions),
  warmupS: num(args.warmup, 5, 2),
  concurrency: Number(args.concurrency),
  p1Rate: Number(args['p1-rate']),
  p1S: num(args['p1-duration'], 20, 4),
  p2Rates: args['p2-rates'] ? nums(args['p2-rates']) : Q ? [250, 1000] : [250, 500, 750, 1000, 1250, 1500, 2000, 2500],
  p2S: num(args['p2-step'], 10, 3),
  p2Workers: Number(args['p2-workers']),
  p3Workers: args['p3-workers'] ? nums(args['p3-workers']) : Q ? [1, 2] : [1, 2, 3],
  p3Concurrency: Number(args['p3-concurrency']),
  p3S: num(args['p3-duration'], 20, 4),
  p3BotMs: Number(args['p3-bot-ms']),
  p3Over: Number(args['p3-over']),
  r5Phases: parsePhases(args['r5-phases'] ?? (Q ? '1000:1,5000:2,500:2' : '1000:1,5000:5,500:5')),
  r5Workers: Number(args['r5-workers']),
  r5Sockets: Number(args['r5-sockets']),
  r5Preconnect: nums(args['r5-preconnect']),
};
function parsePhases(spec) {
  return list(spec).map((p) => {
    const [rate, seconds] = p.split(':').map(Number);
    return { rate, seconds };
  });
}
for (const [k, v] of Object.entries(opts)) {
  const bad = (x) => !Number.isFinite(x) || x < 0 || x > 100000;
  const badPhase = (p) => typeof p === 'object' && (bad(p.rate) || bad(p.seconds) || p.rate <= 0 || p.seconds <= 0 || p.seconds > 600);
  if (typeof v === 'number' ? bad(v) : Array.isArray(v) && v.some((x) => (typeof x === 'object' ? badPhase(x) : bad(x)))) {
    console.error(`bench: bad value for ${k}: ${v}`);
    process.exit(2);
  }
}
if (opts.sessions < 1 || opts.p1Rate <= 0 || opts.p2Rates.some((r) => r <= 0) || opts.p3Workers.some((n) => n < 1 || n > 16) || opts.p2Workers < 1 || opts.p2Workers > 16 || opts.r5Workers < 1 || opts.r5Workers > 16 || !opts.r5Phases.length || opts.r5Sockets < 1 || opts.r5Sockets > 60000) {
  console.error('bench: rates must be > 0, sessions ≥ 1, worker counts 1–16, R5 sockets 1–60000, R5 phases R:S with S ≤ 600');
  process.exit(2);
}

const basePrefix = args.prefix ?? `bench${randomBytes(4).toString('hex')}`;
if (!/^[A-Za-z0-9_]{1,24}$/.test(basePrefix)) {
  console.error('bench: --prefix must be 1-24 letters, digits or _');
  process.exit(2);
}
const DEADLINE_MS = 5000;
const HOLD_MESSAGE = `BENCH-HOLD ${randomBytes(6).toString('hex')}: still working on it`;

// ---- process and resource bookkeeping -----------------------------------------------------------
const children = new Set();
const usedPrefixes = new Set();
const tmp = mkdtempSync(join(os.tmpdir(), 'gbg-bench-'));
const profDir = args['cpu-prof'] ? join(tmp, 'cpu-prof') : undefined;
if (profDir) mkdirSync(profDir, { recursive: true });
let redis;
let aborted = false;
const abort = new AbortController();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(...a);
const note = (s) => process.stderr.write(`  · ${s}\n`);

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Last lines of a child's output, plus a tally of its warn/error log messages. */
function captureOutput(child, name) {
  const tail = [];
  const tally = new Map();
  const onLine = (line) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (line.startsWith('{')) {
      try {
        const j = JSON.parse(line);
        if (j.level === 'warn' || j.level === 'error' || j.level === 'fatal') {
          // Tally by context + message (pino puts the text in msg; error details may come as detail).
          const k = `${j.level} ${j.context ?? ''}: ${String(j.msg ?? j.detail ?? '(no msg field)').slice(0, 120)}`;
          tally.set(k, (tally.get(k) ?? 0) + 1);
        }
      } catch {
        /* not a log line */
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      if (buf.length > 65536) buf = '';
    });
  }
  return { name, tail, tally };
}

function spawnNode(name, script, childEnv, { ipc = false } = {}) {
  const nodeArgs = [...args['node-option'], ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: root,
    env: childEnv,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  child.out = captureOutput(child, name);
  child.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  child.on('exit', () => children.delete(child));
  children.add(child);
  if (profDir) note(`${name} pid ${child.pid}`);
  return child;
}

async function stopChild(child, graceMs = 20000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(t);
}

function getJson(port, path, timeoutMs = 2000) {
  return new Promise((res) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (r) => {
      let b = '';
      r.setEncoding('utf8');
      r.on('data', (d) => (b += d));
      r.on('end', () => res({ status: r.statusCode, body: b }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res({ status: 0, body: '' }));
  });
}

/** CPU seconds (user+system) of a process from /proc; undefined where /proc is not readable. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, CLK_TCK = 100 on Linux
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB from /proc; undefined where /proc is not readable. */
function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Box-wide TCP counters from /proc/net/netstat: accept-queue overflows (SYNs dropped because a
 * listening socket's backlog was full) and SYN retransmissions (what the client does then).
 */
const NETSTAT_KEYS = ['ListenOverflows', 'ListenDrops', 'TCPSynRetrans'];
function tcpCounters() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/);
    const vals = lines[1].split(/\s+/);
    return Object.fromEntries(NETSTAT_KEYS.map((k) => [k, Number(vals[names.indexOf(k)])]));
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (all cores) from /proc/stat. */
function machineJiffies() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function cpuSnapshot(procs) {
  const self = process.cpuUsage();
  return {
    machine: machineJiffies(),
    at: performance.now(),
    self: (self.user + self.system) / 1e6,
    procs: procs.map((p) => ({ name: p.name, pid: p.pid, cpu: cpuSeconds(p.pid) })),
  };
}

function cpuDelta(a, b) {
  const wall = (b.at - a.at) / 1000;
  const pct = (x, y) => (x === undefined || y === undefined ? undefined : Math.round(((y - x) / wall) * 100));
  const out = { loadgen: pct(a.self, b.self) };
  if (a.machine && b.machine) out.machine = Math.round(((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * 100);
  for (let i = 0; i < a.procs.length; i++) out[a.procs[i].name] = pct(a.procs[i].cpu, b.procs[i]?.cpu);
  if (out.machine !== undefined) {
    // Whatever else ran on the box meanwhile (other users' builds and tests): a noise indicator.
    const ours = Object.entries(out).filter(([k, v]) => k !== 'machine' && v !== undefined).reduce((t, [, v]) => t + v, 0);
    out.foreign = Math.max(0, Math.round(out.machine - ours / os.cpus().length));
  }
  return out;
}

// ---- channels file ----------------------------------------------------------------------------
function channelDef(id, clientId, secret, latencyMs, timeoutMs) {
  return {
    id,
    name: `Benchmark channel ${id}`,
    enabled: true,
    genesys: { environment: 'mypurecloud.com' },
    app: { clientId, clientSecrets: [secret] },
    replyDeadlineMs: DEADLINE_MS,
    deadlinePolicy: 'hold',
    holdMessage: HOLD_MESSAGE,
    defaultLanguage: 'en-us',
    templates: { profile: 'webmessaging', disable: [] },
    bots: [
      {
        id: 'bench-bot',
        name: 'Bench Bot',
        versions: ['1.0'],
        languages: ['en-us'],
        intents: [{ name: 'Help' }],
        provider: { name: 'demo', ...(timeoutMs ? { timeoutMs } : {}), config: { latencyMs } },
      },
    ],
  };
}

const secret0 = randomBytes(32).toString('base64url');
const secret2 = randomBytes(32).toString('base64url');
const channelsFile = join(tmp, 'channels.yaml');
// JSON is valid YAML; the file holds secrets, so it is private to this user.
writeFileSync(
  channelsFile,
  `${JSON.stringify({ channels: [channelDef('bench0', 'bench0-app', secret0, 0), channelDef('bench2s', 'bench2s-app', secret2, opts.p3BotMs, 8000)] }, null, 2)}\n`,
  { mode: 0o600 },
);
const CHANNELS = {
  bench0: { id: 'bench0', botId: 'bench-bot', botName: 'Bench Bot', authorization: bearerFor('bench0-app', secret0), holdMessage: HOLD_MESSAGE, deadlineMs: DEADLINE_MS },
  bench2s: { id: 'bench2s', botId: 'bench-bot', botName: 'Bench Bot', authorization: bearerFor('bench2s-app', secret2), holdMessage: HOLD_MESSAGE, deadlineMs: DEADLINE_MS },
};
const adminToken = randomBytes(32).toString('base64url');
const secretsKey = randomBytes(32).toString('base64url');

if (args['otlp-only'] !== undefined && (!args['otlp-sink'] || !['ingress', 'workers'].includes(args['otlp-only']))) {
  console.error(`bench: --otlp-only wants ingress or workers, with --otlp-sink: ${args['otlp-only']}`);
  process.exit(2);
}

const extraEnv = {};
for (const kv of args['gateway-env']) {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(kv);
  const reserved = ['PORT', 'HOST', 'REDIS_URL', 'REDIS_PREFIX', 'CHANNELS_FILE', 'ADMIN_TOKEN', 'SECRETS_KEY'];
  if (!m || reserved.includes(m[1])) {
    console.error(`bench: --gateway-env wants NAME=value (not one of ${reserved.join(', ')}): ${kv}`);
    process.exit(2);
  }
  extraEnv[m[1]] = m[2];
}

function gatewayEnv(prefix, port, concurrency) {
  // Only what the gateway needs: no inherited secrets, no stray REDIS_PREFIX.
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const base = Object.fromEntries(keep.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  return {
    ...base,
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: args['redis-url'],
    REDIS_PREFIX: prefix,
    CHANNELS_FILE: channelsFile,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ALLOW_DEV_SECRETS: 'false',
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: secretsKey,
    // Off, but for the ingress (startGateway gives it a port): the bench reads its counters.
    METRICS_PORT: '0',
    // The bench waits for a gateway whose workers are up, not only for an ingress that takes turns.
    READINESS_CHECKS: 'shutdown,redis,queue,workers',
    WORKER_CONCURRENCY: String(concurrency),
    ...extraEnv,
  };
}

/** `--otlp-only`: the other side's processes get no OTLP endpoint, so they do not trace. */
function tracedIf(side, e) {
  if (!args['otlp-only'] || args['otlp-only'] === side) return e;
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _, ...rest } = e;
  return rest;
}

// ---- gateway / baseline lifecycles ------------------------------------------------------------
async function startGateway(tag, { workers, concurrency }) {
  const prefix = `${basePrefix}-${tag}`;
  usedPrefixes.add(prefix);
  const port = await freePort();
  const metricsPort = await freePort();
  const e = gatewayEnv(prefix, port, concurrency);
  const procs = [];
  for (let i = 0; i < workers; i++) procs.push(spawnNode(`worker${i + 1}`, WORKER_MAIN, tracedIf('workers', e)));
  procs.push(spawnNode('ingress', INGRESS_MAIN, tracedIf('ingress', { ...e, METRICS_PORT: String(metricsPort) })));
  const until = Date.now() + 45000;
  let last;
  while (Date.now() < until && !aborted) {
    const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
    if (dead) throw new Error(`${dead.out.name} exited during start:\n${dead.out.tail.join('\n')}`);
    last = await getJson(port, '/health/ready');
    if (last.status === 200) break;
    await sleep(200);
  }
  if (last?.status !== 200) throw new Error(`gateway not ready after 45 s: ${last?.status} ${last?.body}`);
  const name = (p) => p.out.name;
  let stopping = false;
  return {
    kind: 'gateway',
    tag,
    prefix,
    port,
    metricsPort,
    procs,
    cpuProcs: procs.map((p) => ({ name: name(p), pid: p.pid })),
    /** Gateway processes that exited while the bench was not stopping them. */
    crashed: () => (stopping ? [] : procs.filter((p) => p.exitCode !== null || p.signalCode !== null).map((p) => `${name(p)} (exit ${p.exitCode ?? p.signalCode})`)),
    async stop() {
      stopping = true;
      await Promise.all(procs.filter((p) => p.out.name === 'ingress').map((p) => stopChild(p)));
      await Promise.all(procs.map((p) => stopChild(p)));
    },
  };
}

async function startBaseline(tag, { concurrency }) {
  const prefix = `${basePrefix}-${tag}`;
  usedPrefixes.add(prefix);
  const port = await freePort();
  const child = spawnNode('baseline', BASELINE_MAIN, gatewayEnv(prefix, port, concurrency), { ipc: true });
  const ready = await Promise.race([
    new Promise((r) => child.on('message', (m) => m?.type === 'ready' && r(true))),
    child.exited.then(() => false),
    sleep(45000).then(() => false),
  ]);
  if (!ready) throw new Error(`baseline did not start:\n${child.out.tail.join('\n')}`);
  const live = await getJson(port, '/health/live');
  if (live.status !== 200) throw new Error(`baseline /health/live answered ${live.status}`);
  return {
    kind: 'baseline',
    tag,
    prefix,
    port,
    procs: [child],
    cpuProcs: [{ name: 'baseline', pid: child.pid }],
    crashed: () => (child.exitCode !== null || child.signalCode !== null ? [`baseline (exit ${child.exitCode ?? child.signalCode})`] : []),
    stop: () => stopChild(child),
  };
}

/**
 * Commands the whole Redis server processed, in total and by command (INFO commandstats counts
 * the commands Lua scripts call too). Others may use the same Redis: an upper bound for ours.
 */
async function redisCommands() {
  try {
    const total = Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);
    const by = {};
    for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) by[m[1]] = Number(m[2]);
    return { total, by };
  } catch {
    return undefined;
  }
}

function commandsPerTurn(a, b, turns) {
  if (!a || !b || !turns) return {};
  const out = {};
  for (const [k, n] of Object.entries(b.by)) {
    const d = n - (a.by[k] ?? 0);
    if (d > 0) out[k] = Math.round((d / turns) * 100) / 100;
  }
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
}

function redisPid() {
  return redisInfo.process_id ? Number(redisInfo.process_id) : undefined;
}

/** One measured open-loop phase against a running system, with CPU per process. */
async function measure(sys, channelKey, rate, seconds, sessions, agent, extra = {}) {
  const cpuProcs = [...sys.cpuProcs, ...(redisPid() ? [{ name: 'redis', pid: redisPid() }] : [])];
  const before = cpuSnapshot(cpuProcs);
  const cmdsBefore = await redisCommands();
  const tcpBefore = tcpCounters();
  let atSendEnd;
  // Per-second CPU samples while sending, for --timeline.
  const cpuSeconds_ = [];
  let prevSample = before;
  const timeline = args.timeline || extra.timeline === true;
  const sampler = timeline
    ? setInterval(() => {
        const now = cpuSnapshot(cpuProcs);
        cpuSeconds_.push(cpuDelta(prevSample, now));
        prevSample = now;
      }, 1000)
    : undefined;
  // Peak resident memory of each gateway process, sampled until every answer is in.
  const rssMax = {};
  const rssSampler = setInterval(() => {
    for (const p of sys.cpuProcs) {
      const mb = rssMB(p.pid);
      if (mb !== undefined) rssMax[p.name] = Math.max(rssMax[p.name] ?? 0, mb);
    }
  }, 250);
  const r = await runOpenLoop({
    onSendEnd: () => {
      atSendEnd = cpuSnapshot(cpuProcs);
      if (sampler) clearInterval(sampler);
    },
    target: { host: '127.0.0.1', port: sys.port, channel: CHANNELS[channelKey] },
    agent,
    sessions,
    rate,
    durationMs: seconds * 1000,
    drainMs: DEADLINE_MS + 6000,
    requestTimeoutMs: DEADLINE_MS + 10000,
    signal: abort.signal,
    ...extra,
    timeline,
  });
  clearInterval(rssSampler);
  r.rssMaxMB = rssMax;
  const tcpAfter = tcpCounters();
  if (tcpBefore && tcpAfter) r.tcp = Object.fromEntries(NETSTAT_KEYS.map((k) => [k, tcpAfter[k] - tcpBefore[k]]));
  r.crashed = sys.crashed();
  // CPU while sending (steady state), not diluted by the drain at the end.
  r.cpu = cpuDelta(before, atSendEnd ?? cpuSnapshot(cpuProcs));
  const cmdsAfter = await redisCommands();
  // Per turn taken in (shed 503s touch no Redis).
  const taken = r.completed - r.shed;
  r.redisCommandsPerOk = cmdsBefore && cmdsAfter && taken > 0 ? (cmdsAfter.total - cmdsBefore.total) / taken : undefined;
  r.redisCommandsByName = commandsPerTurn(cmdsBefore, cmdsAfter, taken);
  if (sampler) clearInterval(sampler);
  if (r.timeline) {
    r.timeline.forEach((t, i) => (t.cpu = cpuSeconds_[i]));
    if (!extra.quietTimeline) printTimeline(r);
  }
  return r;
}

function printTimeline(r) {
  log(`  timeline (by second of intended send): sec  sent  200  shed-503  other | answered p50  p99  max ms | shed-503 p99 ms | new conns, connect p99 ms | box CPU % (others)`);
  for (const t of r.timeline) {
    if (!t.sent) continue;
    const other = (t.errorCount ?? 0);
    const ok = t.status?.[200] ?? 0;
    log(
      `    ${String(t.sec).padStart(3)}  ${String(t.sent).padStart(5)} ${String(ok).padStart(5)} ${String(t.shed).padStart(6)} ${String(other).padStart(6)} | ${f1(t.latency.p50).padStart(6)} ${f1(t.latency.p99).padStart(6)} ${f1(t.latency.max).padStart(6)} | ${f1(t.shedLatency.p99).padStart(6)} | ${String(t.newConnections).padStart(5)} ${f1(t.connectTime.p99).padStart(6)} | ${t.cpu ? `${t.cpu.machine} (${t.cpu.foreign})` : '–'}`,
    );
  }
}

async function warm(sys, channelKey, rate, seconds, sessions, agent) {
  if (seconds <= 0) return undefined;
  note(`warm-up ${seconds} s at ${rate}/s (not recorded)`);
  return runOpenLoop({
    target: { host: '127.0.0.1', port: sys.port, channel: CHANNELS[channelKey] },
    agent,
    sessions,
    rate,
    durationMs: seconds * 1000,
    drainMs: DEADLINE_MS + 6000,
    requestTimeoutMs: DEADLINE_MS + 10000,
    signal: abort.signal,
  });
}

// ---- output -------------------------------------------------------------------------------------
const f1 = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '–');
const statusText = (r) =>
  [...Object.entries(r.status).map(([k, v]) => `${k}:${v}`), ...Object.entries(r.errors).map(([k, v]) => `${k}:${v}`)].join(' ') || '–';
/** Shed = 503 with Retry-After (refused at the door, Genesys retries), and how fast it came. */
const shedText = (r) => (r.shed ? `${r.shed} (p99 ${f1(r.shedLatency.p99)} ms)` : '0');
/** Any 503 without Retry-After would be an error, not a shed: flag it. */
const unhintedText = (r) => {
  const n = (r.status?.[503] ?? 0) - (r.shed ?? 0);
  return n > 0 ? `; ⚠ ${n} × 503 without Retry-After (counted as errors)` : '';
};
const cpuText = (c) =>
  Object.entries(c ?? {})
    .filter(([, v]) => v !== undefined)
    .filter(([k]) => k !== 'foreign')
    .map(([k, v]) => (k === 'machine' ? `whole box ${v}% of ${os.cpus().length} cores (other processes ${c.foreign ?? '?'}%)` : `${k} ${v}%`))
    .join(', ');

function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  return [line(headers), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

// Latency columns are over the turns that were answered (every answer but a shed 503).
const LAT_HEAD = ['offered/s', 'sent', '200 ok/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'status / errors', 'shed 503 (p99)', 'deadline misses', 'box CPU % (others)'];
const latRow = (r) => [
  r.rate,
  r.sent,
  f1(r.throughput),
  f1(r.latency.p50),
  f1(r.latency.p90),
  f1(r.latency.p99),
  f1(r.latency.p999),
  f1(r.latency.max),
  statusText(r),
  shedText(r),
  r.deadlineMisses,
  r.cpu?.machine !== undefined ? `${r.cpu.machine} (${r.cpu.foreign})` : '–',
];

const FOREIGN_WARN = 10;
function interference(r) {
  return r.cpu?.foreign > FOREIGN_WARN ? `  ⚠ other processes used ${r.cpu.foreign}% of the box during this phase: figures disturbed, re-run on a quiet box` : '';
}

function clientHealth(r) {
  const rss = Object.entries(r.rssMaxMB ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const crash = r.crashed?.length ? `\n  ⚠ gateway process(es) died during this phase: ${r.crashed.join(', ')}` : '';
  const tcp = r.tcp?.ListenOverflows || r.tcp?.TCPSynRetrans ? `; ⚠ box TCP: ${r.tcp.ListenOverflows} accept-queue overflows, ${r.tcp.TCPSynRetrans} SYN retransmits (connect p99 ${f1(r.connectTime?.p99)} ms)` : '';
  return `send lag p50/p99 ${f1(r.sendLag.p50)}/${f1(r.sendLag.p99)} ms, latency from actual send p50/p99 ${f1(r.serviceLatency.p50)}/${f1(r.serviceLatency.p99)} ms, new connections ${r.newConnections}${tcp}, max in flight ${r.maxInFlight}, Redis cmds/turn ${f1(r.redisCommandsPerOk)}; CPU while sending: ${cpuText(r.cpu)}; peak RSS MB: ${rss || '–'}${unhintedText(r)}${crash}${interference(r) ? `\n${interference(r)}` : ''}`;
}

function tallies(sys) {
  const lines = [];
  for (const p of sys.procs) for (const [k, n] of p.out.tally) lines.push(`    ${p.out.name}: ${n} × ${k}`);
  return lines.length ? `  gateway warn/error log lines:\n${lines.slice(0, 12).join('\n')}` : '  gateway warn/error log lines: none';
}

// ---- scenarios ----------------------------------------------------------------------------------
const results = { startedAt: new Date().toISOString(), options: opts };

async function scenarioP1() {
  log(`\n## P1: ${opts.p1Rate} turns/s for ${opts.p1S} s on bench0 (0 ms bot): gateway (1 worker, concurrency ${opts.concurrency}) vs direct pass-through`);
  const out = {};
  for (const mode of ['gateway', 'baseline']) {
    const sys = mode === 'gateway' ? await startGateway('p1', { workers: 1, concurrency: opts.concurrency }) : await startBaseline('p1b', { concurrency: opts.concurrency });
    const agent = createAgent();
    try {
      const sessions = new SessionPool(opts.sessions);
      await warm(sys, 'bench0', opts.p1Rate, opts.warmupS, sessions, agent);
      note(`${mode}: measuring ${opts.p1S} s at ${opts.p1Rate}/s`);
      out[mode] = await measure(sys, 'bench0', opts.p1Rate, opts.p1S, sessions, agent);
      out[mode].logTally = Object.fromEntries(sys.procs.flatMap((p) => [...p.out.tally].map(([k, n]) => [`${p.out.name} ${k}`, n])));
      if (mode === 'gateway') log(tallies(sys));
    } finally {
      agent.destroy();
      await sys.stop();
    }
    if (aborted) return;
  }
  const g = out.gateway;
  const b = out.baseline;
  log(table(['mode', ...LAT_HEAD], [['gateway (queue)', ...latRow(g)], ['direct (baseline)', ...latRow(b)]]));
  log(`  queue hop cost (gateway − direct): p50 +${f1(g.latency.p50 - b.latency.p50)} ms, p99 +${f1(g.latency.p99 - b.latency.p99)} ms  (target ≤ 5 / ≤ 25 ms; absolute target p50 ≤ 3, p99 ≤ 15 ms)`);
  log(`  gateway  ${clientHealth(g)}`);
  log(`  gateway Redis commands per turn (incl. inside scripts; top 12): ${Object.entries(g.redisCommandsByName).slice(0, 12).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`  baseline ${clientHealth(b)}`);
  out.hop = { p50: g.latency.p50 - b.latency.p50, p99: g.latency.p99 - b.latency.p99 };
  results.p1 = out;
}

async function scenarioP2() {
  log(`\n## P2: capacity with a 0 ms bot on bench0: ${opts.p2Workers} worker processes (concurrency ${opts.concurrency}), ${opts.p2S} s per step`);
  const sys = await startGateway('p2', { workers: opts.p2Workers, concurrency: opts.concurrency });
  const agent = createAgent();
  const steps = [];
  try {
    const sessions = new SessionPool(opts.sessions);
    await warm(sys, 'bench0', opts.p2Rates[0], opts.warmupS, sessions, agent);
    for (const rate of opts.p2Rates) {
      if (aborted) break;
      note(`step ${rate}/s for ${opts.p2S} s`);
      const r = await measure(sys, 'bench0', rate, opts.p2S, sessions, agent);
      steps.push(r);
      log(`  step ${rate}/s: ${f1(r.throughput)} ok/s, p50 ${f1(r.latency.p50)} p99 ${f1(r.latency.p99)} max ${f1(r.latency.max)} ms, ${statusText(r)}, shed ${shedText(r)}, misses ${r.deadlineMisses}; ${clientHealth(r)}`);
      const why = r.latency.p99 > 500 ? `p99 ${f1(r.latency.p99)} ms > 500 ms` : r.errorRate > 0.01 ? `errors ${(r.errorRate * 100).toFixed(1)}% > 1%` : r.shedRate > 0.01 ? `shed ${(r.shedRate * 100).toFixed(1)}% > 1% (the gateway says it is saturated)` : undefined;
      if (why) {
        log(`  stopping: ${why}`);
        break;
      }
      await sleep(1000);
    }
    log(tallies(sys));
  } finally {
    agent.destroy();
    await sys.stop();
  }
  const good = steps.filter((r) => r.latency.p99 <= 50 && r.errorCount === 0 && r.shed === 0 && r.deadlineMisses === 0);
  const capacity = good.length ? good[good.length - 1] : undefined;
  log(table(LAT_HEAD, steps.map(latRow)));
  log(
    capacity
      ? `  capacity (last step with p99 ≤ 50 ms, no errors, none shed, no deadline misses): ${capacity.rate} turns/s offered, ${f1(capacity.throughput)} turns/s sustained (target ≥ 1000)`
      : '  capacity: no step met p99 ≤ 50 ms with no errors and none shed (target ≥ 1000 turns/s)',
  );
  const best = steps.reduce((m, r) => Math.max(m, r.throughput), 0);
  log(`  highest sustained 200 rate in any step: ${f1(best)} turns/s`);
  results.p2 = { steps, capacity: capacity?.rate ?? 0, capacitySustained: capacity?.throughput ?? 0, bestSustained: best };
}

async function scenarioP3() {
  const c = opts.p3Concurrency;
  const perWorker = c / (opts.p3BotMs / 1000);
  log(`\n## P3: ${opts.p3BotMs} ms bot on bench2s, WORKER_CONCURRENCY=${c} (capacity ${f1(perWorker)} turns/s per worker process), ${opts.p3S} s per run`);
  const runs = [];
  for (const n of opts.p3Workers) {
    if (aborted) break;
    const sys = await startGateway(`p3w${n}`, { workers: n, concurrency: c });
    const agent = createAgent();
    try {
      const sessions = new SessionPool(opts.sessions);
      const rate = Math.round(perWorker * n * 0.8 * 10) / 10;
      await warm(sys, 'bench2s', rate, Q ? 0 : Math.min(opts.warmupS, 3), sessions, agent);
      note(`${n} worker(s): measuring ${opts.p3S} s at ${rate}/s`);
      const r = await measure(sys, 'bench2s', rate, opts.p3S, sessions, agent);
      r.workers = n;
      r.load = 'below';
      runs.push(r);
      log(`  ${n} worker(s) at ${rate}/s: ${f1(r.throughput)} ok/s, p50 ${f1(r.latency.p50)} p99 ${f1(r.latency.p99)} ms, ${statusText(r)}, shed ${shedText(r)}, misses ${r.deadlineMisses}; ${clientHealth(r)}`);
      if ((n === opts.p3Workers[0] || args['p3-over-all']) && opts.p3Over > 0 && !aborted) {
        const over = Math.round(perWorker * n * opts.p3Over * 10) / 10;
        note(`${n} worker(s): over capacity, ${opts.p3S} s at ${over}/s`);
        await sleep(500);
        const o = await measure(sys, 'bench2s', over, opts.p3S, sessions, agent);
        o.workers = n;
        o.load = 'over';
        runs.push(o);
        log(`  ${n} worker(s) at ${over}/s (over capacity): ${f1(o.throughput)} ok/s, p50 ${f1(o.latency.p50)} p99 ${f1(o.latency.p99)} ms, ${statusText(o)}, shed ${shedText(o)}, misses ${o.deadlineMisses}; ${clientHealth(o)}`);
      }
      log(tallies(sys));
    } finally {
      agent.destroy();
      await sys.stop();
    }
  }
  const base = runs.find((r) => r.load === 'below' && r.workers === opts.p3Workers[0]);
  const baseOver = runs.find((r) => r.load === 'over' && r.workers === opts.p3Workers[0]);
  const rows = runs.map((r) => [
    r.workers,
    r.load === 'over' ? `over (${opts.p3Over}×)` : 'below (0.8×)',
    r.rate,
    f1(r.throughput),
    r.load === 'below' && base ? f1(r.throughput / base.throughput) : r.load === 'over' && baseOver ? f1(r.throughput / baseOver.throughput) : '–',
    f1(r.latency.p50),
    f1(r.latency.p99),
    f1(r.latency.max),
    statusText(r),
    shedText(r),
    r.deadlineMisses,
    r.cpu?.machine !== undefined ? `${r.cpu.machine} (${r.cpu.foreign})` : '–',
  ]);
  log(table(['workers', 'load', 'offered/s', '200 ok/s', 'scaling vs first', 'p50 ms', 'p99 ms', 'max ms', 'status / errors', 'shed 503 (p99)', 'deadline misses', 'box CPU % (others)'], rows));
  results.p3 = { runs, perWorkerCapacity: perWorker };
}

/**
 * P5: the sync reply always leaves before the deadline: max ack ≤ deadline + 100 ms at any load
 * below the shed threshold. Every measured gateway phase in which nothing was shed counts.
 */
function p5Summary() {
  const phases = [];
  if (results.p1?.gateway) phases.push(['P1 200/s', results.p1.gateway]);
  for (const r of results.p2?.steps ?? []) phases.push([`P2 ${r.rate}/s`, r]);
  for (const r of results.p3?.runs ?? []) phases.push([`P3 ${r.workers}w ${r.rate}/s`, r]);
  for (const x of results.r5 ?? []) if (x.baseline) phases.push([`R5 baseline ${x.baseline.rate}/s`, x.baseline]);
  const below = phases.filter(([, r]) => r.shed === 0 && Number.isFinite(r.latency.max));
  if (!below.length) return;
  const limit = DEADLINE_MS + 100;
  const over = below.filter(([, r]) => r.latency.max > limit);
  const worst = below.reduce((m, x) => (x[1].latency.max > m[1].latency.max ? x : m));
  log(`\n## P5: max ack ≤ ${limit} ms in every phase that shed nothing`);
  log(`  ${below.length} phase(s); worst max ${f1(worst[1].latency.max)} ms (${worst[0]}); ${over.length ? `OVER in: ${over.map(([n, r]) => `${n} ${f1(r.latency.max)} ms`).join(', ')}` : 'none over'}`);
  const shedding = phases.filter(([, r]) => r.shed > 0);
  if (shedding.length) log(`  phases that shed (not counted here): ${shedding.map(([n, r]) => `${n} (${r.shed} shed, max 200 ${f1(r.answeredLatency.max)} ms)`).join(', ')}`);
  for (const x of results.r5 ?? []) if (x.max200 !== undefined) log(`  R5 spike (${x.preconnect ? 'warm' : 'cold'} sockets), shedding on: max 200 ${f1(x.max200)} ms, ${x.run.shed} shed`);
  results.p5 = { limit, phases: below.length, worst: { phase: worst[0], max: worst[1].latency.max }, over: over.map(([n, r]) => ({ phase: n, max: r.latency.max })) };
}

/** The file-descriptor limit this process got (sockets count against it), if the shell tells. */
/** P6: each bot provider against its 0 ms fake, beside `http` in the same run (scripts/bench/provider-overhead.mjs). */
async function scenarioP6() {
  log('\n## P6: bot provider overhead (each provider against its local 0 ms fake, interleaved with http)');
  const turns = Q ? 300 : 2000;
  const rounds = Q ? 1 : 3;
  const out = execFileSync(process.execPath, [join(root, 'scripts/bench/provider-overhead.mjs'), '--turns', String(turns), '--rounds', String(rounds), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = out.trimEnd().split('\n');
  results.p6 = JSON.parse(lines.pop());
  log(lines.join('\n'));
}

function fdLimit() {
  try {
    return Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 }).trim());
  } catch {
    return NaN;
  }
}

async function scenarioR5() {
  results.r5 = [];
  for (const pre of opts.r5Preconnect) {
    if (aborted) break;
    results.r5.push(await scenarioR5once(pre, results.r5.length));
  }
}

async function scenarioR5once(preconnectCount, index) {
  const phases = opts.r5Phases;
  const spikeRate = Math.max(...phases.map((p) => p.rate));
  const spikeIdx = phases.findIndex((p) => p.rate === spikeRate);
  const label = (i) => (i < spikeIdx ? 'before' : i === spikeIdx ? 'spike' : i === phases.length - 1 ? 'recovery' : 'after');
  const tail = phases[phases.length - 1];
  const profile = phases.map((p) => `${p.seconds} s at ${p.rate}/s`).join(', then ');
  log(`\n## R5${preconnectCount ? ` (warm: ${preconnectCount} sockets open before)` : ' (cold: sockets opened on demand)'}: overload spike on bench0 (0 ms bot), ${opts.r5Workers} worker processes (concurrency ${opts.concurrency}): ${profile}`);
  log(`  A 503 with Retry-After counts as shed (refused at the door; Genesys retries it), not as an error or a lost turn.`);
  let sockets = opts.r5Sockets;
  const limit = fdLimit();
  if (Number.isFinite(limit) && sockets > limit - 1000) {
    sockets = Math.max(1000, limit - 1000);
    note(`ulimit -n is ${limit}: client sockets capped at ${sockets}`);
  }
  const sys = await startGateway(`r5${'abcdefgh'[index] ?? index}`, { workers: opts.r5Workers, concurrency: opts.concurrency });
  const agent = createAgent(sockets);
  const out = { phasesSpec: phases, sockets, preconnect: preconnectCount };
  try {
    const sessions = new SessionPool(opts.sessions);
    const warmed = await warm(sys, 'bench0', tail.rate, opts.warmupS, sessions, agent);
    if (preconnectCount > 0) {
      const n = Math.min(preconnectCount, sockets);
      note(`opening ${n} keep-alive sockets`);
      const t = Date.now();
      out.openSockets = await preconnect({ agent, host: '127.0.0.1', port: sys.port, count: n, step: 500 });
      log(`  ${out.openSockets} keep-alive sockets open before the spike (asked ${n}; took ${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } else {
      log(`  sockets are opened on demand (keep-alive, up to ${sockets}): a spike needs new TCP connections`);
    }
    const baseS = Q ? 2 : 5;
    note(`baseline: ${baseS} s at ${tail.rate}/s`);
    const base = await measure(sys, 'bench0', tail.rate, baseS, sessions, agent);
    out.baseline = base;
    log(`  baseline before the spike, ${baseS} s at ${tail.rate}/s: p50 ${f1(base.latency.p50)} p99 ${f1(base.latency.p99)} max ${f1(base.latency.max)} ms, ${statusText(base)}, shed ${shedText(base)}; ${clientHealth(base)}`);
    await sleep(1000);
    note(`spike profile: ${profile}`);
    const r = await measure(sys, 'bench0', undefined, undefined, sessions, agent, {
      phases: phases.map((p, i) => ({ rate: p.rate, durationMs: p.seconds * 1000, label: label(i) })),
      timeline: true,
      quietTimeline: true,
    });
    out.run = r;
    const live = await getJson(sys.port, '/health/live', 3000);
    const metrics = await getJson(sys.metricsPort, '/metrics', 3000);
    out.refusedByReason = Object.fromEntries(
      [...metrics.body.matchAll(/^gbg_rejected_requests_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]),
    );
    out.crashed = sys.crashed();
    out.liveAfter = live.status;
    // Turns the ingress answered (its own counter, every outcome) against the 200s this client got
    // over the gateway's whole life (warm-up, baseline, spike): the difference was answered but
    // never arrived, i.e. lost after acceptance.
    out.ingressAnswered = [...metrics.body.matchAll(/^gbg_turns_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
    out.clientOk = [warmed, base, r].reduce((a, x) => a + (x?.status?.[200] ?? 0), 0);
    // The ingress's own view of latency (from its onRequest hook): turns it answered after more
    // than 5 s. Time a request spends before that hook (accept queue, SYN retries, socket
    // buffers) is invisible to it, and to its deadline.
    const bucket = (le) => [...metrics.body.matchAll(new RegExp(`^gbg_turn_latency_seconds_bucket\\{[^}]*le="${le}"[^}]*\\} (\\d+)`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    out.ingressOver5s = bucket('\\+Inf') - bucket('5');
    printTimeline(r);
    log(tallies(sys));

    const rows = r.phases.map((p) => [
      p.label,
      p.rate,
      p.durationMs / 1000,
      p.sent,
      p.status[200] ?? 0,
      p.holds,
      p.shed,
      f1(p.shedLatency.p99),
      f1(p.shedServiceLatency.p99),
      f1(p.shedOpenConnLatency.p99),
      p.errorCount,
      f1(p.answeredLatency.p50),
      f1(p.answeredLatency.p99),
      f1(p.answeredLatency.max),
      p.deadlineMisses,
      p.newConnections,
      f1(p.connectTime.p99),
    ]);
    log(table(['phase', 'offered/s', 's', 'sent', 'answered 200', 'of which hold', 'shed 503', 'shed p99 ms', 'shed p99 from actual send', 'shed p99 on open conns', 'no answer / errors', '200 p50 ms', '200 p99 ms', '200 max ms', 'deadline misses', 'new conns', 'connect p99 ms'], rows));

    // Recovery: seconds after the spike ended until every later second is back near the baseline.
    const spikeEndSec = phases.slice(0, spikeIdx + 1).reduce((a, p) => a + p.seconds, 0);
    const near = Math.max(2 * base.latency.p99, base.latency.p99 + 10, 50);
    const after = r.timeline.filter((t) => t.sec >= spikeEndSec && t.sent);
    let recoveredAt;
    for (let i = after.length - 1; i >= 0; i--) {
      const t = after[i];
      if (t.shed === 0 && t.errorCount === 0 && t.latency.p99 <= near) recoveredAt = t.sec;
      else break;
    }
    const tailPhase = r.phases[r.phases.length - 1];
    const lastTailSecs = after.slice(-3);
    const lastTailP99 = Math.max(...lastTailSecs.map((t) => t.latency.p99));
    const answered = r.phases.reduce((a, p) => a + (p.status[200] ?? 0), 0);
    const max200 = Math.max(...r.phases.map((p) => p.answeredLatency.max).filter(Number.isFinite));
    const rss = Object.entries(r.rssMaxMB ?? {});
    const rssWorst = rss.length ? Math.max(...rss.map(([, v]) => v)) : NaN;
    const unhinted = (r.status[503] ?? 0) - r.shed;
    Object.assign(out, { answered, max200, recoveredAt, spikeEndSec, near, lastTailP99, rssWorst });
    const yes = (b) => (b ? 'yes' : 'NO');
    log(`  sent ${r.sent}: answered 200 ${answered} (hold ${r.holds}), shed 503 ${r.shed}, not answered or other errors ${r.errorCount}; Retry-After values ${JSON.stringify(r.retryAfter)}, 503 reasons ${JSON.stringify(r.shedReasons)}; ingress refusals by reason ${JSON.stringify(out.refusedByReason)}`);
    log(`  shed 503 p50/p99/max ${f1(r.shedLatency.p50)}/${f1(r.shedLatency.p99)}/${f1(r.shedLatency.max)} ms from intended send (${f1(r.shedServiceLatency.p99)} ms p99 from actual send; p50/p99 ${f1(r.shedOpenConnLatency.p50)}/${f1(r.shedOpenConnLatency.p99)} ms for the ${r.shedOpenConnLatency.count} sent on an already open connection); target p99 ≤ 50 ms: ${r.shed ? yes(r.shedLatency.p99 <= 50) : "n/a (nothing shed)"}`);
    log(`  max latency of a 200: ${f1(max200)} ms; ≤ deadline + 100 ms (${DEADLINE_MS + 100}): ${yes(max200 <= DEADLINE_MS + 100)}; answered after > 5 s as this client measured: ${r.overDeadline}, as the ingress measured (from its onRequest hook): ${out.ingressOver5s}`);
    const netErrors = Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ');
    log(`  every 503 carried Retry-After: ${yes(unhinted === 0)}; requests with no HTTP answer: ${netErrors || 0}; turns the ingress answered ${out.ingressAnswered} vs 200s received ${out.clientOk} over the gateway's life (accepted but lost: ${out.ingressAnswered - out.clientOk}); gateway processes died: ${out.crashed.length ? out.crashed.join(', ') : 0}; /health/live after: ${live.status}; peak RSS MB ${rss.map(([k, v]) => `${k} ${v}`).join(', ')} (target ≤ 512: ${yes(rssWorst <= 512)})`);
    log(`  recovery (${tail.rate}/s for ${tail.seconds} s): p50 ${f1(tailPhase.answeredLatency.p50)} p99 ${f1(tailPhase.answeredLatency.p99)} ms over the whole phase, last ${lastTailSecs.length} s p99 ≤ ${f1(lastTailP99)} ms (baseline p99 ${f1(base.latency.p99)} ms); ${recoveredAt !== undefined ? `back near baseline (per-second p99 ≤ ${f1(near)} ms, nothing shed) from second ${recoveredAt}, ${recoveredAt - spikeEndSec} s after the spike ended` : 'NOT back near the baseline by the end of the run'}`);
    log(`  ${clientHealth(r)}`);
  } finally {
    agent.destroy();
    await sys.stop();
  }
  return out;
}

// ---- cleanup ------------------------------------------------------------------------------------
async function deletePrefix(prefix) {
  let cursor = '0';
  let deleted = 0;
  const until = Date.now() + 60000;
  for (let i = 0; i < 100000 && Date.now() < until; i++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) deleted += await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    aborted = true;
    abort.abort();
    await Promise.all([...children].map((c) => stopChild(c, 8000))).catch(() => undefined);
    if (redis) {
      let total = 0;
      for (const p of usedPrefixes) total += await deletePrefix(p).catch(() => 0);
      let left = 0;
      for (const p of usedPrefixes) left += (await redis.scan('0', 'MATCH', `${p}:*`, 'COUNT', 100000).catch(() => ['0', []]))[1].length;
      note(`removed ${total} Redis keys under ${[...usedPrefixes].map((p) => `${p}:*`).join(', ') || '(none)'}${left ? `; ${left} still there` : ''}`);
      redis.disconnect();
    }
    if (profDir) rmSync(channelsFile, { force: true });
    else rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (++interrupted > 1) process.exit(130);
    process.stderr.write(`\n${sig}: stopping the gateway and removing bench keys…\n`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

// ---- main -------------------------------------------------------------------------------------
let redisInfo = {};
async function main() {
  redis = new Redis(args['redis-url'], { maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const parse = (s) => Object.fromEntries(s.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(/:(.*)/s).slice(0, 2)));
  redisInfo = { ...parse(await redis.info('server')), ...parse(await redis.info('persistence')) };
  const pkg = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const cpus = os.cpus();
  log('# Genesys Bot Connector gateway benchmark');
  log(`date ${new Date().toISOString()}, host ${os.hostname()}, ${os.type()} ${os.release()}`);
  log(`CPU: ${cpus.length} × ${cpus[0]?.model ?? '?'}, RAM ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  log(`node ${process.version}, redis-server ${redisInfo.redis_version} (AOF ${redisInfo.aof_enabled === '1' ? 'on' : 'off'}), bullmq ${pkg('bullmq')}, ioredis ${pkg('ioredis')}, fastify ${pkg('fastify')}, @nestjs/core ${pkg('@nestjs/core')}`);
  const git = (...a) => {
    try {
      return execFileSync('git', a, { cwd: root, encoding: 'utf8', timeout: 5000 }).trim();
    } catch {
      return undefined;
    }
  };
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--', 'apps', 'libs');
  const dirtyFiles = dirty ? dirty.split('\n').filter(Boolean).length : 0;
  log(`code: HEAD ${head ?? '?'}${dirtyFiles ? ` + ${dirtyFiles} uncommitted file(s) in apps/ libs/ (dist/ is built from the working tree)` : ''}`);
  log(`The load generator (this process), the gateway processes and Redis share the same ${cpus.length} cores; nothing is pinned.`);
  log(`Sessions: ${opts.sessions} round-robin, unique messageId per turn, input "hi" (text + 8 quick replies back). Deadline ${DEADLINE_MS} ms, policy hold.`);
  log(`Latency is measured from each request's intended send time (open loop, coordinated-omission corrected).${Q ? ' QUICK MODE: short runs, figures are only a smoke test.' : ''}`);
  results.env = { head, dirtyFiles, node: process.version, redis: redisInfo.redis_version, aof: redisInfo.aof_enabled, bullmq: pkg('bullmq'), cpus: cpus.length, cpuModel: cpus[0]?.model, host: os.hostname() };
  if (profDir) log(`CPU profiles → ${profDir}`);
  if (args['node-option'].length) log(`EXTRA NODE OPTIONS for every gateway/baseline process: ${args['node-option'].join(' ')}`);
  results.nodeOptions = args['node-option'];
  if (Object.keys(extraEnv).length) log(`EXTRA ENVIRONMENT for every gateway/baseline process: ${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  results.gatewayEnv = extraEnv;

  const j0 = machineJiffies();
  await sleep(2000);
  const j1 = machineJiffies();
  if (j0 && j1) {
    const idleBusy = Math.round(((j1.busy - j0.busy) / (j1.total - j0.total)) * 100);
    results.env.busyBeforeStart = idleBusy;
    log(`Box CPU busy before start (2 s sample, nothing of ours running): ${idleBusy}%${idleBusy > FOREIGN_WARN ? '  ⚠ the box is not quiet: figures will be disturbed' : ''}`);
  }
  log(`"box CPU % (others)" = whole-box CPU while sending (100% = all ${cpus.length} cores), and in brackets the part not used by the load generator, the gateway or Redis.`);
  let sink;
  if (args['otlp-sink']) {
    sink = spawn(process.execPath, [join(root, 'scripts/bench/otlp-sink.mjs')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(sink);
    const { port } = await new Promise((r) => sink.once('message', r));
    extraEnv.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
    sink.statsPort = port;
    log(`TRACING ON: ${args['otlp-only'] ? `the ${args['otlp-only']} only` : 'every gateway process'} exports spans over OTLP/HTTP (${extraEnv.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf'}) to a sink at ${extraEnv.OTEL_EXPORTER_OTLP_ENDPOINT} that accepts everything (its own process)`);
  }
  const t0 = Date.now();
  if (opts.only.has('p1')) await scenarioP1();
  if (opts.only.has('p2') && !aborted) await scenarioP2();
  if (opts.only.has('p3') && !aborted) await scenarioP3();
  if (opts.only.has('r5') && !aborted) await scenarioR5();
  if (opts.only.has('p6') && !aborted) await scenarioP6();
  p5Summary();
  if (sink) {
    let stats;
    try {
      stats = JSON.parse((await getJson(sink.statsPort, '/stats', 3000)).body);
    } catch {
      stats = undefined;
    }
    results.otlpSink = stats;
    log(`OTLP sink received ${stats?.requests} export requests, ${((stats?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB (${JSON.stringify(stats?.contentTypes)})`);
    sink.kill('SIGTERM');
  }
  log(`\ntotal bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(results, null, 2));
    log(`figures written to ${args.json}`);
  }
}

let code = 0;
try {
  await main();
} catch (e) {
  console.error(`bench failed: ${e.stack ?? e.message}`);
  code = 1;
}
await cleanup();
process.exit(code);
