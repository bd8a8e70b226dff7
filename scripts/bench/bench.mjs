#!/usr/bin/env node
// `npm run bench`: drives the REAL gateway (ingress + worker processes from dist/) over HTTP
// with an open-loop load generator and prints latency/throughput figures for the targets
// P1–P3 of perf-reliability.md §0. See docs/performance.md for the method and the results.
//
//   npm run bench                       full run (about 5–6 minutes on a 2-core box)
//   npm run bench -- --quick            smoke run (under a minute)
//   npm run bench -- --only p1,p3       some scenarios only
//   node scripts/bench/bench.mjs --help all options (skips the build)
//
// Everything it creates is its own: a temp channels file, child processes, and Redis keys under
// random prefixes `<BENCH_PREFIX>-<scenario>:*`, all removed on exit (also on Ctrl-C).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SessionPool, bearerFor, createAgent, runOpenLoop } from './loadgen.mjs';

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
      only: { type: 'string', default: env.BENCH_ONLY ?? 'p1,p2,p3' },
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
      'cpu-prof': { type: 'boolean', default: false },
      'node-option': { type: 'string', multiple: true, default: [] },
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
  --quick                 smoke run, under a minute (env BENCH_QUICK=1)
  --only p1,p2,p3         scenarios to run (BENCH_ONLY)
  --sessions N            bot sessions used round-robin (BENCH_SESSIONS, 2000)
  --warmup S              warm-up seconds before each measured phase (BENCH_WARMUP_S, 5; quick 2)
  --concurrency N         WORKER_CONCURRENCY for P1/P2 (WORKER_CONCURRENCY, 50)
  --p1-rate R             P1 turns/s (BENCH_P1_RATE, 200)
  --p1-duration S         P1 seconds per side (BENCH_P1_DURATION_S, 20; quick 4)
  --p2-rates a,b,...      P2 steps in turns/s (BENCH_P2_RATES, 250,500,750,1000,1250,1500; quick 250,1000)
  --p2-step S             P2 seconds per step (BENCH_P2_STEP_S, 10; quick 3)
  --p2-workers N          P2 worker processes (BENCH_P2_WORKERS, 2)
  --p3-workers 1,2,3      P3 worker-process counts (BENCH_P3_WORKERS; quick 1,2)
  --p3-concurrency N      P3 WORKER_CONCURRENCY (BENCH_P3_CONCURRENCY, 50)
  --p3-duration S         P3 seconds per run (BENCH_P3_DURATION_S, 20; quick 4)
  --p3-bot-ms MS          P3 bot latency (BENCH_P3_BOT_MS, 2000)
  --p3-over F             P3 over-capacity rate = F × 1-worker capacity (BENCH_P3_OVER, 1.4; 0 skips)
  --p3-over-all           also run the over-capacity rate (F × n-worker capacity) for every worker count,
                          so the scaling ratio is taken at saturation (BENCH_P3_OVER_ALL=1; adds ~30 s each)
  --cpu-prof              write V8 CPU profiles of the gateway processes (printed directory)
  --node-option OPT       extra node option for every gateway/baseline child (repeatable), e.g.
                          --node-option=--require=./scripts/bench/what-if/jwt-keyobject.cjs
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
  p2Rates: args['p2-rates'] ? nums(args['p2-rates']) : Q ? [250, 1000] : [250, 500, 750, 1000, 1250, 1500],
  p2S: num(args['p2-step'], 10, 3),
  p2Workers: Number(args['p2-workers']),
  p3Workers: args['p3-workers'] ? nums(args['p3-workers']) : Q ? [1, 2] : [1, 2, 3],
  p3Concurrency: Number(args['p3-concurrency']),
  p3S: num(args['p3-duration'], 20, 4),
  p3BotMs: Number(args['p3-bot-ms']),
  p3Over: Number(args['p3-over']),
};
for (const [k, v] of Object.entries(opts)) {
  const bad = (x) => !Number.isFinite(x) || x < 0 || x > 100000;
  if (typeof v === 'number' ? bad(v) : Array.isArray(v) && v.some(bad)) {
    console.error(`bench: bad value for ${k}: ${v}`);
    process.exit(2);
  }
}
if (opts.sessions < 1 || opts.p1Rate <= 0 || opts.p2Rates.some((r) => r <= 0) || opts.p3Workers.some((n) => n < 1 || n > 16) || opts.p2Workers < 1 || opts.p2Workers > 16) {
  console.error('bench: rates must be > 0, sessions ≥ 1, worker counts 1–16');
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
          // Tally by context + message; some gateway log lines carry no msg (reported as a bug).
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
    ALLOW_DEV_SECRETS: 'false',
    ADMIN_TOKEN: adminToken,
    WORKER_METRICS_PORT: '0',
    WORKER_CONCURRENCY: String(concurrency),
  };
}

