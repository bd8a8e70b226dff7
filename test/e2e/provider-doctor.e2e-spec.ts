import { CanonicalBotFake } from '../fakes/canonical-bot.fake.js';
import { GatewayHarness, freePort, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * The admin side of bot providers through the real ingress: the provider catalogue the console
 * builds its forms from, the validation errors it maps to fields, and the setup doctor calling each
 * bot's backend once (the `http` provider against local fakes): working, credentials refused,
 * unreachable, too slow, failing, and a provider without a probe. Real Redis, real HTTP.
 */
const good = new CanonicalBotFake();
const refusing = new CanonicalBotFake();
const slow = new CanonicalBotFake();
const failing = new CanonicalBotFake();
let deadPort = 0;
let gw: GatewayHarness;
let fileChannel: TestChannel;

const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const httpBot = (id: string, name: string, url: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  versions: ['1.0'],
  languages: ['en-us'],
  intents: [{ name: 'Help' }],
  provider: { name: 'http', retries: 0, config: { url, headers: auth(good.apiKey) }, ...extra },
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${gw.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${gw.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined), ms: Date.now() - started };
}

const checkOf = (checks: any[], botId: string) => checks.find((c) => c.id === `bot-backend:${botId}`);

beforeAll(async () => {
  for (const f of [good, refusing, slow, failing]) await f.start();
  // Same key everywhere: only `refusing` refuses it.
  for (const f of [refusing, slow, failing]) f.apiKey = good.apiKey;
  refusing.refuseCredentials();
  slow.failAlways({ kind: 'delay', ms: 3000 });
  failing.failAlways({ kind: 'status', status: 503 });
  deadPort = await freePort();
  fileChannel = testChannel('doctor-file', {
    bots: [
      httpBot('good', 'Good Bot', `${good.origin}/turn`),
      httpBot('refused', 'Refused Bot', `${refusing.origin}/turn`),
      httpBot('down', 'Down Bot', `http://127.0.0.1:${deadPort}/turn`),
      httpBot('slow', 'Slow Bot', `${slow.origin}/turn`, { timeoutMs: 300 }),
      httpBot('failing', 'Failing Bot', `${failing.origin}/turn`),
      { id: 'demo', name: 'Demo Bot', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'demo', config: {} } },
    ],
  });
  gw = new GatewayHarness('provider-doctor', [fileChannel]);
  await gw.startIngress();
});

afterAll(async () => {
  await gw?.stop();
  for (const f of [good, refusing, slow, failing]) await f.close();
});

describe('GET /api/bot-providers', () => {
  it('needs the admin credentials like every /api route', async () => {
    expect((await gw.admin('/api/bot-providers', null)).status).toBe(401);
    expect((await gw.admin('/api/bot-providers', 'not-the-token')).status).toBe(401);
  });

  it('describes every registered provider with its form fields and secret paths', async () => {
    const res = await gw.admin('/api/bot-providers');
    expect(res.status).toBe(200);
    const byName = new Map<string, any>(res.body.entities.map((p: any) => [p.name, p]));
    expect(byName.get('http')).toEqual({
      name: 'http',
      title: expect.any(String),
      docs: 'docs/http-bot-provider.md',
      fields: [
        expect.objectContaining({ key: 'url', kind: 'url', required: true, label: 'Bot URL' }),
        expect.objectContaining({ key: 'headers', kind: 'map' }),
      ],
      secrets: ['headers'],
    });
    expect(byName.get('demo')).toMatchObject({ name: 'demo', fields: [], secrets: [] });
    expect(res.body.entities.map((p: any) => p.name)).toEqual([...byName.keys()].sort());
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await gw.admin('/api/docs-json');
    expect(Object.keys(doc.body.paths)).toContain('/api/bot-providers');
  });
});

