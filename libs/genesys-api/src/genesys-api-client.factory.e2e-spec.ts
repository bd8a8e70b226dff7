import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { parseChannel, type Channel } from '@app/channels';
import { GenesysTokenStore, ReauthorizationRequiredError } from '@app/genesys-oauth';
import { RedisKeys, StoreModule } from '@app/store';
import { RedisModule } from '@app/redis';
import { SecretBox } from '@app/secrets';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../../../test/support/redis-test-prefix.js';
import { GenesysApiClientFactory, GenesysApiModule, GenesysNotConnectedError, botListDrift, buildBotList } from './index.js';

/**
 * The module as an app imports it (real Redis under its own prefix, real HTTP): a
 * client-credentials channel gets its token from a tiny token server, the token is kept sealed,
 * and a 401 renews it through the shared token store.
 */

const CLIENT_ID = 'cc-client';
const CLIENT_SECRET = 'cc-client-secret-0123456789';

let server: http.Server;
let base: string;
let issued: string[] = [];
let valid = new Set<string>();
let botLists = new Map<string, string>();
let apiCalls: string[] = [];

let moduleRef: TestingModule;
let factory: GenesysApiClientFactory;
let store: GenesysTokenStore;
let redis: Redis;
const prefix = testPrefix('gapi');
const keys = new RedisKeys(prefix);
const box = SecretBox.fromEnv('b'.repeat(64));

function tinyGenesys(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
  const send = (status: number, data?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(data === undefined ? '' : JSON.stringify(data));
  };
  if (req.method === 'POST' && req.url === '/oauth/token') {
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== basic) return send(401, { error: 'invalid_client' });
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type' });
    const token = `cc-token-${issued.length + 1}-${'z'.repeat(24)}`;
    issued.push(token);
    valid.add(token);
    return send(200, { access_token: token, token_type: 'bearer', expires_in: 86399 });
  }
  const m = /^\/api\/v2\/integrations\/botconnector\/([^/]+)\/bots$/.exec(req.url ?? '');
  apiCalls.push(`${req.method} ${req.url}`);
  if (!valid.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) return send(401, { code: 'bad.credentials', message: 'Invalid login credentials.' });
  if (m && req.method === 'PUT') {
    botLists.set(m[1]!, body);
    return send(204);
  }
  if (m && req.method === 'GET') return botLists.has(m[1]!) ? send(200, JSON.parse(botLists.get(m[1]!)!)) : send(404, { code: 'not.found' });
  send(404, { code: 'not.found' });
}

function channel(id: string, oauth?: Record<string, unknown>): Channel {
  return parseChannel({
    id,
    genesys: { environment: 'mypurecloud.com', integrationId: 'int-1', ...(oauth ? { oauth } : {}) },
    app: { clientId: 'app', clientSecrets: ['an-app-secret-that-is-long-enough-0123'] },
    bots: [{ id: 'bot-1', name: 'Bot', versions: ['1.0'], languages: ['en-us'], provider: { name: 'demo' } }],
  });
}
const ccChannel = (id: string) => channel(id, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grant: 'client_credentials' });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => tinyGenesys(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redis = new Redis(TEST_REDIS_URL);
  moduleRef = await Test.createTestingModule({
    imports: [
      RedisModule.forRoot({ url: TEST_REDIS_URL, name: 'genesys-api-test' }),
      StoreModule.forRoot({ prefix, secretBox: box, turnRetentionMs: 60_000, transcriptRetentionMs: 60_000, transcriptMaxEntries: 500, notificationRetentionMs: 60_000 }),
      GenesysApiModule.register({ secretBox: box, baseUrlOverride: base, backoffBaseMs: 10, allowLocalEmulator: true })],
  }).compile();
  await moduleRef.init();
  factory = moduleRef.get(GenesysApiClientFactory);
  store = moduleRef.get(GenesysTokenStore);
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await moduleRef.close();
  await redis.quit();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  issued = [];
  valid = new Set();
  botLists = new Map();
  apiCalls = [];
});

