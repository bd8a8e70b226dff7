// Makes `npm test` work on a machine with no Redis running: when nothing answers at
// TEST_REDIS_URL/REDIS_URL (default 127.0.0.1:6379) and redis-server is installed, a private
// Redis is started on a free port for this run and stopped afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function ping(host, port) {
  return new Promise((done) => {
    const sock = net.connect({ host, port });
    const finish = (ok) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(800, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => finish(d.toString().startsWith('+PONG')));
  });
}

function freePort() {
  return new Promise((done) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}

export default async function globalSetup() {
  const url = new URL(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  if (await ping(url.hostname, Number(url.port || 6379))) return;
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`No Redis at ${url.host} and no redis-server to start one. Install Redis or set TEST_REDIS_URL.`);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gbg-test-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await ping('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 50));
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  globalThis.__testRedis = child;
  console.log(`\nNo Redis at ${url.host}: started a private one on port ${port} for this test run.`);
}
