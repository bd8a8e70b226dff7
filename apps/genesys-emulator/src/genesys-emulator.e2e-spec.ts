import { createHash } from 'node:crypto';
import axios from 'axios';
import { EmulatorOptionsError, createEmulatorApp, type EmulatorApp } from './main.js';

/** The emulator's own contract over real HTTP: Genesys shapes, statuses and the switches tests rely on. */

const REDIRECT = 'http://gateway.test/cb';
const CLIENT = { id: 'c1', secret: 's1-secret', name: 'One', redirectUris: [REDIRECT], scopes: ['architect'], grants: ['authorization_code' as const, 'client_credentials' as const] };
/** No secret: a public client, as the Genesys SDKs' PKCE login uses. */
const PUBLIC = { id: 'p1', name: 'Public', redirectUris: [REDIRECT], scopes: ['architect'], grants: ['authorization_code' as const] };

let clockOffset = 0;
let emu: EmulatorApp;
let base: string;

const http = axios.create({ validateStatus: () => true, maxRedirects: 0 });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  http.post(`${base}/oauth/token`, new URLSearchParams(body).toString(), { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

async function getCode(params: Record<string, string> = {}): Promise<string> {
  const q = new URLSearchParams({ client_id: CLIENT.id, response_type: 'code', redirect_uri: REDIRECT, state: 'st', ...params });
  const res = await http.get(`${base}/oauth/authorize?${q}`);
  expect(res.status).toBe(302);
  return new URL(res.headers.location as string).searchParams.get('code')!;
}

beforeAll(async () => {
  emu = await createEmulatorApp({ clients: [CLIENT, PUBLIC], accessTokenLifetimeSeconds: 60, codeLifetimeSeconds: 30, now: () => Date.now() + clockOffset });
  base = await emu.listen(0);
});
afterAll(() => emu.close());
beforeEach(() => {
  clockOffset = 0;
  emu.emulator.clearCalls();
});

it('validates its options, listing every problem', async () => {
  await expect(createEmulatorApp({ clients: [{ ...CLIENT, redirectUris: ['not a url'], accessTokenLifetimeSeconds: 0 }] })).rejects.toThrow(EmulatorOptionsError);
  await expect(createEmulatorApp({ clients: [] })).rejects.toThrow(/at least one OAuth client/);
  await expect(createEmulatorApp({ clients: [{ ...CLIENT, secret: '' }] })).rejects.toThrow(/secret must not be empty \(leave it out for a public client\)/);
  await expect(createEmulatorApp({ clients: [{ ...PUBLIC, grants: ['client_credentials'] }] })).rejects.toThrow(/client_credentials grant needs a secret/);
});

it('authorize: unknown client → 400 page; bad challenge method → redirect with invalid_request', async () => {
  const unknown = await http.get(`${base}/oauth/authorize?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}`);
  expect(unknown.status).toBe(400);
  expect(unknown.headers['content-type']).toMatch(/text\/html/);
  const q = new URLSearchParams({ client_id: CLIENT.id, response_type: 'code', redirect_uri: REDIRECT, state: 'st', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
  const res = await http.get(`${base}/oauth/authorize?${q}`);
  expect(Object.fromEntries(new URL(res.headers.location as string).searchParams)).toMatchObject({ error: 'invalid_request', state: 'st' });
});

const verifier = 'v'.repeat(50);
const challenge = createHash('sha256').update(verifier).digest('base64url');

it('token: a client with a secret must authenticate with Basic even with PKCE; the verifier must match too', async () => {
  const code = await getCode({ code_challenge: challenge, code_challenge_method: 'S256' });
  // The right verifier without client authentication: what an interceptor of the code could send.
  const unauthenticated = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT.id, code_verifier: verifier });
  expect(unauthenticated.status).toBe(401);
  expect(unauthenticated.headers['www-authenticate']).toMatch(/^Basic/);
  expect(unauthenticated.data).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/has a secret .*HTTP Basic.*code_verifier does not replace client authentication/) });
  const asPost = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT.id, client_secret: CLIENT.secret, code_verifier: verifier });
  expect(asPost.status).toBe(401);

  const auth = { authorization: basic(CLIENT.id, CLIENT.secret) };
  const missing = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, auth);
  expect(missing.data).toEqual({ error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier is required/) });
  const wrong = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'w'.repeat(50) }, auth);
  expect(wrong.status).toBe(400);
  expect(wrong.data).toEqual({ error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier/) });
  // The refused attempts did not spend the code.
  const ok = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth);
  expect(ok.status).toBe(200);
  expect(ok.data).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 60, refresh_token: expect.any(String) });
  expect(ok.headers['cache-control']).toBe('no-store');
  expect(emu.emulator.callsTo('/oauth/token').map((c) => [c.status, c.error, c.clientAuth, c.codeVerifier])).toEqual([
    [401, 'invalid_client', 'client_id', true],
    [401, 'invalid_client', 'client_id', true],
    [400, 'invalid_grant', 'basic', false],
    [400, 'invalid_grant', 'basic', true],
    [200, undefined, 'basic', true],
  ]);

  const unauthenticatedRefresh = await form({ grant_type: 'refresh_token', refresh_token: ok.data.refresh_token, client_id: CLIENT.id });
  expect(unauthenticatedRefresh.status).toBe(401);
  expect(unauthenticatedRefresh.data.error).toBe('invalid_client');
  expect((await form({ grant_type: 'refresh_token', refresh_token: ok.data.refresh_token }, auth)).status).toBe(200);

  const plain = await getCode();
  const publicTry = await form({ grant_type: 'authorization_code', code: plain, redirect_uri: REDIRECT, client_id: CLIENT.id });
  expect(publicTry.status).toBe(401);
  expect(publicTry.data.error).toBe('invalid_client');
});

