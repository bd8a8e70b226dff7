import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GatewayHarness, freePort, type TestChannel } from '../support/gateway-harness.js';

/**
 * The newcomer's path of issue 3, with the repository's own demo channel (config/channels.yaml)
 * and the emulator as `npm run emulator` starts it: authorize the channel, publish its bots, run a
 * v1 and a v2 conversation through the emulator's Architect flows into the demo bot and out to an
 * agent queue, and push a notification into an open v2 session. Only HTTP, like curl would.
 */
const ROOT = resolve(process.cwd());
const EMULATOR_ENTRY = join(ROOT, 'dist/apps/genesys-emulator/apps/genesys-emulator/src/main.js');

let gw: GatewayHarness;
let emulator: ChildProcess;
let emulatorUrl: string;
let demoOAuthClientId: string;
const emulatorOutput: string[] = [];

async function json(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* a page */
  }
  return { status: res.status, body: parsed, location: res.headers.get('location') };
}

const admin = () => ({ authorization: `Bearer ${gw.adminToken}` });
const say = (id: string, text: string) => json('POST', `${emulatorUrl}/emulator/conversations/${id}/messages`, { text });
const botTexts = (view: { messages: { from: string; text?: string }[] }) => view.messages.filter((m) => m.from === 'bot').map((m) => m.text);

