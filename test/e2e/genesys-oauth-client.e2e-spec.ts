import axios from 'axios';
import { Redis } from 'ioredis';
import { RedisKeys } from '@app/store/redis-keys.js';
import { SecretBox } from '@app/secrets';
import { createEmulatorApp, type EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis-test-prefix.js';
import { GATEWAY_OAUTH_SCOPES, GenesysOAuthClient, GenesysOAuthError, OAuthStateError, GenesysTokenStore, ReauthorizationRequiredError, createPkcePair, parseRetryAfter, pkceChallenge } from '@app/genesys-oauth';
import { OAuthStateStore, OAuthTokenRecords } from '@app/store';

/**
 * The Genesys OAuth module against the emulator over real HTTP and a real Redis (own prefix).
 * One clock (`now`) drives both the emulator and the token stores, so token expiry is a jump of
 * the clock rather than a sleep.
 */

const REDIRECT = 'http://gateway.test/oauth/genesys/callback';
const CODE_CLIENT = { id: 'code-client', secret: 'code-client-secret-0123456789', name: 'Gateway', redirectUris: [REDIRECT], scopes: [...GATEWAY_OAUTH_SCOPES], grants: ['authorization_code' as const] };
/** No secret: a public client (PKCE only). */
const PUBLIC_CLIENT = { id: 'public-client', name: 'Gateway (public)', redirectUris: [REDIRECT], scopes: [...GATEWAY_OAUTH_SCOPES], grants: ['authorization_code' as const] };
const CC_CLIENT = { id: 'cc-client', secret: 'cc-client-secret-0123456789', name: 'Gateway CC', redirectUris: [], scopes: [], grants: ['client_credentials' as const] };
const HOUR = 3600;

let clockOffset = 0;
const now = () => Date.now() + clockOffset;

let emu: EmulatorApp;
let baseUrl: string;
let redis: Redis;
let redis2: Redis;
let prefix: string;
let keys: RedisKeys;
const box = SecretBox.fromEnv('a'.repeat(64));

beforeAll(async () => {
  emu = await createEmulatorApp({ clients: [CODE_CLIENT, PUBLIC_CLIENT, CC_CLIENT], accessTokenLifetimeSeconds: HOUR, now });
  baseUrl = await emu.listen(0);
  redis = new Redis(TEST_REDIS_URL);
  redis2 = new Redis(TEST_REDIS_URL);
  prefix = testPrefix('goauth');
  keys = new RedisKeys(prefix);
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await Promise.all([redis.quit(), redis2.quit(), emu.close()]);
});

beforeEach(() => {
  clockOffset = 0;
  emu.emulator.setConsent('approve');
  emu.emulator.clearCalls();
});

const codeClient = (over: Partial<ConstructorParameters<typeof GenesysOAuthClient>[0]> = {}) =>
  new GenesysOAuthClient({ clientId: CODE_CLIENT.id, clientSecret: CODE_CLIENT.secret, baseUrl, timeoutMs: 3000, ...over });

/** Follows the authorize URL like a browser whose user is logged in, and returns the redirect target. */
async function browse(url: string): Promise<{ status: number; location?: URL; body: string }> {
  const res = await axios.get<string>(url, { maxRedirects: 0, validateStatus: () => true, responseType: 'text' });
  const loc = res.headers.location as string | undefined;
  return { status: res.status, location: loc ? new URL(loc) : undefined, body: res.data };
}

/** The full admin round trip up to stored tokens; returns what a test needs to continue. */
async function authorizeChannel(channelId: string, store: GenesysTokenStore, opts: { pkce?: boolean; client?: GenesysOAuthClient } = {}) {
  const client = opts.client ?? codeClient();
  const states = new OAuthStateStore(redis, keys, box);
  const pkce = opts.pkce === false ? undefined : createPkcePair();
  const { state } = await states.create({ channelId, adminId: 'admin-1', redirectUri: REDIRECT, codeVerifier: pkce?.codeVerifier });
  const back = await browse(client.authorizeUrl({ redirectUri: REDIRECT, state, codeChallenge: pkce?.codeChallenge }));
  const { code, state: returned } = client.parseCallback(Object.fromEntries(back.location!.searchParams));
  const bound = await states.consume(returned);
  const tokens = await client.exchangeCode({ code, redirectUri: bound.redirectUri, codeVerifier: bound.codeVerifier });
  const info = await client.verify(tokens.accessToken, GATEWAY_OAUTH_SCOPES);
  const saved = await store.save(bound.channelId, tokens, 'authorization_code', client, info.authorizedScope);
  return { client, tokens, saved, bound, code };
}

describe('PKCE', () => {
  it('matches the RFC 7636 appendix B vector and makes 43-128 character verifiers', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(createPkcePair().codeVerifier).toHaveLength(43);
    expect(createPkcePair(96).codeVerifier).toHaveLength(128);
    expect(() => pkceChallenge('short')).toThrow(RangeError);
  });
});

