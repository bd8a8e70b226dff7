import { createHash } from 'node:crypto';
import axios from 'axios';
import { EmulatorOptionsError, createEmulatorApp, type EmulatorApp } from './main.js';

/** The emulator's own contract over real HTTP: Genesys shapes, statuses and the switches tests rely on. */

const REDIRECT = 'http://gateway.test/cb';
const CLIENT = { id: 'c1', secret: 's1-secret', name: 'One', redirectUris: [REDIRECT], scopes: ['architect'], grants: ['authorization_code' as const, 'client_credentials' as const] };

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
  emu = await createEmulatorApp({ clients: [CLIENT], accessTokenLifetimeSeconds: 60, codeLifetimeSeconds: 30, now: () => Date.now() + clockOffset });
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
});

it('authorize: unknown client → 400 page; bad challenge method → redirect with invalid_request', async () => {
  const unknown = await http.get(`${base}/oauth/authorize?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}`);
  expect(unknown.status).toBe(400);
  expect(unknown.headers['content-type']).toMatch(/text\/html/);
  const q = new URLSearchParams({ client_id: CLIENT.id, response_type: 'code', redirect_uri: REDIRECT, state: 'st', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
  const res = await http.get(`${base}/oauth/authorize?${q}`);
  expect(Object.fromEntries(new URL(res.headers.location as string).searchParams)).toMatchObject({ error: 'invalid_request', state: 'st' });
});

it('token: PKCE verifier must match; a public exchange of a non-PKCE code needs Basic', async () => {
  const verifier = 'v'.repeat(50);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const code = await getCode({ code_challenge: challenge, code_challenge_method: 'S256' });
  const wrong = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT.id, code_verifier: 'w'.repeat(50) });
  expect(wrong.status).toBe(400);
  expect(wrong.data).toEqual({ error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier/) });
  const ok = await form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT.id, code_verifier: verifier });
  expect(ok.status).toBe(200);
  expect(ok.data).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 60, refresh_token: expect.any(String) });
  expect(ok.headers['cache-control']).toBe('no-store');

  const plain = await getCode();
  const publicTry = await form({ grant_type: 'authorization_code', code: plain, redirect_uri: REDIRECT, client_id: CLIENT.id });
  expect(publicTry.status).toBe(401);
  expect(publicTry.data.error).toBe('invalid_client');
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
