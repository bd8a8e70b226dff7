import { createEmulatorApp, DEFAULT_V1_INTEGRATION_ID, type EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { GatewayHarness, freePort, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * Genesys OAuth through the real gateway (child process) against the emulator (in process),
 * the browser's redirects followed by hand.
 */
const CODE_SECRET = 'code-client-secret-0123456789';
const CC_SECRET = 'cc-client-secret-0123456789';

let emu: EmulatorApp;
let gw: GatewayHarness;
let code: TestChannel;
let cc: TestChannel;
let short: TestChannel;
let narrow: TestChannel;
let elsewhere: TestChannel;
let viaEnv: TestChannel;
const SHORT_SECRET = 'short-client-secret-0123456789';
const NARROW_SECRET = 'narrow-client-secret-0123456789';

beforeAll(async () => {
  const port = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  emu = await createEmulatorApp({
    clients: [
      { id: 'gw-code', secret: CODE_SECRET, name: 'Gateway', redirectUris: [`${publicBaseUrl}/oauth/genesys/callback`], scopes: ['architect', 'integrations', 'textbots'], grants: ['authorization_code'] },
      { id: 'gw-cc', secret: CC_SECRET, name: 'Gateway CC', redirectUris: [], scopes: [], grants: ['client_credentials'] },
      // Tokens live 1 s: every API call of this client goes through a refresh.
      { id: 'gw-short', secret: SHORT_SECRET, name: 'Short lived', redirectUris: [`${publicBaseUrl}/oauth/genesys/callback`], scopes: ['architect', 'integrations', 'textbots'], grants: ['authorization_code'], accessTokenLifetimeSeconds: 1 },
      { id: 'gw-narrow', secret: NARROW_SECRET, name: 'Narrow', redirectUris: [`${publicBaseUrl}/oauth/genesys/callback`], scopes: ['architect'], grants: ['authorization_code'] },
      { id: 'gw-elsewhere', secret: NARROW_SECRET, name: 'Elsewhere', redirectUris: ['https://elsewhere.example/oauth/genesys/callback'], scopes: ['architect', 'integrations', 'textbots'], grants: ['authorization_code'] },
    ],
    organization: { id: 'org-1', name: 'Acme <Support>' },
  });
  const emulatorUrl = await emu.listen(0);
  code = testChannel('oauth1', { genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'gw-code', clientSecret: CODE_SECRET, baseUrl: emulatorUrl } } });
  cc = testChannel('oauth2', { genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'gw-cc', clientSecret: CC_SECRET, grant: 'client_credentials', baseUrl: emulatorUrl } } });
  short = testChannel('oauth3', { genesys: { environment: 'mypurecloud.ie', integrationId: DEFAULT_V1_INTEGRATION_ID, oauth: { clientId: 'gw-short', clientSecret: SHORT_SECRET, baseUrl: emulatorUrl } } });
  narrow = testChannel('oauth4', { genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'gw-narrow', clientSecret: NARROW_SECRET, baseUrl: emulatorUrl } } });
  elsewhere = testChannel('oauth5', { genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'gw-elsewhere', clientSecret: NARROW_SECRET, baseUrl: emulatorUrl } } });
  // No baseUrl of its own: the deployment's GENESYS_BASE_URL sends it to the emulator.
  viaEnv = testChannel('oauth6', { genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'gw-code', clientSecret: CODE_SECRET } } });
  gw = new GatewayHarness('oauth', [code, cc, short, narrow, elsewhere, viaEnv], { PUBLIC_BASE_URL: publicBaseUrl, GENESYS_BASE_URL: emulatorUrl });
  gw.port = port;
  await gw.startIngress();
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await emu?.close();
});

beforeEach(() => emu.emulator.setConsent('approve'));

const admin = (token: string | null = gw.adminToken): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });

