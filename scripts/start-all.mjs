#!/usr/bin/env node
// `npm start`: one command for a newcomer. Makes sure a Redis answers (starting a private one
// with AOF when none does and redis-server is installed), then runs the ingress and one worker
// as separate processes, and stops both on Ctrl-C / SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const children = [];

function ping(host, port, timeoutMs = 800) {
  return new Promise((done) => {
    const sock = net.connect({ host, port });
    const finish = (ok) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => finish(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}

async function ensureRedis() {
  const host = redisUrl.hostname || '127.0.0.1';
  const port = Number(redisUrl.port || 6379);
  if (await ping(host, port)) return;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  const hasBinary = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!local || !hasBinary) {
    console.error(`\nRedis is not reachable at ${host}:${port}.\nInstall and start one (Debian/Ubuntu: "sudo apt-get install redis-server"; macOS: "brew install redis"; Docker: "docker run -p 6379:6379 redis:7"), or set REDIS_URL.\n`);
    process.exit(1);
  }
  const dir = join(root, '.data', 'redis');
  mkdirSync(dir, { recursive: true });
  console.log(`No Redis at ${host}:${port}: starting a private one (AOF on, data in ${dir}).`);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  children.push(redis);
  for (let i = 0; i < 50; i++) {
    if (await ping(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('The private Redis did not start.');
  process.exit(1);
}

// `npm start` is the local demo: development unless NODE_ENV says otherwise (the processes
// themselves default to production, so a deploy that forgets NODE_ENV never runs as a demo).
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' };

// Both processes serve /metrics on METRICS_PORT (9464), which suits separate pods or containers;
// on this one host the ingress takes the next port so the two do not collide.
const metricsPort = Number(process.env.METRICS_PORT || process.env.WORKER_METRICS_PORT || 9464);

function run(name, entry, extraEnv = {}) {
  const child = spawn(process.execPath, [join(root, entry)], { stdio: 'inherit', env: { ...env, ...extraEnv } });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping.`);
      stop(code ?? 1);
    }
  });
  children.push(child);
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const apps = children.filter((c) => c.spawnargs[0] === process.execPath);
  for (const c of apps) c.kill('SIGTERM');
  let left = apps.length;
  const done = () => {
    for (const c of children) if (!apps.includes(c)) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), 200);
  };
  if (left === 0) return done();
  for (const c of apps) c.on('exit', () => --left === 0 && done());
  setTimeout(done, 20000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

await ensureRedis();
run('worker', 'dist/apps/worker/apps/worker/src/main.js', { METRICS_PORT: String(metricsPort) });
run('ingress', 'dist/apps/ingress/apps/ingress/src/main.js', { METRICS_PORT: metricsPort > 0 ? String(metricsPort + 1) : '0' });
