import { RedisKeys } from '@app/store';
import { createEmulatorApp, type EmulatorApp, type EmulatorIpRange } from '../../apps/genesys-emulator/src/main.js';
import { GatewayHarness, freePort, newSessionBody, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * `genesys.restrictToGenesysIps` through the real gateway (child processes) against emulated
 * Genesys regions (in process), each publishing its own `GET /api/v2/ipranges`. Requests come
 * from 127.0.0.1, so a region listing 127.0.0.0/8 for bot-connector lets them in.
 */
/** The one refusal of the webhooks (a caller outside the ranges learns no more than that). */
const FORBIDDEN = 'invalid credential or channel';
const UNAVAILABLE = 'source ranges of Genesys not loaded yet';
const IPRANGES = '/api/v2/ipranges';
/** The service's refetch-on-refusal floor (GenesysIpRanges default). */
const REFETCH_FLOOR_MS = 30_000;
const CC_SECRET = 'cc-client-secret-0123456789';
const DBC_SECRET = 'dbc-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** Loopback only under another service; bot-connector elsewhere (documentation ranges). */
const NO_LOOPBACK: EmulatorIpRange[] = [
  { cidr: '198.51.100.0/24', service: 'bot-connector', region: 'test', direction: 'outbound' },
  { cidr: '2001:db8:1::/48', service: 'bot-connector', region: 'test', direction: 'outbound' },
  { cidr: '127.0.0.0/8', service: 'open-messaging', region: 'test', direction: 'outbound' },
  { cidr: '::1/128', service: 'audiohook', region: 'test', direction: 'outbound' },
];

const client = (id: string) => ({ id, secret: CC_SECRET, name: id, redirectUris: [], scopes: [], grants: ['client_credentials' as const] });
const oauthTo = (baseUrl: string) => ({ clientId: 'gw-cc', clientSecret: CC_SECRET, grant: 'client_credentials', baseUrl });
const dbc = { secret: DBC_SECRET };

const emus: Record<string, EmulatorApp> = {};
const urls: Record<string, string> = {};
async function emulator(name: string, options: { ipRanges?: EmulatorIpRange[]; ipRangesRequireAuth?: boolean } = {}): Promise<void> {
  emus[name] = await createEmulatorApp({ clients: [client('gw-cc')], ...options });
  urls[name] = await emus[name].listen(0);
}
const rangeCalls = (name: string) => emus[name]!.emulator.callsTo(IPRANGES);

let gw: GatewayHarness;
let proxied: GatewayHarness;
let ch: Record<'open' | 'deny' | 'down' | 'later' | 'auth' | 'plain' | 'proxied' | 'cached', TestChannel>;

beforeAll(async () => {
  await emulator('main'); // default ranges: 127.0.0.0/8 and ::1/128 for bot-connector
  await emulator('deny', { ipRanges: NO_LOOPBACK });
  await emulator('later', { ipRanges: NO_LOOPBACK });
  await emulator('auth', { ipRangesRequireAuth: true });
  await emulator('watch');
  await emulator('cached');
  const closedPort = `http://127.0.0.1:${await freePort()}`;
  const restrict = (extra: Record<string, unknown> = {}) => ({ genesys: { environment: 'mypurecloud.ie', restrictToGenesysIps: true, ...extra } });
  ch = {
    open: testChannel('ipopen', restrict({ digitalBotConnector: dbc })), // region: GENESYS_BASE_URL
    deny: testChannel('ipdeny', restrict({ oauth: oauthTo(urls.deny!), digitalBotConnector: dbc })),
    down: testChannel('ipdown', restrict({ oauth: oauthTo(closedPort) })),
    later: testChannel('iplater', restrict({ oauth: oauthTo(urls.later!) })),
    auth: testChannel('ipauth', restrict({ oauth: oauthTo(urls.auth!) })),
    plain: testChannel('ipplain', { genesys: { environment: 'mypurecloud.ie', oauth: oauthTo(urls.watch!), digitalBotConnector: dbc } }),
    proxied: testChannel('ipproxied', restrict()),
    cached: testChannel('ipcached', restrict({ oauth: oauthTo(urls.cached!) })),
  };
  gw = new GatewayHarness('ipallow', [ch.open, ch.deny, ch.down, ch.later, ch.auth, ch.plain], { GENESYS_BASE_URL: urls.main! });
  proxied = new GatewayHarness('ipproxy', [ch.proxied, ch.cached], { GENESYS_BASE_URL: urls.main!, TRUST_PROXY_HOPS: '1' });
  await Promise.all([gw.startIngress(), proxied.startIngress()]);
  await Promise.all([gw.startWorker(), proxied.startWorker()]);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await proxied?.stop();
  await Promise.all(Object.values(emus).map((e) => e.close().catch(() => undefined)));
});

const v1 = (h: GatewayHarness, c: TestChannel, opts: Parameters<GatewayHarness['turn']>[2] = {}) => h.turn(c, newSessionBody('hi'), opts);

async function v2Bots(h: GatewayHarness, c: TestChannel, secret: string | null = DBC_SECRET): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.baseUrl}/genesys/${c.id}/dbc/bots`, { headers: secret === null ? {} : { 'x-connection-secret': secret } });
  return { status: res.status, body: await res.json() };
}

function expectRefused(res: { status: number; body: any }, status: number, message: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ botState: 'Failed', errorInfo: { errorMessage: message } });
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Genesys source ranges (genesys.restrictToGenesysIps)', () => {
  it('loads the lists of restricted channels at start, before any call', async () => {
    // No request has gone to these channels yet.
    await until(() => rangeCalls('later').length === 1 && rangeCalls('deny').length === 1 && rangeCalls('main').length >= 1, 10_000);
    expect(rangeCalls('later')[0]!.status).toBe(200);
  });

  it('accepts v1 and v2 calls from inside the bot-connector ranges, and shares the list in Redis', async () => {
    const res = await v1(gw, ch.open);
    expect(res.status).toBe(200);
    expect(res.body.botState).toBe('MoreData');
    const bots = await v2Bots(gw, ch.open);
    expect(bots.status).toBe(200);
    expect(bots.body.entities[0].id).toBe('bot1');
    // The credential is checked too (before the address).
    expect((await v1(gw, ch.open, { auth: null })).status).toBe(401);
    expect((await v2Bots(gw, ch.open, 'wrong')).status).toBe(403);

    const shared = JSON.parse((await gw.redis.get(new RedisKeys(gw.prefix).ipRanges(urls.main!)))!);
    expect(shared).toMatchObject({ apiBaseUrl: urls.main, cidrs: ['127.0.0.0/8', '::1/128'] });
  });

  it('refuses v1 and v2 calls from outside the ranges with 403, even with the right credential', async () => {
    expectRefused(await v1(gw, ch.deny), 403, FORBIDDEN);
    // A v1 call without a credential is a 401 before any channel is looked up, wherever it comes from.
    expect((await v1(gw, ch.deny, { auth: null })).status).toBe(401);
    expectRefused(await v2Bots(gw, ch.deny), 403, FORBIDDEN);
    expectRefused(await v2Bots(gw, ch.deny, null), 403, FORBIDDEN);
    await until(() => /outside the Genesys bot-connector ranges/.test(processOutput(gw)), 2000);
    const line = processOutput(gw).split('\n').find((l) => l.includes('outside the Genesys bot-connector ranges'))!;
    expect(line).toMatch(/"ip":"(::ffff:)?127\.0\.0\.1"/);
    expect(line).toContain('"channelId":"ipdeny"');
    // The refusals did not make it ask Genesys again (the list is younger than the refetch floor).
    expect(rangeCalls('deny')).toHaveLength(1);
  });

  it('answers 503 with Retry-After while the ranges could never be loaded, but only to a caller with the credential', async () => {
    // Without it the answer is the one every unauthenticated call gets: the 503 would tell that
    // the channel exists and checks source addresses.
    expectRefused(await v1(gw, ch.down, { auth: gw.credential(ch.down, { secret: 'w'.repeat(8) + ch.down.secret.slice(8) }) }), 403, FORBIDDEN);
    expectRefused(await v2Bots(gw, ch.down, 'wrong'), 403, FORBIDDEN);
    const res = await v1(gw, ch.down);
    expectRefused(res, 503, UNAVAILABLE);
    expect(res.headers.get('retry-after')).toBe('30');
    await until(() => processOutput(gw).includes('not loaded yet; Bot Connector call refused with 503'), 2000);
    const line = processOutput(gw).split('\n').find((l) => l.includes('not loaded yet; Bot Connector call refused'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 'error', channelId: 'ipdown', ip: expect.stringMatching(/127\.0\.0\.1$/) });
    // The fetch failure itself was logged once, as an error (no list to fall back on).
    expect(processOutput(gw).split('\n').filter((l) => l.includes('could not be loaded') && l.includes('"level":"error"'))).toHaveLength(1);
  });

  it("asks with the channel's OAuth token when Genesys answers 401 without one", async () => {
    const res = await v1(gw, ch.auth);
    expect(res.status).toBe(200);
    const calls = emus.auth!.emulator.calls.filter((c) => c.path === IPRANGES || c.path === '/oauth/token');
    expect(calls.map((c) => `${c.path} ${c.status}`)).toEqual([`${IPRANGES} 401`, '/oauth/token 200', `${IPRANGES} 200`]);
  });

  it('ignores X-Forwarded-For when TRUST_PROXY_HOPS is 0', async () => {
    expect((await v1(gw, ch.open, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    // 198.51.100.7 is in ipdeny's ranges, but only the socket address counts.
    expectRefused(await v1(gw, ch.deny, { headers: { 'x-forwarded-for': '198.51.100.7' } }), 403, FORBIDDEN);
  });

  it('checks the forwarded address behind one trusted proxy (TRUST_PROXY_HOPS=1)', async () => {
    expectRefused(await v1(proxied, ch.proxied, { headers: { 'x-forwarded-for': '203.0.113.9' } }), 403, FORBIDDEN);
    expect((await v1(proxied, ch.proxied, { headers: { 'x-forwarded-for': '127.0.0.1' } })).status).toBe(200);
    expect((await v1(proxied, ch.proxied, { headers: { 'x-forwarded-for': '::1' } })).status).toBe(200);
    // A client cannot put a Genesys address in front of what the proxy appended.
    expectRefused(await v1(proxied, ch.proxied, { headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' } }), 403, FORBIDDEN);
    await until(() => processOutput(proxied).includes('"ip":"203.0.113.9"'), 2000);
  });

  it('a restarted ingress uses the list shared in Redis while Genesys cannot be reached', async () => {
    expect((await v1(proxied, ch.cached)).status).toBe(200);
    const fetched = rangeCalls('cached').length;
    expect(fetched).toBe(1);
    await emus.cached!.close();
    const ingress = proxied.procs.find((p) => p.kind === 'ingress' && p.child.exitCode === null)!;
    await proxied.kill(ingress);
    await proxied.startIngress();
    expect((await v1(proxied, ch.cached)).status).toBe(200);
    expectRefused(await v1(proxied, ch.cached, { headers: { 'x-forwarded-for': '203.0.113.9' } }), 403, FORBIDDEN);
  });

  it('channels without the flag never fetch the ranges', async () => {
    for (const headers of [{}, { 'x-forwarded-for': '203.0.113.9' }] as Record<string, string>[]) {
      expect((await v1(gw, ch.plain, { headers })).status).toBe(200);
      expect((await v2Bots(gw, ch.plain)).status).toBe(200);
    }
    expect(emus.watch!.emulator.calls.filter((c) => c.path === IPRANGES)).toEqual([]);
    // The same call log does show a fetch for a region with a restricted channel.
    expect(rangeCalls('main').length).toBeGreaterThanOrEqual(1);
  });

  it('counts the refusals in the metrics', async () => {
    const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    const count = (reason: string) => Number(new RegExp(`gbg_rejected_requests_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    // The refusals of the tests above on this gateway with a valid credential: 2 + 1 outside the
    // ranges, 1 while unloaded (the ones without a credential were refused for that first).
    expect(count('ip_not_allowed')).toBe(3);
    expect(count('ip_ranges_unavailable')).toBe(1);
  });

  it(
    'picks up a range Genesys adds: a refused call fetches again once the list is older than 30 s',
    async () => {
      expectRefused(await v1(gw, ch.later), 403, FORBIDDEN);
      emus.later!.emulator.options.ipRanges.push({ cidr: '127.0.0.0/8', service: 'bot-connector', region: 'test', direction: 'outbound' });
      expectRefused(await v1(gw, ch.later), 403, FORBIDDEN);
      expect(rangeCalls('later')).toHaveLength(1);
      // The hourly refresh (GENESYS_IP_RANGES_REFRESH_MS, at least 60 s) is not what lets it in.
      const wait = rangeCalls('later')[0]!.at + REFETCH_FLOOR_MS + 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const res = await v1(gw, ch.later);
      expect(res.status).toBe(200);
      expect(rangeCalls('later')).toHaveLength(2);
    },
    REFETCH_FLOOR_MS + 30_000,
  );

  it('never logs a credential or a secret', () => {
    const out = processOutput(gw) + processOutput(proxied);
    for (const c of Object.values(ch)) expect(out).not.toContain(c.secret);
    expect(out).not.toContain(DBC_SECRET);
    expect(out).not.toContain(CC_SECRET);
    expect(out).not.toMatch(/bearer [A-Za-z0-9_-]+\./i);
  });
});