describe('GenesysOAuthClient hosts', () => {
  it('derives login/api hosts from what an admin pastes and refuses unknown environments', () => {
    const c = new GenesysOAuthClient({ clientId: 'x', environment: 'https://login.mypurecloud.ie/' });
    expect(c.loginBaseUrl).toBe('https://login.mypurecloud.ie');
    expect(c.apiBaseUrl).toBe('https://api.mypurecloud.ie');
    const url = new URL(c.authorizeUrl({ redirectUri: REDIRECT, state: 's', codeChallenge: 'c' }));
    expect(url.origin + url.pathname).toBe('https://login.mypurecloud.ie/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'x', response_type: 'code', redirect_uri: REDIRECT, state: 's', code_challenge: 'c', code_challenge_method: 'S256' });
    expect(new GenesysOAuthClient({ clientId: 'x', environment: 'eu-west-1' }).apiBaseUrl).toBe('https://api.mypurecloud.ie');
    expect(() => new GenesysOAuthClient({ clientId: 'x', environment: 'example.com' })).toThrow(/Unknown Genesys Cloud environment/);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBe(1000);
  });
});

describe('authorization code grant', () => {
  it('PKCE happy path: state bound to channel/admin, code exchanged with Basic and the verifier, scopes verified, tokens stored', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const { saved, bound } = await authorizeChannel('ch-happy', store);
    expect(bound).toMatchObject({ channelId: 'ch-happy', adminId: 'admin-1', redirectUri: REDIRECT });
    expect(saved.scopes).toEqual([...GATEWAY_OAUTH_SCOPES]);
    expect(saved.refreshToken).toBeTruthy();
    expect(saved.expiresAt).toBe(saved.obtainedAt + HOUR * 1000);
    expect(await store.getAccessToken('ch-happy', codeClient())).toBe(saved.accessToken);
    // A client with a secret is confidential: PKCE is added to its authentication, never instead of it.
    expect(emu.emulator.callsTo('/oauth/token', 'authorization_code')).toEqual([expect.objectContaining({ status: 200, clientId: CODE_CLIENT.id, clientAuth: 'basic', codeVerifier: true })]);
  });

  it('Basic-auth exchange without PKCE works too', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const { saved } = await authorizeChannel('ch-basic', store, { pkce: false });
    expect(saved.accessToken).toBeTruthy();
    expect(emu.emulator.callsTo('/oauth/token', 'authorization_code')).toEqual([expect.objectContaining({ status: 200, clientAuth: 'basic', codeVerifier: false })]);
  });

  it('a client configured without a secret is public: client_id + code_verifier for the code, client_id for the refresh', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const client = new GenesysOAuthClient({ clientId: PUBLIC_CLIENT.id, baseUrl, timeoutMs: 3000 });
    const { saved } = await authorizeChannel('ch-public', store, { client });
    expect(saved.refreshToken).toBeTruthy();
    clockOffset = HOUR * 1000 + 1000;
    expect(await store.getAccessToken('ch-public', client)).not.toBe(saved.accessToken);
    expect(emu.emulator.callsTo('/oauth/token').map((c) => [c.grantType, c.status, c.clientId, c.clientAuth, c.codeVerifier])).toEqual([
      ['authorization_code', 200, PUBLIC_CLIENT.id, 'client_id', true],
      ['refresh_token', 200, PUBLIC_CLIENT.id, 'client_id', false],
    ]);
    // Without PKCE a public client has nothing to exchange a code with; it says so before calling Genesys.
    await expect(client.exchangeCode({ code: 'any', redirectUri: REDIRECT })).rejects.toMatchObject({ code: 'invalid_client', message: expect.stringMatching(/without PKCE .* secret/) });
    expect(emu.emulator.callsTo('/oauth/token')).toHaveLength(2);
  });

  it('the public form (no Basic, only client_id + verifier) is refused for a client that has a secret', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    // The gateway's own client, but configured without its secret: its exchange carries no client authentication.
    const secretless = new GenesysOAuthClient({ clientId: CODE_CLIENT.id, baseUrl, timeoutMs: 3000 });
    const err = await authorizeChannel('ch-no-secret', store, { client: secretless }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysOAuthError);
    expect(err).toMatchObject({ code: 'invalid_client', details: { status: 401, oauthError: 'invalid_client' }, message: expect.stringMatching(/HTTP Basic/) });
    expect(emu.emulator.callsTo('/oauth/token', 'authorization_code')).toEqual([expect.objectContaining({ status: 401, clientAuth: 'client_id', codeVerifier: true })]);
    expect(await store.load('ch-no-secret')).toBeUndefined();
  });

  it('wrong redirect_uri: the login page refuses to redirect; a mismatched exchange says redirect_mismatch', async () => {
    const client = codeClient();
    const page = await browse(client.authorizeUrl({ redirectUri: 'http://evil.test/cb', state: 's'.repeat(43) }));
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.body).toMatch(/redirect_uri mismatch/);

    const back = await browse(client.authorizeUrl({ redirectUri: REDIRECT, state: 'x' }));
    const { code } = client.parseCallback(Object.fromEntries(back.location!.searchParams));
    const err = await client.exchangeCode({ code, redirectUri: 'http://gateway.test/other' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysOAuthError);
    expect((err as GenesysOAuthError).code).toBe('redirect_mismatch');
  });

  it('denied consent comes back as access_denied with the state', async () => {
    emu.emulator.setConsent('deny');
    const client = codeClient();
    const back = await browse(client.authorizeUrl({ redirectUri: REDIRECT, state: 'st' }));
    expect(back.status).toBe(302);
    expect(back.location!.searchParams.get('state')).toBe('st');
    let err: unknown;
    try {
      client.parseCallback(Object.fromEntries(back.location!.searchParams));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GenesysOAuthError);
    expect((err as GenesysOAuthError).code).toBe('access_denied');
    expect((err as GenesysOAuthError).reauthorizeRequired).toBe(true);
  });

  it('state is single use and expires', async () => {
    const states = new OAuthStateStore(redis, keys, box);
    const { state } = await states.create({ channelId: 'c', adminId: 'a', redirectUri: REDIRECT });
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    await expect(states.consume(state)).resolves.toMatchObject({ channelId: 'c' });
    await expect(states.consume(state)).rejects.toMatchObject({ code: 'unknown_or_expired' });

    const short = new OAuthStateStore(redis, keys, box, { ttlMs: 100 });
    const { state: s2 } = await short.create({ channelId: 'c', adminId: 'a', redirectUri: REDIRECT });
    await new Promise((r) => setTimeout(r, 250));
    const err = await short.consume(s2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthStateError);
    expect((err as OAuthStateError).code).toBe('unknown_or_expired');
    await expect(states.consume('../etc')).rejects.toMatchObject({ code: 'malformed' });
  });

  it('an authorization code is single use', async () => {
    const client = codeClient();
    const back = await browse(client.authorizeUrl({ redirectUri: REDIRECT, state: 'x' }));
    const { code } = client.parseCallback(Object.fromEntries(back.location!.searchParams));
    const first = await client.exchangeCode({ code, redirectUri: REDIRECT });
    await expect(client.exchangeCode({ code, redirectUri: REDIRECT })).rejects.toMatchObject({ code: 'invalid_grant' });
    // The replay revoked what the first exchange produced.
    await expect(client.verify(first.accessToken)).rejects.toMatchObject({ code: 'invalid_token' });
  });
});