// ---- gateway / baseline lifecycles ------------------------------------------------------------
async function startGateway(tag, { workers, concurrency }) {
  const prefix = `${basePrefix}-${tag}`;
  usedPrefixes.add(prefix);
  const port = await freePort();
  const e = gatewayEnv(prefix, port, concurrency);
  const procs = [];
  for (let i = 0; i < workers; i++) procs.push(spawnNode(`worker${i + 1}`, WORKER_MAIN, e));
  procs.push(spawnNode('ingress', INGRESS_MAIN, e));
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
  return {
    kind: 'gateway',
    tag,
    prefix,
    port,
    procs,
    cpuProcs: procs.map((p) => ({ name: name(p), pid: p.pid })),
    async stop() {
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
  let atSendEnd;
  // Per-second CPU samples while sending, for --timeline.
  const cpuSeconds_ = [];
  let prevSample = before;
  const sampler = args.timeline
    ? setInterval(() => {
        const now = cpuSnapshot(cpuProcs);
        cpuSeconds_.push(cpuDelta(prevSample, now));
        prevSample = now;
      }, 1000)
    : undefined;
  const r = await runOpenLoop({
    timeline: args.timeline,
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
  });
  // CPU while sending (steady state), not diluted by the drain at the end.
  r.cpu = cpuDelta(before, atSendEnd ?? cpuSnapshot(cpuProcs));
  const cmdsAfter = await redisCommands();
  r.redisCommandsPerOk = cmdsBefore && cmdsAfter && r.completed ? (cmdsAfter.total - cmdsBefore.total) / r.completed : undefined;
  r.redisCommandsByName = commandsPerTurn(cmdsBefore, cmdsAfter, r.completed);
  if (sampler) clearInterval(sampler);
  if (r.timeline) {
    r.timeline.forEach((t, i) => t && (t.cpu = cpuSeconds_[i]));
    log(`  timeline (by second of intended send): sec  count  p50  p99  max ms | box CPU % (others)`);
    for (const t of r.timeline) {
      if (t) log(`    ${String(t.sec).padStart(3)}  ${String(t.count).padStart(5)}  ${f1(t.p50).padStart(6)} ${f1(t.p99).padStart(6)} ${f1(t.max).padStart(6)} | ${t.cpu ? `${t.cpu.machine} (${t.cpu.foreign})` : '–'}`);
    }
  }
  return r;
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

const LAT_HEAD = ['offered/s', 'sent', '200 ok/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'status / errors', 'deadline misses', 'box CPU % (others)'];
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
  r.deadlineMisses,
  r.cpu?.machine !== undefined ? `${r.cpu.machine} (${r.cpu.foreign})` : '–',
];

const FOREIGN_WARN = 10;
function interference(r) {
  return r.cpu?.foreign > FOREIGN_WARN ? `  ⚠ other processes used ${r.cpu.foreign}% of the box during this phase: figures disturbed, re-run on a quiet box` : '';
}

function clientHealth(r) {
  return `send lag p50/p99 ${f1(r.sendLag.p50)}/${f1(r.sendLag.p99)} ms, latency from actual send p50/p99 ${f1(r.serviceLatency.p50)}/${f1(r.serviceLatency.p99)} ms, max in flight ${r.maxInFlight}, Redis cmds/turn ${f1(r.redisCommandsPerOk)}; CPU while sending: ${cpuText(r.cpu)}${interference(r) ? `\n${interference(r)}` : ''}`;
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
      log(`  step ${rate}/s: ${f1(r.throughput)} ok/s, p50 ${f1(r.latency.p50)} p99 ${f1(r.latency.p99)} max ${f1(r.latency.max)} ms, ${statusText(r)}, misses ${r.deadlineMisses}; ${clientHealth(r)}`);
      if (r.latency.p99 > 500 || r.errorRate > 0.01) {
        log(`  stopping: ${r.latency.p99 > 500 ? `p99 ${f1(r.latency.p99)} ms > 500 ms` : `errors ${(r.errorRate * 100).toFixed(1)}% > 1%`}`);
        break;
      }
      await sleep(1000);
    }
    log(tallies(sys));
  } finally {
    agent.destroy();
    await sys.stop();
  }
  const good = steps.filter((r) => r.latency.p99 <= 50 && r.errorCount === 0 && r.deadlineMisses === 0);
  const capacity = good.length ? good[good.length - 1] : undefined;
  log(table(LAT_HEAD, steps.map(latRow)));
  log(
    capacity
      ? `  capacity (last step with p99 ≤ 50 ms, no errors, no deadline misses): ${capacity.rate} turns/s offered, ${f1(capacity.throughput)} turns/s sustained (target ≥ 1000)`
      : '  capacity: no step met p99 ≤ 50 ms with no errors (target ≥ 1000 turns/s)',
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
      log(`  ${n} worker(s) at ${rate}/s: ${f1(r.throughput)} ok/s, p50 ${f1(r.latency.p50)} p99 ${f1(r.latency.p99)} ms, ${statusText(r)}, misses ${r.deadlineMisses}; ${clientHealth(r)}`);
      if ((n === opts.p3Workers[0] || args['p3-over-all']) && opts.p3Over > 0 && !aborted) {
        const over = Math.round(perWorker * n * opts.p3Over * 10) / 10;
        note(`${n} worker(s): over capacity, ${opts.p3S} s at ${over}/s`);
        await sleep(500);
        const o = await measure(sys, 'bench2s', over, opts.p3S, sessions, agent);
        o.workers = n;
        o.load = 'over';
        runs.push(o);
        log(`  ${n} worker(s) at ${over}/s (over capacity): ${f1(o.throughput)} ok/s, p50 ${f1(o.latency.p50)} p99 ${f1(o.latency.p99)} ms, ${statusText(o)}, misses ${o.deadlineMisses}; ${clientHealth(o)}`);
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
    r.deadlineMisses,
    r.cpu?.machine !== undefined ? `${r.cpu.machine} (${r.cpu.foreign})` : '–',
  ]);
  log(table(['workers', 'load', 'offered/s', '200 ok/s', 'scaling vs first', 'p50 ms', 'p99 ms', 'max ms', 'status / errors', 'deadline misses', 'box CPU % (others)'], rows));
  results.p3 = { runs, perWorkerCapacity: perWorker };
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
  log(`The load generator (this process), the gateway processes and Redis share the same ${cpus.length} cores; nothing is pinned.`);
  log(`Sessions: ${opts.sessions} round-robin, unique messageId per turn, input "hi" (text + 8 quick replies back). Deadline ${DEADLINE_MS} ms, policy hold.`);
  log(`Latency is measured from each request's intended send time (open loop, coordinated-omission corrected).${Q ? ' QUICK MODE: short runs, figures are only a smoke test.' : ''}`);
  results.env = { node: process.version, redis: redisInfo.redis_version, aof: redisInfo.aof_enabled, bullmq: pkg('bullmq'), cpus: cpus.length, cpuModel: cpus[0]?.model, host: os.hostname() };
  if (profDir) log(`CPU profiles → ${profDir}`);
  if (args['node-option'].length) log(`EXTRA NODE OPTIONS for every gateway/baseline process: ${args['node-option'].join(' ')}`);
  results.nodeOptions = args['node-option'];

  const j0 = machineJiffies();
  await sleep(2000);
  const j1 = machineJiffies();
  if (j0 && j1) {
    const idleBusy = Math.round(((j1.busy - j0.busy) / (j1.total - j0.total)) * 100);
    results.env.busyBeforeStart = idleBusy;
    log(`Box CPU busy before start (2 s sample, nothing of ours running): ${idleBusy}%${idleBusy > FOREIGN_WARN ? '  ⚠ the box is not quiet: figures will be disturbed' : ''}`);
  }
  log(`"box CPU % (others)" = whole-box CPU while sending (100% = all ${cpus.length} cores), and in brackets the part not used by the load generator, the gateway or Redis.`);
  const t0 = Date.now();
  if (opts.only.has('p1')) await scenarioP1();
  if (opts.only.has('p2') && !aborted) await scenarioP2();
  if (opts.only.has('p3') && !aborted) await scenarioP3();
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