describe('GenesysApiModule / GenesysApiClientFactory', () => {
  it('a client-credentials channel connects on first use, keeps its token sealed, and publishes its bot list', async () => {
    const ch = ccChannel('cc-1');
    const client = factory.forChannel(ch, { correlationId: 'job-1' });
    expect(client.apiBaseUrl).toBe(base);
    const list = buildBotList(ch);
    await Promise.all([client.putBotList('int-1', list), factory.forChannel(ch).getBotList('int-1').catch(() => undefined)]);
    // Two concurrent first calls, one token request.
    expect(issued).toHaveLength(1);
    const raw = await redis.get(keys.oauthTokens('cc-1'));
    expect(raw).toBeTruthy();
    expect(raw).not.toContain(issued[0]);
    expect((await store.load('cc-1'))?.accessToken).toBe(issued[0]);
    const published = await client.getBotList('int-1');
    expect(botListDrift(list, published).inSync).toBe(true);
  });

  it('a 401 renews the token through the shared store and retries once', async () => {
    const ch = ccChannel('cc-2');
    await factory.forChannel(ch).putBotList('int-1', buildBotList(ch));
    expect(issued).toHaveLength(1);
    valid.clear(); // Genesys revoked the token before it expired.
    apiCalls = [];
    await expect(factory.forChannel(ch).getBotList('int-1')).resolves.toEqual(buildBotList(ch));
    expect(issued).toHaveLength(2);
    expect(apiCalls).toEqual(['GET /api/v2/integrations/botconnector/int-1/bots', 'GET /api/v2/integrations/botconnector/int-1/bots']);
    expect((await store.load('cc-2'))?.accessToken).toBe(issued[1]);
  });

  it('a channel without genesys.oauth cannot get a client', () => {
    expect(() => factory.forChannel(channel('no-oauth'))).toThrow(GenesysNotConnectedError);
  });

  it('an authorization-code channel never authorized needs an admin, and nothing is requested', async () => {
    const ch = channel('code-1', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grant: 'authorization_code' });
    await expect(factory.forChannel(ch).getBotList('int-1')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(issued).toHaveLength(0);
    expect(apiCalls).toHaveLength(0);
  });

  it('a channel baseUrl wins over the global override; without either the region decides', () => {
    const own = ccChannel('own');
    own.genesys.oauth!.baseUrl = 'http://127.0.0.1:9';
    expect(factory.forChannel(own).apiBaseUrl).toBe('http://127.0.0.1:9');
    const plain = new GenesysApiClientFactory(store);
    expect(plain.forChannel(ccChannel('plain')).apiBaseUrl).toBe('https://api.mypurecloud.com');
    expect(plain.oauthClientFor(ccChannel('plain')).loginBaseUrl).toBe('https://login.mypurecloud.com');
  });

  it('sends the client secret and tokens over plain http only where development settings are allowed, and never to a non-loopback http host', () => {
    const local = ccChannel('local');
    local.genesys.oauth!.baseUrl = 'http://127.0.0.1:9';
    // The default is production's: no plain http at all.
    const strict = new GenesysApiClientFactory(store);
    expect(() => strict.oauthClientFor(local)).toThrow(GenesysNotConnectedError);
    expect(() => strict.forChannel(local)).toThrow(/plain-http genesys\.oauth\.baseUrl \(the local emulator\), a development-only setting/);
    const remote = ccChannel('remote');
    remote.genesys.oauth!.baseUrl = 'http://login.example.com';
    expect(() => factory.oauthClientFor(remote)).toThrow(/unusable genesys\.oauth\.baseUrl: it must be an https URL/);
    const secure = ccChannel('secure');
    secure.genesys.oauth!.baseUrl = 'https://login.example.com';
    expect(strict.oauthClientFor(secure).loginBaseUrl).toBe('https://login.example.com');
  });

  it('a client-credentials channel marked "re-authorize needed" waits for an admin', async () => {
    await store.markReauthorizeNeeded('cc-marked', 'the OAuth client was deleted');
    const err = await factory.forChannel(ccChannel('cc-marked')).getBotList('int-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReauthorizationRequiredError);
    expect((err as ReauthorizationRequiredError).reason).toBe('the OAuth client was deleted');
    expect(issued).toHaveLength(0);
  });

  it('auto-connect can be turned off', async () => {
    const strict = new GenesysApiClientFactory(store, { baseUrlOverride: base, autoConnectClientCredentials: false });
    await expect(strict.forChannel(ccChannel('cc-off')).getBotList('int-1')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(issued).toHaveLength(0);
  });
});