describe('refresh', () => {
  it('refreshes before expiry with rotation; the expired token is refused by the API; nothing secret is logged', async () => {
    const lines: string[] = [];
    const logger = { info: (o: Record<string, unknown>, m: string) => lines.push(JSON.stringify({ ...o, m })), warn: (o: Record<string, unknown>, m: string) => lines.push(JSON.stringify({ ...o, m })) };
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now, logger });
    const { saved } = await authorizeChannel('ch-refresh', store);
    const client = codeClient({ logger, correlationId: 'corr-1' });
    clockOffset = HOUR * 1000 - 30_000; // inside the 60 s skew, not yet expired
    const fresh = await store.getAccessToken('ch-refresh', client);
    expect(fresh).not.toBe(saved.accessToken);
    const after = (await store.load('ch-refresh'))!;
    expect(after.refreshToken).toBeTruthy();
    expect(after.refreshToken).not.toBe(saved.refreshToken);
    clockOffset = HOUR * 1000 + 1000;
    await expect(client.verify(saved.accessToken)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(client.verify(fresh)).resolves.toMatchObject({ OAuthClient: { id: CODE_CLIENT.id } });
    expect(emu.emulator.callsTo('/oauth/token', 'refresh_token')).toEqual([expect.objectContaining({ status: 200, clientAuth: 'basic' })]);
    const log = lines.join('\n');
    expect(log).toContain('corr-1');
    for (const secret of [saved.accessToken, saved.refreshToken!, fresh, after.refreshToken!, CODE_CLIENT.secret]) expect(log).not.toContain(secret);
  });

  it('two processes refreshing at once: one refresh at Genesys, both get the new token', async () => {
    const a = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now, pollMs: 10 });
    const b = new GenesysTokenStore(new OAuthTokenRecords(redis2, keys, box), { now, pollMs: 10 });
    const { saved } = await authorizeChannel('ch-race', a);
    emu.emulator.clearCalls();
    clockOffset = HOUR * 1000 + 1000;
    const [ta, tb] = await Promise.all([a.getAccessToken('ch-race', codeClient()), b.getAccessToken('ch-race', codeClient())]);
    expect(ta).toBe(tb);
    expect(ta).not.toBe(saved.accessToken);
    expect(emu.emulator.callsTo('/oauth/token', 'refresh_token')).toHaveLength(1);
    expect(await redis.exists(keys.oauthRefreshLock('ch-race'))).toBe(0);
  });

  it('a reused old refresh token revokes the family; the store then says re-authorize', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const { saved, client } = await authorizeChannel('ch-reuse', store);
    clockOffset = HOUR * 1000 + 1000;
    await store.getAccessToken('ch-reuse', client); // rotates: saved.refreshToken is now spent
    const replay = await client.refresh(saved.refreshToken!).catch((e: unknown) => e);
    expect(replay).toMatchObject({ code: 'invalid_grant', reauthorizeRequired: true });

    clockOffset = 2 * HOUR * 1000 + 2000;
    const err = await store.getAccessToken('ch-reuse', client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReauthorizationRequiredError);
    expect((err as Error).message).toMatch(/re-authorized/);
    expect(await store.status('ch-reuse')).toMatchObject({ status: 'reauthorize_needed' });
    expect(await store.load('ch-reuse')).toBeUndefined();
    await expect(store.getAccessToken('ch-reuse', client)).rejects.toBeInstanceOf(ReauthorizationRequiredError);
  });
});