it('token: a public client (no secret) exchanges with client_id + code_verifier and refreshes with client_id; it cannot use Basic or skip PKCE', async () => {
  const code = await getCode({ client_id: PUBLIC.id, code_challenge: challenge, code_challenge_method: 'S256' });
  const withBasic = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, { authorization: basic(PUBLIC.id, 'anything') });
  expect(withBasic.status).toBe(401);
  expect(withBasic.data).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/no secret \(public client\)/) });
  const ok = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: PUBLIC.id, code_verifier: verifier });
  expect(ok.status).toBe(200);
  const refreshed = await form({ grant_type: 'refresh_token', refresh_token: ok.data.refresh_token, client_id: PUBLIC.id });
  expect(refreshed.status).toBe(200);
  expect(refreshed.data.refresh_token).not.toBe(ok.data.refresh_token);

  const plain = await getCode({ client_id: PUBLIC.id });
  const noPkce = await form({ grant_type: 'authorization_code', code: plain, redirect_uri: REDIRECT, client_id: PUBLIC.id });
  expect(noPkce.status).toBe(401);
  expect(noPkce.data).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/code_challenge/) });
});

it('token: codes expire; wrong secret is 401; unknown grant and JSON bodies are 400', async () => {
  const code = await getCode();
  clockOffset = 31_000;
  const expired = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { authorization: basic(CLIENT.id, CLIENT.secret) });
  expect(expired.data).toEqual({ error: 'invalid_grant', error_description: 'authorization code expired' });
  expect((await form({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.id, 'bad') })).status).toBe(401);
  expect((await form({ grant_type: 'password' }, { authorization: basic(CLIENT.id, CLIENT.secret) })).data.error).toBe('unsupported_grant_type');
  const json = await http.post(`${base}/oauth/token`, { grant_type: 'client_credentials' }, { headers: { authorization: basic(CLIENT.id, CLIENT.secret) } });
  expect(json.status).toBe(400);
  expect(json.data.error).toBe('invalid_request');
});

it('tokens/me: Genesys shapes for a live token, 401 bad.credentials once expired; the call log records grants', async () => {
  const cc = await form({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT.id, CLIENT.secret) });
  const me = await http.get(`${base}/api/v2/tokens/me`, { headers: { authorization: `Bearer ${cc.data.access_token}` } });
  expect(me.status).toBe(200);
  expect(me.data).toMatchObject({ organization: { id: expect.any(String), name: expect.any(String) }, authorizedScope: [], OAuthClient: { id: 'c1', name: 'One' } });
  clockOffset = 61_000;
  const late = await http.get(`${base}/api/v2/tokens/me`, { headers: { authorization: `Bearer ${cc.data.access_token}` } });
  expect(late.status).toBe(401);
  expect(late.data).toMatchObject({ code: 'bad.credentials', status: 401 });
  expect(emu.emulator.calls.map((c) => [c.method, c.path, c.status, c.grantType])).toEqual([
    ['POST', '/oauth/token', 200, 'client_credentials'],
    ['GET', '/api/v2/tokens/me', 200, undefined],
    ['GET', '/api/v2/tokens/me', 401, undefined],
  ]);
  expect(emu.emulator.calls[0]).toMatchObject({ clientId: 'c1', clientAuth: 'basic', codeVerifier: false });
  expect(emu.emulator.calls[1]!.clientAuth).toBeUndefined();
  expect(JSON.stringify(emu.emulator.calls)).not.toContain(cc.data.access_token);
});

it('answers 429 with Retry-After on demand, then recovers', async () => {
  emu.emulator.rateLimitNext(1, 7);
  const limited = await http.get(`${base}/api/v2/tokens/me`);
  expect(limited.status).toBe(429);
  expect(limited.headers['retry-after']).toBe('7');
  expect((await http.get(`${base}/api/v2/tokens/me`)).status).toBe(401);
});
