import { spawn } from 'node:child_process';
import { GatewayHarness, INGRESS_ENTRY, WORKER_ENTRY, freePort, newSessionBody, testChannel } from '../support/gateway-harness.js';

/**
 * A deploy that forgets NODE_ENV (`node dist/.../main.js` on a VM or in Kubernetes) runs as
 * production: it refuses to start without its production settings, naming all of them, and once
 * started it never seals with the public development key, serves a DEV-ONLY secret, generates an
 * admin token or prints a credential. Real processes started the way such a deploy starts them.
 */
const DEV_APP_SECRET = 'DEV-ONLY-demo-secret-0123456789abcdefghijklmnopqrstuv';
const demo = testChannel('prod-demo', { app: { clientId: 'prod-demo-app', clientSecrets: [DEV_APP_SECRET] } });
demo.clientId = 'prod-demo-app';
demo.secret = DEV_APP_SECRET;

/** The harness's environment without NODE_ENV and without the given settings. */
function deployEnv(gw: GatewayHarness, drop: string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...gw.env(), ...extra };
  // What a deploy that sets only the required settings leaves to the defaults.
  for (const k of ['NODE_ENV', 'ALLOW_DEV_SECRETS', 'PRINT_CREDENTIALS', ...drop]) delete env[k];
  return env;
}

function run(entry: string, env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('production unless told otherwise', () => {
  const gw = new GatewayHarness('proddefault', [demo]);
  afterAll(() => gw.stop());

  it('an ingress without NODE_ENV refuses to start without its production settings, naming every one', async () => {
    const { code, output } = await run(INGRESS_ENTRY, deployEnv(gw, ['SECRETS_KEY', 'ADMIN_TOKEN', 'PUBLIC_BASE_URL']));
    expect(code).toBe(1);
    expect(output).toMatch(/SECRETS_KEY is required in production/);
    expect(output).toMatch(/ADMIN_TOKEN is required in production/);
    expect(output).toMatch(/PUBLIC_BASE_URL is required in production/);
    expect(output).not.toMatch(/ingress listening/);
  });

  it('a worker without NODE_ENV refuses to start without SECRETS_KEY', async () => {
    const { code, output } = await run(WORKER_ENTRY, deployEnv(gw, ['SECRETS_KEY']));
    expect(code).toBe(1);
    expect(output).toMatch(/SECRETS_KEY is required in production/);
  });

  it('refuses the local emulator as Genesys host in production', async () => {
    const { code, output } = await run(INGRESS_ENTRY, deployEnv(gw, [], { PUBLIC_BASE_URL: 'https://bots.example.com', GENESYS_BASE_URL: 'http://127.0.0.1:9555' }));
    expect(code).toBe(1);
    expect(output).toMatch(/GENESYS_BASE_URL: plain http .* is a development setting/);
  });

  it('with its settings, runs as production: the DEV-ONLY channel is disabled, no credential or token is printed', async () => {
    gw.port = await freePort();
    const env = deployEnv(gw, [], { PUBLIC_BASE_URL: `http://127.0.0.1:${gw.port}` });
    const child = spawn(process.execPath, [INGRESS_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await gw.waitFor(async () => (await fetch(`${gw.baseUrl}/health/live`).catch(() => undefined))?.ok === true, 20_000);
      expect((await gw.turn(demo, newSessionBody('hi'))).status).toBe(403);
      const view = await gw.admin('/api/channels/prod-demo');
      expect(view.body).toMatchObject({ enabled: false });
      expect(output).not.toMatch(/bearer ey/);
      expect(output).not.toMatch(/Admin token \(generated/);
      expect(output).toMatch(/development-only settings/);
      // The chat script's development endpoint (outbox and authorization state, unauthenticated) is not served.
      expect((await fetch(`${gw.baseUrl}/dev/channels/prod-demo/sessions/s1/outbox`)).status).toBe(404);
    } finally {
      await new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      });
    }
  });
});