describe('tokens belong to the client and hosts that obtained them', () => {
  it('another client id or another host never gets them, and nothing is sent to it; a record from before bindings is still used', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const { saved } = await authorizeChannel('ch-bound', store);
    expect(await store.getAccessToken('ch-bound', codeClient())).toBe(saved.accessToken);
    emu.emulator.clearCalls();
    for (const other of [codeClient({ clientId: 'another-client' }), codeClient({ baseUrl: baseUrl.replace('127.0.0.1', 'localhost') })]) {
      await expect(store.getAccessToken('ch-bound', other)).rejects.toBeInstanceOf(ReauthorizationRequiredError);
      await expect(store.getAccessToken('ch-bound', other)).rejects.toThrow(/OAuth client or Genesys region changed/);
      await expect(store.refreshAfterUnauthorized('ch-bound', other, saved.accessToken)).rejects.toBeInstanceOf(ReauthorizationRequiredError);
      expect(await store.loadFor('ch-bound', other)).toBeUndefined();
    }
    // Not even a refresh went out with the old refresh token.
    expect(emu.emulator.callsTo('/oauth/token')).toEqual([]);
    expect((await store.loadFor('ch-bound', codeClient()))!.accessToken).toBe(saved.accessToken);

    const { binding: _, ...legacy } = (await store.load('ch-bound'))!;
    await redis.set(keys.oauthTokens('ch-bound'), box.seal(JSON.stringify(legacy), 'oauth:ch-bound:tokens'));
    expect(await store.getAccessToken('ch-bound', codeClient())).toBe(saved.accessToken);
  });
});