/** authorize → emulator → callback URL, as a browser would, without following the last hop. */
async function authorizeToCallback(channelId: string): Promise<string> {
  const start = await fetch(`${gw.baseUrl}/api/channels/${channelId}/oauth/authorize`, { headers: admin(), redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorizeUrl = start.headers.get('location')!;
  expect(authorizeUrl).toContain('code_challenge_method=S256');
  const atGenesys = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(atGenesys.status).toBe(302);
  const callback = atGenesys.headers.get('location')!;
  expect(callback.startsWith(`${gw.baseUrl}/oauth/genesys/callback?`)).toBe(true);
  return callback;
}

describe('Genesys OAuth through the ingress', () => {
  it('authorizes a channel with the code grant and PKCE, and the callback is single use', async () => {
    const callback = await authorizeToCallback(code.id);
    const done = await fetch(callback);
    const html = await done.text();
    expect(done.status).toBe(200);
    // The channel has a client secret, so the PKCE exchange authenticates with Basic and adds the verifier.
    expect(emu.emulator.callsTo('/oauth/token', 'authorization_code').filter((c) => c.clientId === 'gw-code').at(-1)).toMatchObject({ status: 200, clientAuth: 'basic', codeVerifier: true });
    expect(done.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('is connected to Genesys Cloud (org Acme &lt;Support&gt;)');
    expect(html).not.toContain('<Support>');

    const st = await gw.admin(`/api/channels/${code.id}/oauth/status`);
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ configured: true, grant: 'authorization_code', connected: true, reauthorizeNeeded: false });
    expect(st.body.scopes).toEqual(expect.arrayContaining(['architect', 'integrations', 'textbots']));
    expect(JSON.stringify(st.body)).not.toMatch(/token|secret/i);

    const sealed = await gw.redis.get(`${gw.prefix}:oauth:tokens:${code.id}`);
    expect(sealed).toBeTruthy();
    expect(sealed).not.toMatch(/accessToken|refreshToken|bearer/i);
    expect(() => JSON.parse(sealed!)).toThrow();
    const channelRaw = await gw.redis.get(`${gw.prefix}:channel:${code.id}`);
    expect(channelRaw).toContain("sealedClientSecret");
    expect(channelRaw).not.toContain(CODE_SECRET);

    const replay = await fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used or expired');
  });

  it('says consent was denied', async () => {
    emu.emulator.setConsent('deny');
    const start = await fetch(`${gw.baseUrl}/api/channels/${code.id}/oauth/authorize?format=json`, { headers: admin() });
    expect(start.status).toBe(200);
    const { url } = (await start.json()) as { url: string };
    const atGenesys = await fetch(url, { redirect: 'manual' });
    const back = atGenesys.headers.get('location')!;
    expect(back).toContain('error=access_denied');
    const res = await fetch(back);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Consent was denied/);
  });

  it('refuses authorize and status without the admin token', async () => {
    const res = await fetch(`${gw.baseUrl}/api/channels/${code.id}/oauth/authorize`, { headers: admin(null), redirect: 'manual' });
    expect(res.status).toBe(401);
    expect((await gw.admin(`/api/channels/${code.id}/oauth/status`, null)).status).toBe(401);
    expect((await gw.admin(`/api/channels/${code.id}/oauth/status`, 'wrong-token-wrong-token-xx')).status).toBe(401);
  });

  it('answers a clear page for a callback without a valid state', async () => {
    const res = await fetch(`${gw.baseUrl}/oauth/genesys/callback?code=abc&state=<script>`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('no valid state');
  });

  it('connects a client_credentials channel', async () => {
    const before = await gw.admin(`/api/channels/${cc.id}/oauth/status`);
    expect(before.body).toMatchObject({ configured: true, grant: 'client_credentials', connected: false });
    const res = await fetch(`${gw.baseUrl}/api/channels/${cc.id}/oauth/connect`, { method: 'POST', headers: admin() });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ configured: true, grant: 'client_credentials', connected: true, reauthorizeNeeded: false });
    expect(JSON.stringify(body)).not.toMatch(/token|secret/i);
    // The code grant's authorize is refused for it, with a clear message.
    const wrong = await gw.admin(`/api/channels/${cc.id}/oauth/authorize`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('client_credentials');
  });

  it('names the missing scopes when the OAuth client lacks some, and stores nothing', async () => {
    const res = await fetch(await authorizeToCallback(narrow.id));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Missing scopes');
    expect(html).toMatch(/integrations/);
    expect(html).toMatch(/textbots/);
    expect(await gw.redis.exists(`${gw.prefix}:oauth:tokens:${narrow.id}`)).toBe(0);
    expect((await gw.admin(`/api/channels/${narrow.id}/oauth/status`)).body).toMatchObject({ connected: false, reauthorizeNeeded: true });
  });

  it('stops at Genesys when the OAuth client does not list the gateway callback as redirect URI, saying so', async () => {
    const start = await fetch(`${gw.baseUrl}/api/channels/${elsewhere.id}/oauth/authorize`, { headers: admin(), redirect: 'manual' });
    const atGenesys = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    // Genesys shows an error page and does not redirect anywhere (no open redirect).
    expect(atGenesys.status).toBe(400);
    expect(atGenesys.headers.get('location')).toBeNull();
    expect(await atGenesys.text()).toMatch(/redirect_uri/);
  });

  it('refreshes expired tokens with rotation on use, and says "re-authorize" once the grant is revoked', async () => {
    expect((await fetch(await authorizeToCallback(short.id))).status).toBe(200);
    const refreshesBefore = emu.emulator.callsTo('/oauth/token', 'refresh_token').length;
    // Each publish needs a live token; the 1 s token is always within the refresh skew.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.baseUrl}/api/channels/${short.id}/publish`, { method: 'POST', headers: admin() });
      expect(res.status).toBe(200);
    }
    const refreshes = emu.emulator.callsTo('/oauth/token', 'refresh_token').slice(refreshesBefore);
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    expect(refreshes.every((c) => c.status === 200)).toBe(true);

    expect(emu.emulator.revokeAuthorizations('gw-short')).toBe(1);
    const after = await fetch(`${gw.baseUrl}/api/channels/${short.id}/publish`, { method: 'POST', headers: admin() });
    expect(after.status).toBe(409);
    expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/re-authorized|authorize/);
    const st = await gw.admin(`/api/channels/${short.id}/oauth/status`);
    expect(st.body).toMatchObject({ connected: false, reauthorizeNeeded: true });
    expect(st.body.reason).toMatch(/refused the refresh token/);
    // Authorizing again heals it.
    expect((await fetch(await authorizeToCallback(short.id))).status).toBe(200);
    expect((await gw.admin(`/api/channels/${short.id}/oauth/status`)).body).toMatchObject({ connected: true, reauthorizeNeeded: false });
  });

  it('sends a channel without its own base URL to GENESYS_BASE_URL, for authorize as for API calls', async () => {
    const res = await fetch(await authorizeToCallback(viaEnv.id));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('is connected');
  });

  it('never logs secrets', () => {
    const out = processOutput(gw);
    expect(out).not.toContain(CODE_SECRET);
    expect(out).not.toContain(CC_SECRET);
    expect(out).not.toContain(SHORT_SECRET);
    expect(out).not.toContain(NARROW_SECRET);
  });
});
