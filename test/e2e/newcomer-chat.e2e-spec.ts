import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GatewayHarness, freePort, type TestChannel } from '../support/gateway-harness.js';

/**
 * The newcomer's terminal path of issue 13, as a new user types it: the emulator, the gateway,
 * then `npm run chat -- --via-emulator --flow demo-v2` with hi, slow, agent. Without the authorize
 * step the v2 replies wait in the outbox for a Genesys token: the chat says so and names the
 * command, and the worker says it once. After `npm run admin -- authorize demo` the same path gets
 * its replies. Real processes only: emulator, ingress, worker, the chat script and the admin CLI.
 */
const ROOT = resolve(process.cwd());
const EMULATOR_ENTRY = join(ROOT, 'dist/apps/genesys-emulator/apps/genesys-emulator/src/main.js');
const ADMIN_CLI_ENTRY = join(ROOT, 'dist/apps/ingress/apps/ingress/src/cli/admin-cli.js');
const CHAT_SCRIPT = join(ROOT, 'scripts/chat.mjs');

let gw: GatewayHarness;
let emulator: ChildProcess;
let emulatorUrl: string;
/** The conversation whose replies waited for the authorize step. */
let waitingConversationId: string;
let emulatorBanner = '';

/** Runs a command to its end; stdout and stderr together, as the developer sees them. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => done({ code, out }));
  });
}

const chat = (...says: string[]) =>
  run([CHAT_SCRIPT, '--via-emulator', emulatorUrl, '--flow', 'demo-v2', ...says.flatMap((s) => ['--say', s])], { PATH: process.env.PATH, NO_COLOR: '1' });

const workerOutput = () => gw.procs.filter((p) => p.kind === 'worker').map((p) => p.output.join('')).join('');
const count = (text: string, needle: string) => text.split(needle).length - 1;

const STUCK_LINE = 'channel demo is not authorized with Genesys; its v2 replies wait in the outbox until you run \\"npm run admin -- authorize demo\\"';

beforeAll(async () => {
  const [gatewayPort, emulatorPort] = [await freePort(), await freePort()];
  emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  // The demo channel as shipped, pointed at this test's emulator port instead of 9555.
  const file = parseYaml(readFileSync(join(ROOT, 'config/channels.yaml'), 'utf8')) as { channels: Record<string, any>[] };
  const demo = file.channels.find((c) => c.id === 'demo')!;
  demo.genesys.oauth.baseUrl = emulatorUrl;
  const channel: TestChannel = { id: 'demo', clientId: demo.app.clientId, secret: demo.app.clientSecrets[0], raw: demo };
  gw = new GatewayHarness('newcomerchat', [channel], { PUBLIC_BASE_URL: `http://127.0.0.1:${gatewayPort}`, OUTBOX_SWEEP_INTERVAL_MS: '500' });
  gw.port = gatewayPort;
  emulator = spawn(process.execPath, [EMULATOR_ENTRY], { env: { PATH: process.env.PATH, EMULATOR_PORT: String(emulatorPort), PUBLIC_BASE_URL: gw.baseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  emulator.stdout!.on('data', (d: Buffer) => (emulatorBanner += d.toString()));
  await gw.waitFor(async () => (await fetch(`${emulatorUrl}/emulator/flows`).catch(() => undefined))?.ok === true, 20_000);
  await gw.startIngress();
  // Info: the sweeper says at info when a stuck outbox moves again. Two workers sweep: one of
  // them, not each, must say so.
  await gw.startWorker({ LOG_LEVEL: 'info' });
  await gw.startWorker({ LOG_LEVEL: 'info' });
}, 60_000);

afterAll(async () => {
  emulator?.kill('SIGTERM');
  await gw?.stop();
});

describe('newcomer chat through the emulator: demo-v2 before and after the authorize step', () => {
  it("the emulator's banner lists the steps in order: gateway, authorize, chat", async () => {
    // Printed once listening: the pipe may deliver it a moment after the first HTTP answer.
    await gw.waitFor(async () => emulatorBanner.includes('3. npm run chat'), 5_000);
    const steps = emulatorBanner.split('\n').filter((l) => /^ {4}\d\. /.test(l));
    expect(steps.map((l) => l.trim().split(/ {2,}/)[0])).toEqual([
      '1. npm start',
      '2. npm run admin -- authorize demo',
      `3. npm run chat -- --via-emulator ${emulatorUrl} --flow demo-v2`,
    ]);
  });

  it('without the authorize step, the chat names the cause and the one command that fixes it', async () => {
    const { code, out } = await chat('hi', 'slow');
    expect(code).toBe(0);
    waitingConversationId = /conversation (\S+) · bot session/.exec(out)![1]!;
    expect(out).toContain("I'm the demo bot");
    expect(out).toContain('no reply within 10000 ms');
    expect(out).toContain("channel demo is not authorized with Genesys: 1 reply waits in the gateway's outbox");
    expect(out).toContain('fix: run "npm run admin -- authorize demo", or click "Authorize" on /console/channels/demo; the waiting replies are then sent');
  }, 30_000);

  it('the workers report the stuck outbox once between them, with its reason and fix, not on every sweep', async () => {
    // The outbox counts as stuck once idle 10 s; then the sweeper (every 500 ms here) looks at it again and again.
    await gw.waitFor(async () => workerOutput().includes(STUCK_LINE), 20_000);
    await new Promise((r) => setTimeout(r, 4000));
    const out = workerOutput();
    expect(count(out, STUCK_LINE)).toBe(1);
    expect(out).not.toContain('outboxes not moving');
    expect(out).not.toContain('nobody was sending');
  }, 30_000);

  it('npm run admin -- authorize demo connects the channel to the emulator in one step', async () => {
    const { code, out } = await run([ADMIN_CLI_ENTRY, 'authorize', 'demo'], gw.env());
    expect({ code, out }).toEqual({ code: 0, out: expect.stringMatching(/^Connected: Channel .* \(demo\) is connected to Genesys Cloud \(org Emulated Org\)\.\n$/) });
    const status = await fetch(`${gw.baseUrl}/api/channels/demo/oauth/status`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
    expect(await status.json()).toMatchObject({ connected: true, reauthorizeNeeded: false });
  }, 30_000);

  it('after it, hi, slow and agent get their replies: the slow answer later through the outgoing API, then the agent queue', async () => {
    const { code, out } = await chat('hi', 'slow', 'agent');
    expect(out).toContain('Sorry for the wait: that took a while to look up.');
    expect(out).toContain('async, via the outgoing messages API');
    expect(out).toContain('— conversation handed to an agent (queue General Support, intent AgentHandoff)');
    expect(out).not.toContain('no reply within');
    expect(out).not.toContain('not authorized');
    expect(code).toBe(0);
  }, 40_000);

  it('the replies that waited are sent once the channel is authorized, and one worker says the outbox moves again', async () => {
    // The waiting reply's sender backs off up to 30 s between tries while the channel had no token.
    await gw.waitFor(async () => {
      const view = await (await fetch(`${emulatorUrl}/emulator/conversations/${waitingConversationId}`)).json();
      return view.messages.some((m: { via?: string; text?: string }) => m.via === 'outgoing' && /took a while/.test(m.text ?? ''));
    }, 40_000);
    await gw.waitFor(async () => workerOutput().includes('outboxes are moving again'), 5_000);
    // A few more sweeps of both workers: neither says it again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(count(workerOutput(), STUCK_LINE)).toBe(1);
    expect(count(workerOutput(), 'outboxes are moving again')).toBe(1);
  }, 50_000);
});