describe('client credentials', () => {
  it('gets and renews a token with Basic auth; a client without the grant is refused', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const client = new GenesysOAuthClient({ clientId: CC_CLIENT.id, clientSecret: CC_CLIENT.secret, baseUrl });
    const saved = await store.connectClientCredentials('ch-cc', client);
    expect(saved.refreshToken).toBeUndefined();
    await expect(client.verify(saved.accessToken)).resolves.toMatchObject({ authorizedScope: [] });
    clockOffset = HOUR * 1000 + 1000;
    const renewed = await store.getAccessToken('ch-cc', client);
    expect(renewed).not.toBe(saved.accessToken);
    expect(emu.emulator.callsTo('/oauth/token', 'client_credentials')).toHaveLength(2);

    await expect(codeClient().clientCredentials()).rejects.toMatchObject({ code: 'unauthorized_client' });
    await expect(new GenesysOAuthClient({ clientId: CC_CLIENT.id, clientSecret: 'wrong', baseUrl }).clientCredentials()).rejects.toMatchObject({ code: 'invalid_client' });
  });
});

describe('at rest', () => {
  it('Redis holds only ciphertext: no token, refresh token or verifier appears in any of our keys', async () => {
    const store = new GenesysTokenStore(new OAuthTokenRecords(redis, keys, box), { now });
    const { saved } = await authorizeChannel('ch-sealed', store);
    const states = new OAuthStateStore(redis, keys, box);
    const pkce = createPkcePair();
    await states.create({ channelId: 'ch-sealed', adminId: 'a', redirectUri: REDIRECT, codeVerifier: pkce.codeVerifier });
    const secrets = [saved.accessToken, saved.refreshToken!, pkce.codeVerifier];
    let scanned = 0;
    let hits = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const k of found) {
        if ((await redis.type(k)) !== 'string') continue;
        const v = (await redis.get(k)) ?? '';
        scanned++;
        hits += secrets.filter((s) => v.includes(s)).length;
      }
    } while (cursor !== '0');
    expect(scanned).toBeGreaterThan(1);
    expect(hits).toBe(0);
    // And the sealed record does not open under another channel's context.
    const sealed = (await redis.get(keys.oauthTokens('ch-sealed')))!;
    expect(() => box.open(sealed, 'oauth:other:tokens')).toThrow();
  });
});

describe('429', () => {
  it('honours Retry-After once, then gives up with rate_limited', async () => {
    const client = new GenesysOAuthClient({ clientId: CC_CLIENT.id, clientSecret: CC_CLIENT.secret, baseUrl });
    emu.emulator.rateLimitNext(1, 1, '/oauth/token');
    const started = Date.now();
    await expect(client.clientCredentials()).resolves.toMatchObject({ tokenType: 'bearer' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emu.emulator.callsTo('/oauth/token').map((c) => c.status)).toEqual([429, 200]);

    emu.emulator.rateLimitNext(2, 1, '/oauth/token');
    await expect(client.clientCredentials()).rejects.toMatchObject({ code: 'rate_limited', details: { status: 429, retryAfterMs: 1000 } });
  });
});
