import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayHarness, freePort, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const ch = testChannel('outage1');

/** A Redis of the test's own (AOF on), so it can be killed and restarted without touching anyone else's. */
class PrivateRedis {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'gbg-redis-'));
  constructor(readonly port: number) {}
  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('private redis did not start');
  }
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  }
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

(hasRedisServer ? describe : describe.skip)('Redis killed and restarted under the gateway', () => {
  let redis: PrivateRedis;
  let gw: GatewayHarness;
  /** An ingress with the default readiness (draining only), as a load balancer should see it. */
  let lb: GatewayHarness;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    // Readiness with every dependency: what this suite asserts about /health/ready predates the default.
    gw = new GatewayHarness('outage', [ch], { REDIS_URL: `redis://127.0.0.1:${redis.port}`, SHUTDOWN_GRACE_MS: '2000', READINESS_CHECKS: 'shutdown,redis,queue,workers' });
    await gw.startIngress();
    await gw.startWorker();
    lb = new GatewayHarness('outagelb', [ch], { REDIS_URL: `redis://127.0.0.1:${redis.port}`, SHUTDOWN_GRACE_MS: '2000' });
    await lb.startIngress();
  });
  afterAll(async () => {
    await gw?.stop().catch(() => undefined);
    await lb?.stop().catch(() => undefined);
    await redis?.destroy();
  });

  it('answers 503 fast while Redis is down, keeps acknowledged turns, and serves again once it is back', async () => {
    const body = newSessionBody('hi');
    const before = await gw.turn(ch, body);
    expect(before.status).toBe(200);

    await redis.kill();
    const during = await Promise.all([1, 2, 3].map(() => gw.turn(ch, nextTurn(body, 'list'))));
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(1000);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body.errorInfo.errorCode).toBe('unavailable');
    }
    const ready = await fetch(`${gw.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    // By default the ingress stays in the load balancer, so Genesys keeps getting these fast 503s
    // rather than connection errors; the outage shows on /health/dependencies.
    const lbReady = await fetch(`${lb.baseUrl}/health/ready`);
    expect(lbReady.status).toBe(200);
    expect(await lbReady.json()).toEqual({ status: 'ok', checks: { shutdown: 'ok' } });
    const lbDeps = await fetch(`${lb.baseUrl}/health/dependencies`);
    expect(lbDeps.status).toBe(503);
    expect(await lbDeps.json()).toMatchObject({ status: 'unavailable', checks: { redis: expect.stringMatching(/^(fail|timeout)$/) } });
    const lbTurn = await lb.turn(ch, newSessionBody('hi'));
    expect(lbTurn.status).toBe(503);
    expect(lbTurn.ms).toBeLessThan(1000);

    // Same data directory: the AOF brings back what was acknowledged before the crash.
    await redis.start();
    await gw.waitFor(async () => (await fetch(`${gw.baseUrl}/health/ready`)).status === 200, 10000);
    const after = await gw.turn(ch, nextTurn(body, 'list'));
    expect(after.status).toBe(200);
    expect(after.body.replyMessages[0].text).toContain('Opening hours');
    const t = await gw.admin(`/api/conversations/${body.botSessionId}?channelId=${ch.id}`);
    expect(t.body.turns.map((x: { seq: number }) => x.seq)).toEqual([1, 2]);
  });

  it('still stops on SIGTERM, within the grace period plus 3 s, while Redis is down', async () => {
    await redis.kill();
    const started = Date.now();
    const exits = gw.procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => new Promise<void>((r) => p.child.once('exit', () => r())));
    for (const p of gw.procs) p.child.kill('SIGTERM');
    await Promise.all(exits);
    expect(Date.now() - started).toBeLessThan(2000 + 3000 + 2000);
    await redis.start();
  }, 20_000);
});