describe('the setup doctor calls each bot’s backend once', () => {
  let checks: any[] = [];
  let ms = 0;

  beforeAll(async () => {
    const res = await call('POST', `/api/channels/${fileChannel.id}/doctor`);
    expect(res.status).toBe(200);
    checks = res.body.checks;
    ms = res.ms;
  });

  it('one check per bot, after the channel’s own checks, in the bots’ order', () => {
    const ids = checks.map((c) => c.id);
    expect(ids.filter((id) => id.startsWith('bot-backend:'))).toEqual(['good', 'refused', 'down', 'slow', 'failing', 'demo'].map((b) => `bot-backend:${b}`));
    expect(ids.indexOf('bot-backend:good')).toBeGreaterThan(ids.indexOf('traffic'));
    expect(checkOf(checks, 'good').title).toBe('Bot backend Good Bot');
  });

  it('a working backend: reachable, credential accepted, with the probe’s detail; called exactly once with the stored credentials', () => {
    expect(checkOf(checks, 'good')).toEqual({ id: 'bot-backend:good', title: 'Bot backend Good Bot', ok: true, detail: 'http: reachable, credential accepted (the bot URL answers (HTTP 200 to an empty probe))' });
    expect(good.requests).toHaveLength(1);
    expect(good.requests[0]!.headers.authorization).toBe(`Bearer ${good.apiKey}`);
  });

  it('refused credentials: the fix names the secret field and where a file channel changes it', () => {
    const c = checkOf(checks, 'refused');
    expect(c).toMatchObject({ ok: false, detail: 'http: reachable, credential refused (the bot refused the configured credentials (HTTP 401))' });
    expect(c.fix).toBe('enter credentials the backend accepts: Headers (headers) in the channels file (CHANNELS_FILE, bots[1].provider) and restart the gateway; see docs/http-bot-provider.md');
    expect(refusing.requests).toHaveLength(1);
  });

  it('an unreachable backend: the URL, the network, and the development-only private-address switch', () => {
    const c = checkOf(checks, 'down');
    expect(c).toMatchObject({ ok: false, detail: 'http: unreachable or failing (the bot could not be reached (ECONNREFUSED))' });
    expect(c.fix).toContain('check Bot URL (url) in the channels file');
    expect(c.fix).toContain('BOT_PROVIDERS_ALLOW_PRIVATE=true, for development only');
  });

  it('a slow backend is given up after the bot’s own timeout (never more than 5 s)', () => {
    expect(checkOf(checks, 'slow')).toMatchObject({ ok: false, detail: 'http: unreachable or failing (the bot did not answer within 300 ms)' });
    expect(ms).toBeLessThan(2500);
  });

  it('a failing backend (5xx) is told apart from an unreachable one', () => {
    expect(checkOf(checks, 'failing')).toMatchObject({ ok: false, detail: 'http: unreachable or failing (the bot answered HTTP 503)', fix: expect.stringMatching(/^the backend answers but fails/) });
  });

  it('a provider without a probe is not probed, which is no failure', () => {
    expect(checkOf(checks, 'demo')).toEqual({ id: 'bot-backend:demo', title: 'Bot backend Demo Bot', ok: true, skipped: true, detail: 'not probed: the demo provider has no harmless call to make' });
  });

  it('puts no credential in any check', () => {
    expect(JSON.stringify(checks)).not.toContain(good.apiKey);
  });
});

describe('a console-made channel: provider config changed through the API, then the doctor', () => {
  const id = 'doctor-api';

  it('creates the channel, hides the secret, keeps it when the visible config is sent back, and the doctor passes', async () => {
    const created = await call('POST', '/api/channels', { id, environment: 'mypurecloud.ie', bots: [httpBot('b1', 'Api Bot', `${good.origin}/turn`)] });
    expect(created.status).toBe(201);
    expect(created.body.bots[0].provider).toMatchObject({ name: 'http', config: { url: `${good.origin}/turn` }, secretsSet: ['headers'] });
    expect(JSON.stringify(created.body)).not.toContain(good.apiKey);

    // What the console's bots step sends: the bot with its provider name and visible config.
    const bot = created.body.bots[0];
    const patched = await call('PATCH', `/api/channels/${id}`, { bots: [{ id: bot.id, name: bot.name, versions: bot.versions, languages: bot.languages, intents: bot.intents, provider: { name: 'http', timeoutMs: 4000, retries: 0, config: { url: `${good.origin}/turn` } } }] });
    expect(patched.status).toBe(200);
    expect(patched.body.bots[0].provider.secretsSet).toEqual(['headers']);

    const doctor = await call('POST', `/api/channels/${id}/doctor`);
    expect(checkOf(doctor.body.checks, 'b1')).toMatchObject({ ok: true, detail: expect.stringContaining('credential accepted') });
  });

  it('a credential cleared with null: the doctor says it is refused and where to enter it again', async () => {
    const view = (await call('GET', `/api/channels/${id}`)).body;
    const bot = view.bots[0];
    const patched = await call('PATCH', `/api/channels/${id}`, { bots: [{ id: bot.id, name: bot.name, versions: bot.versions, languages: bot.languages, intents: bot.intents, provider: { name: 'http', config: { url: `${good.origin}/turn`, headers: null } } }] });
    expect(patched.status).toBe(200);
    expect(patched.body.bots[0].provider.secretsSet).toEqual([]);
    const c = checkOf((await call('POST', `/api/channels/${id}/doctor`)).body.checks, 'b1');
    expect(c).toMatchObject({ ok: false, detail: expect.stringContaining('credential refused') });
    expect(c.fix).toBe('enter credentials the backend accepts: Headers (headers) in the bots step (setup step 4); see docs/http-bot-provider.md');
  });

  it('refuses a bad config with the field path the console maps to its input, and an unknown provider by name', async () => {
    const bot = (await call('GET', `/api/channels/${id}`)).body.bots[0];
    const base = { id: bot.id, name: bot.name, versions: bot.versions, languages: bot.languages, intents: bot.intents };
    const badUrl = await call('PATCH', `/api/channels/${id}`, { bots: [{ ...base, provider: { name: 'http', config: { url: 'ftp://bot.example.com/turn' } } }] });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.details).toEqual([expect.stringMatching(/^bots\[0\]\.provider\.config\.url: /)]);
    const unknown = await call('PATCH', `/api/channels/${id}`, { bots: [{ ...base, provider: { name: 'nope', config: {} } }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.stringMatching(/^bots\[0\]\.provider\.name: no bot provider named "nope" \(known: .*demo.*http/)]);
  });
});
