import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../support/gateway-harness.js';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis-test-prefix.js';

/**
 * `npm start` as a developer sees it (scripts/start-all.mjs: the real ingress and worker): JSON
 * when stdout is not a terminal or LOG_FORMAT=json, short pretty lines on a terminal, Nest's
 * start-up lines gone in development (still there at debug), and the banner on stdout either way.
 * A terminal comes from util-linux `script` (a pseudo-terminal), where it is installed.
 */
const ROOT = resolve(process.cwd());
const START_ALL = join(ROOT, 'scripts/start-all.mjs');
const BOOTSTRAP = /InstanceLoader|RoutesResolver|RouterExplorer|NestFactory|NestApplication/;
const PRETTY = /^\d\d:\d\d:\d\d\.\d{3} (INFO|WARN) +(ingress|worker) /;
const plain = (s: string) => s.replace(/\x1b\[\d+m/g, '');

const hasScript = (() => {
  try {
    return /util-linux/.test(execFileSync('script', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();
const itOnTerminal = hasScript ? it : it.skip;

const prefix = testPrefix('devlogs');
/** Production seals channel secrets with its own SECRETS_KEY, so it cannot share the development runs' keys. */
const prodPrefix = testPrefix('devlogsprod');
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
let port: number;

interface Run {
  child: ChildProcess;
  out: () => string;
  /** Stops start-all as Ctrl-C would and waits for it to exit. */
  stop: () => Promise<void>;
}

function startAll(env: Record<string, string>, opts: { terminal?: boolean } = {}): Run {
  const fullEnv = { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: '0', SHED_EVENT_LOOP_DELAY_MS: '0', SHED_EVENT_LOOP_UTILIZATION: '0', ...env };
  // `exec`: start-all is then script's own child, so Ctrl-C goes to it by pid.
  const child = opts.terminal
    ? spawn('script', ['-qfec', `exec ${process.execPath} ${START_ALL}`, '/dev/null'], { env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, [START_ALL], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    child,
    out: () => text.replace(/\r\n/g, '\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      let target = child.pid!;
      if (opts.terminal) {
        const found = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
        if (found) target = Number(found);
      }
      process.kill(target, 'SIGINT');
      await exited;
    },
  };
}

async function until(run: Run, ready: (out: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (!ready(run.out())) {
    if (run.child.exitCode !== null || Date.now() > end) throw new Error(`start-all did not get ready:\n${run.out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The last line of the other process.
  await new Promise((r) => setTimeout(r, 300));
  return run.out();
}

const started = (out: string) => out.includes('Webhook URL') && out.includes('worker started') && out.includes('ingress listening');

function expectBanner(out: string): void {
  expect(out).toContain(`Webhook URL (Bot Connector Handle Utterance URI): http://localhost:${port}/genesys/demo/botconnector`);
  expect(out).toMatch(/^ {4}Value: {6}bearer [\w-]+\.[\w-]+\.[\w-]+$/m);
}

/** The log lines: everything but the banner (which starts with a blank line and ends with one). */
const logLines = (out: string) => out.split('\n').filter((l) => l.trim() && !/^( |Genesys Bot Connector gateway|Channel ")/.test(l));

beforeAll(async () => {
  port = await freePort();
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await deletePrefix(redis, prodPrefix);
  redis.disconnect();
});

describe('npm start logs (start-all with the real ingress and worker)', () => {
  it('piped stdout in development: JSON lines only, no Nest start-up lines, and the banner', async () => {
    const run = startAll({});
    try {
      const out = await until(run, started);
      expectBanner(out);
      const lines = logLines(out);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(['worker started', 'ingress listening']));
      expect(out).not.toMatch(BOOTSTRAP);
      // Was some 70 lines before; what is left is a few lines a developer reads.
      expect(lines.length).toBeLessThan(10);
    } finally {
      await run.stop();
    }
  }, 40_000);

  it('LOG_LEVEL=debug still shows the Nest start-up lines, at debug', async () => {
    const run = startAll({ LOG_LEVEL: 'debug' });
    try {
      const out = await until(run, started);
      const boot = logLines(out)
        .map((l) => JSON.parse(l))
        .filter((r) => BOOTSTRAP.test(String(r.context)));
      expect(boot.length).toBeGreaterThan(20);
      expect(new Set(boot.map((r) => r.level))).toEqual(new Set(['debug']));
    } finally {
      await run.stop();
    }
  }, 40_000);

  itOnTerminal('on a terminal: short pretty lines with colours, no Nest start-up lines, and the banner', async () => {
    const run = startAll({}, { terminal: true });
    try {
      const out = await until(run, started);
      expectBanner(out);
      const lines = logLines(out);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(plain(line)).toMatch(PRETTY);
      // Colours on a terminal: the level at least.
      expect(out).toContain('\x1b[32mINFO');
      expect(out).not.toMatch(BOOTSTRAP);
    } finally {
      await run.stop();
    }
  }, 40_000);

  itOnTerminal('on a terminal with NO_COLOR: the same pretty lines without colours', async () => {
    const run = startAll({ NO_COLOR: '1' }, { terminal: true });
    try {
      const out = await until(run, started);
      const lines = logLines(out);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(line).toMatch(PRETTY);
      expect(out).not.toContain('\x1b[');
    } finally {
      await run.stop();
    }
  }, 40_000);

  itOnTerminal('on a terminal with LOG_FORMAT=json: JSON lines, and the banner', async () => {
    const run = startAll({ LOG_FORMAT: 'json' }, { terminal: true });
    try {
      const out = await until(run, started);
      expectBanner(out);
      const lines = logLines(out);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
    } finally {
      await run.stop();
    }
  }, 40_000);

  itOnTerminal('production on a terminal stays JSON', async () => {
    const run = startAll(
      { REDIS_PREFIX: prodPrefix, NODE_ENV: 'production', SECRETS_KEY: randomBytes(32).toString('base64url'), ADMIN_TOKEN: randomBytes(24).toString('base64url'), PUBLIC_BASE_URL: 'https://gw.example.com' },
      { terminal: true },
    );
    try {
      const out = await until(run, (o) => o.includes('worker started') && o.includes('ingress listening'));
      expect(out).toContain('Genesys Bot Connector gateway on https://gw.example.com');
      const lines = logLines(out);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String) });
    } finally {
      await run.stop();
    }
  }, 40_000);
});
