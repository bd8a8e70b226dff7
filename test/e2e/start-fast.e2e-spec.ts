import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GatewayHarness, WORKER_ENTRY, newSessionBody, testChannel } from '../support/gateway-harness.js';

const ROOT = process.cwd();
const ch = testChannel('fast1');
/** Issue 12: after a build, `npm run start:worker` is consuming within this. */
const BUDGET_MS = 3000;

describe('npm run start:worker runs the build it has', () => {
  const gw = new GatewayHarness('startfast', [ch]);
  let npm: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    // "After a build": normally a no-op (npm test builds first); builds the worker if its sources changed.
    const built = spawnSync(process.execPath, ['scripts/ensure-built.mjs', 'worker'], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}${delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`the worker does not build:\n${built.stdout}${built.stderr}`);
    await gw.startIngress();
  }, 180_000);

  afterAll(async () => {
    if (npm?.pid && npm.exitCode === null && npm.signalCode === null) {
      const exited = new Promise((r) => npm!.once('exit', r));
      // npm and the worker under it are one process group (detached below).
      process.kill(-npm.pid, 'SIGTERM');
      await exited;
    }
    await gw.stop();
  });

  it(`consumes a waiting turn within ${BUDGET_MS} ms of the command, without building`, async () => {
    const builtAt = statSync(WORKER_ENTRY).mtimeMs;
    const started = Date.now();
    npm = spawn('npm', ['run', 'start:worker'], { cwd: ROOT, env: gw.env({ HOME: process.env.HOME ?? '' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));

    // Queued before any worker exists: its answer can only come from the one npm starts.
    const turn = gw.turn(ch, newSessionBody('hi'));
    let heartbeatMs: number | undefined;
    const heartbeat = gw.waitFor(async () => (await gw.redis.zcard(`${gw.prefix}:workers`)) > 0, BUDGET_MS + 2000).then(() => (heartbeatMs = Date.now() - started));
    const res = await turn;
    const answeredMs = Date.now() - started;
    await heartbeat;
    console.log(`npm run start:worker: worker registered after ${heartbeatMs} ms, waiting turn answered after ${answeredMs} ms`);

    expect(res.status).toBe(200);
    // The bot's answer, not the deadline's hold message (which would come at 5 s).
    expect(res.body.replyMessages[0].text).not.toBe('Hold on, still working.');
    expect(answeredMs).toBeLessThan(BUDGET_MS);
    // Nothing was built on the way: the entry point is the one the build left.
    expect(statSync(WORKER_ENTRY).mtimeMs).toBe(builtAt);
    expect(output).not.toMatch(/nest build|vite build/);
    expect(output).toContain('node dist/apps/worker/apps/worker/src/main.js');
  }, 20_000);

  it('has no unconditional build in the chain of either start script', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['start:worker', 'start:ingress']) {
      const chain = [scripts[`pre${name}`], scripts[name]].filter(Boolean).join(' && ');
      expect(chain).not.toMatch(/nest build|npm run build|vite build/);
    }
  });
});