beforeAll(async () => {
  const [gatewayPort, emulatorPort] = [await freePort(), await freePort()];
  emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  // The demo channel as shipped, pointed at this test's emulator port instead of 9555.
  const file = parseYaml(readFileSync(join(ROOT, 'config/channels.yaml'), 'utf8')) as { channels: Record<string, any>[] };
  const demo = file.channels.find((c) => c.id === 'demo')!;
  expect(demo.genesys.oauth.baseUrl).toBe('http://127.0.0.1:9555');
  demo.genesys.oauth.baseUrl = emulatorUrl;
  demoOAuthClientId = demo.genesys.oauth.clientId;
  const channel: TestChannel = { id: 'demo', clientId: demo.app.clientId, secret: demo.app.clientSecrets[0], raw: demo };
  gw = new GatewayHarness('newcomer', [channel], { PUBLIC_BASE_URL: `http://127.0.0.1:${gatewayPort}`, OUTBOX_SWEEP_INTERVAL_MS: '500' });
  gw.port = gatewayPort;
  emulator = spawn(process.execPath, [EMULATOR_ENTRY], { env: { PATH: process.env.PATH, EMULATOR_PORT: String(emulatorPort), PUBLIC_BASE_URL: gw.baseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  emulator.stdout!.on('data', (d: Buffer) => emulatorOutput.push(d.toString()));
  emulator.stderr!.on('data', (d: Buffer) => emulatorOutput.push(d.toString()));
  await gw.waitFor(async () => (await fetch(`${emulatorUrl}/emulator/flows`).catch(() => undefined))?.ok === true, 20_000);
  await gw.startIngress();
  await gw.startWorker();
}, 60_000);

afterAll(async () => {
  emulator?.kill('SIGTERM');
  await gw?.stop();
});

describe('newcomer path: emulator + gateway + demo channel, over HTTP only', () => {
  it('1. authorizes the channel through the OAuth code flow (PKCE) and the callback page says connected', async () => {
    const start = await json('GET', `${gw.baseUrl}/api/channels/demo/oauth/authorize`, undefined, admin());
    expect(start.status).toBe(302);
    expect(start.location).toContain(`${emulatorUrl}/oauth/authorize?`);
    expect(start.location).toContain('code_challenge_method=S256');
    const consent = await json('GET', start.location!);
    expect(consent.status).toBe(302);
    const callback = await json('GET', consent.location!);
    expect(callback.status).toBe(200);
    expect(String(callback.body)).toMatch(/connected/i);
    // The demo channel's OAuth client has a secret: Basic client authentication plus the PKCE verifier.
    const calls = (await json('GET', `${emulatorUrl}/emulator/calls`)).body.calls as { path: string; grantType?: string }[];
    expect(calls.filter((c) => c.path === '/oauth/token' && c.grantType === 'authorization_code')).toEqual([
      expect.objectContaining({ status: 200, clientId: demoOAuthClientId, clientAuth: 'basic', codeVerifier: true }),
    ]);
    const status = await json('GET', `${gw.baseUrl}/api/channels/demo/oauth/status`, undefined, admin());
    expect(status.body).toMatchObject({ connected: true, reauthorizeNeeded: false });
    expect(status.body.scopes).toEqual(expect.arrayContaining(['architect', 'integrations', 'textbots', 'conversations']));
  });

  it('2. publishes the bot list to the v1 integration, and the channel shows it in sync', async () => {
    const res = await json('POST', `${gw.baseUrl}/api/channels/demo/publish`, undefined, admin());
    expect(res.status).toBe(200);
    expect(res.body.lastPublish).toMatchObject({ ok: true, integrationId: 'demo-v1-integration', bots: [{ id: 'demo-bot', versions: ['1.0'] }] });
    expect(res.body.drift.inSync).toBe(true);
    const history = await json('GET', `${emulatorUrl}/emulator/bot-lists/demo-v1-integration/history`);
    expect(history.body.entities).toHaveLength(1);
    const intents = history.body.entities[0].botList.chatBots[0].versions[0].intents.map((i: { name: string }) => i.name);
    expect(intents).toEqual(expect.arrayContaining(['Help', 'AgentHandoff', 'EndConversation']));
  });

  it('3. runs a v1 conversation through the Architect flow into the demo bot and out to the agent queue', async () => {
    const start = await json('POST', `${emulatorUrl}/emulator/conversations`, { flowId: 'demo-v1', text: 'hi' });
    expect(start.status).toBe(201);
    expect(botTexts(start.body)[0]).toMatch(/demo bot/i);
    const card = await say(start.body.id, 'card');
    expect(card.body.messages.at(-1).content?.[0]?.contentType).toBe('Card');
    const handoff = await say(start.body.id, 'agent');
    expect(handoff.body).toMatchObject({ state: 'agent', queue: 'General Support', intent: 'AgentHandoff' });
    expect(handoff.body.parameters).toMatchObject({ handoffReason: 'bot_request', handoffQueue: 'General Support' });
  });

  it('4. runs a v2 conversation: a slow answer arrives later through the outgoing API, then a handoff to the queue', async () => {
    const start = await json('POST', `${emulatorUrl}/emulator/conversations`, { flowId: 'demo-v2', text: 'hi' });
    expect(start.status).toBe(201);
    const id = start.body.id;
    const slow = await say(id, 'slow');
    expect(slow.body.state).toBe('bot');
    let view = slow.body;
    await gw.waitFor(async () => {
      view = (await json('GET', `${emulatorUrl}/emulator/conversations/${id}`)).body;
      return view.messages.some((m: { via?: string; text?: string }) => m.via === 'outgoing' && /took a while/.test(m.text ?? ''));
    }, 15_000);
    const handoff = await say(id, 'agent');
    expect(handoff.body).toMatchObject({ state: 'agent', queue: 'General Support', intent: 'AgentHandoff' });
    // Participant data for the agent, written through the Genesys API (conversations scope).
    await gw.waitFor(async () => {
      view = (await json('GET', `${emulatorUrl}/emulator/conversations/${id}`)).body;
      return view.participantAttributes['bot.handoffReason'] === 'bot_request';
    }, 10_000);
  }, 30_000);

  it('5. pushes a notification into an open v2 session and shows it sent', async () => {
    const start = await json('POST', `${emulatorUrl}/emulator/conversations`, { flowId: 'demo-v2', text: 'hi' });
    const { id, botSessionId } = start.body;
    const sent = await json('POST', `${gw.baseUrl}/api/channels/demo/notifications`, { idempotencyKey: `order-1042-${id}`, target: { botSessionId }, text: 'Your order #1042 has shipped.' }, admin());
    expect(sent.status).toBe(202);
    let n = sent.body;
    await gw.waitFor(async () => {
      n = (await json('GET', `${gw.baseUrl}/api/notifications/${sent.body.id}`, undefined, admin())).body;
      return n.status !== 'queued' && n.status !== 'sending';
    }, 10_000);
    expect(n).toMatchObject({ status: 'sent', genesys: { messageId: expect.any(String) } });
    const view = (await json('GET', `${emulatorUrl}/emulator/conversations/${id}`)).body;
    expect(view.messages.filter((m: { text?: string }) => m.text === 'Your order #1042 has shipped.')).toHaveLength(1);
  });
});
