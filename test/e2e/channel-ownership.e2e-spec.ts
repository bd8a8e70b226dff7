import { Redis } from 'ioredis';
import { ChannelRepository, parseChannel } from '@app/channels';
import { ChannelRecords, RedisKeys } from '@app/store';
import { SecretBox } from '@app/secrets';
import { GatewayHarness, freePort, newSessionBody, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * Who owns a channel's settings, and what may serve Genesys. A channel from CHANNELS_FILE is
 * changed in the file only (the API refuses, so a restart never undoes an admin's revoke); a
 * channel made with the API keeps every change across restarts; an enabled channel never serves a
 * development-only secret where those are not allowed. Real processes, restarts, real Redis.
 */
async function api(gw: GatewayHarness, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${gw.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function restartIngress(gw: GatewayHarness, env: Record<string, string> = {}): Promise<void> {
  for (const p of gw.procs.filter((p) => p.kind === 'ingress')) await gw.kill(p, 'SIGTERM');
  await gw.startIngress(env);
}

const DBC = { secretHeader: 'X-Conn', secret: 'file-dbc-secret-0123456789abcdefghijklmnopqrstuv', inlineWindowMs: 800 };

describe('channels from CHANNELS_FILE are changed in the file, API channels keep their changes', () => {
  const file = testChannel('own-file', { genesys: { environment: 'mypurecloud.ie', digitalBotConnector: DBC } });
  const gone = testChannel('own-gone');
  const gw = new GatewayHarness('owner', [file, gone]);

  beforeAll(async () => {
    await gw.startIngress();
    await gw.startWorker();
  }, 60_000);
  afterAll(() => gw.stop());

  it('refuses every change to a file channel with 409 managed_by_file, and changes nothing', async () => {
    const before = (await api(gw, 'GET', '/api/channels/own-file')).body;
    expect(before.source).toBe('file');
    const [fingerprint] = before.app.secrets.map((s: { fingerprint: string }) => s.fingerprint);
    const attempts: [string, string, unknown?][] = [
      ['POST', '/api/channels/own-file/app/secrets'],
      ['DELETE', `/api/channels/own-file/app/secrets/${fingerprint}`],
      ['POST', '/api/channels/own-file/dbc/secret', {}],
      ['POST', '/api/channels/own-file/disable'],
      ['POST', '/api/channels/own-file/enable'],
      ['PATCH', '/api/channels/own-file', { enabled: false }],
      ['PATCH', '/api/channels/own-file', { name: 'Renamed' }],
      ['DELETE', '/api/channels/own-file'],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(gw, method, path, body);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 409, 'managed_by_file']);
      expect(res.body.error.message).toMatch(/defined in the channels file \(CHANNELS_FILE=\S+channels\.json\): change it there and restart/);
    }
    expect((await api(gw, 'GET', '/api/channels/own-file')).body).toEqual(before);
    expect((await gw.turn(file, newSessionBody('hi'))).status).toBe(200);
    // The setup checklist sends the admin to the file, not to buttons that would be refused.
    const steps = Object.fromEntries((await api(gw, 'GET', '/api/channels/own-gone/status')).body.steps.map((st: { id: string; next: string | null }) => [st.id, st.next]));
    expect(steps.oauth).toMatch(/put its id and secret into genesys\.oauth in the channels file/);
    expect(steps.bots).toMatch(/^Set genesys\.integrationId in the channels file/);
    const doctor = Object.fromEntries((await api(gw, 'POST', '/api/channels/own-gone/doctor')).body.checks.map((c: { id: string; fix?: string }) => [c.id, c.fix]));
    expect(doctor.oauth).toMatch(/put its id and secret into genesys\.oauth in the channels file/);
    expect(doctor.bots).toMatch(/^set genesys\.integrationId in the channels file/);
  });

  it('keeps an API channel\'s credential changes across a restart: the revoked secret stays revoked, the new one works', async () => {
    expect((await api(gw, 'POST', '/api/channels', { id: 'own-api', environment: 'mypurecloud.ie' })).status).toBe(201);
    const first = (await api(gw, 'POST', '/api/channels/own-api/app/secrets')).body;
    const second = (await api(gw, 'POST', '/api/channels/own-api/app/secrets')).body;
    expect((await api(gw, 'POST', '/api/channels/own-api/enable')).status).toBe(200);
    expect((await api(gw, 'DELETE', `/api/channels/own-api/app/secrets/${first.fingerprint}`)).status).toBe(200);
    const dbc = (await api(gw, 'POST', '/api/channels/own-api/dbc/secret', {})).body;

    await restartIngress(gw);

    const asApi: TestChannel = { id: 'own-api', clientId: 'own-api-app', secret: second.clientSecret, raw: {} };
    const body = newSessionBody('hi', { botId: 'demo-bot', chatBot: undefined });
    expect((await gw.turn(asApi, body, { auth: second.credential.value })).status).toBe(200);
    expect((await gw.turn(asApi, body, { auth: first.credential.value })).status).toBe(403);
    const view = (await api(gw, 'GET', '/api/channels/own-api')).body;
    expect(view).toMatchObject({ enabled: true, source: 'api', app: { secrets: [{ fingerprint: second.fingerprint }] } });
    const v2 = await fetch(`${gw.baseUrl}/genesys/own-api/dbc/bots`, { headers: { [dbc.secretHeader]: dbc.secret } });
    expect(v2.status).toBe(200);
  });

  it('serializes concurrent changes of one channel: parallel secret creations and revocations never write over each other', async () => {
    expect((await api(gw, 'POST', '/api/channels', { id: 'own-race', environment: 'mypurecloud.ie' })).status).toBe(201);
    const created = await Promise.all(Array.from({ length: 8 }, () => api(gw, 'POST', '/api/channels/own-race/app/secrets')));
    const made = created.filter((r) => r.status === 201).map((r) => r.body.fingerprint as string);
    // At most 5 secrets: exactly 5 creations succeed and every one of them is kept.
    expect(made).toHaveLength(5);
    expect(created.filter((r) => r.status === 409)).toHaveLength(3);
    expect((await api(gw, 'GET', '/api/channels/own-race')).body.app.secrets.map((x: { fingerprint: string }) => x.fingerprint).sort()).toEqual([...made].sort());
    // Revoking four at once while creating one: the revoked stay revoked.
    const [revoked, fresh] = await Promise.all([Promise.all(made.slice(0, 4).map((f) => api(gw, 'DELETE', `/api/channels/own-race/app/secrets/${f}`))), api(gw, 'POST', '/api/channels/own-race/app/secrets')]);
    expect(revoked.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const left = (await api(gw, 'GET', '/api/channels/own-race')).body.app.secrets.map((x: { fingerprint: string }) => x.fingerprint).sort();
    expect(left).toEqual([made[4]!, ...(fresh.status === 201 ? [fresh.body.fingerprint as string] : [])].sort());
  });

  it('a restart keeps the file\'s credentials, and drops a file channel the file no longer defines', async () => {
    gw.writeChannels([file]);
    await restartIngress(gw);
    expect((await gw.turn(file, newSessionBody('hi'))).status).toBe(200);
    const v2 = await fetch(`${gw.baseUrl}/genesys/own-file/dbc/bots`, { headers: { 'x-conn': DBC.secret } });
    expect(v2.status).toBe(200);
    expect((await api(gw, 'GET', '/api/channels/own-gone')).status).toBe(404);
    expect((await gw.turn(gone, newSessionBody('hi'))).status).toBe(403);
    // API channels are not the file's business.
    expect((await api(gw, 'GET', '/api/channels/own-api')).status).toBe(200);
  });

  it('only the ingress removes channels: a worker started with an older file (a scale-out mid-rollout) deletes nothing', async () => {
    gw.writeChannels([]);
    await gw.startWorker();
    expect((await api(gw, 'GET', '/api/channels/own-file')).status).toBe(200);
    expect((await gw.turn(file, newSessionBody('hi'))).status).toBe(200);
  });

  it('says so when the file takes over a channel created with the API', async () => {
    const takeover = testChannel('own-api');
    gw.writeChannels([file, takeover]);
    await restartIngress(gw);
    expect((await api(gw, 'GET', '/api/channels/own-api')).body).toMatchObject({ source: 'file', app: { clientId: takeover.clientId } });
    expect(processOutput(gw)).toMatch(/"channelId":"own-api".*CHANNELS_FILE defines a channel that was created with the admin API/);
  });
});

describe('development-only settings never serve Genesys in production', () => {
  const DEV_APP_SECRET = 'DEV-ONLY-demo-secret-0123456789abcdefghijklmnopqrstuv';
  const devFile = testChannel('own-dev', {
    app: { clientId: 'own-dev-app', clientSecrets: [DEV_APP_SECRET] },
    genesys: { environment: 'mypurecloud.ie', digitalBotConnector: { secret: 'DEV-ONLY-demo-dbc-secret-0123456789abcdef' } },
  });
  devFile.secret = DEV_APP_SECRET;
  devFile.clientId = 'own-dev-app';
  const gw = new GatewayHarness('ownprod', [devFile], { NODE_ENV: 'production', ALLOW_DEV_SECRETS: 'false' });

  beforeAll(async () => {
    gw.port = await freePort();
    await gw.startIngress({ PUBLIC_BASE_URL: gw.baseUrl });
    await gw.startWorker();
  }, 60_000);
  afterAll(() => gw.stop());

  /** The gateway's own channel store, on its Redis prefix and with its SECRETS_KEY. */
  async function withRepository<T>(fn: (repo: ChannelRepository) => Promise<T>): Promise<T> {
    const redis = new Redis(gw.redisUrl);
    try {
      return await fn(new ChannelRepository(new ChannelRecords(redis, new RedisKeys(gw.prefix)), SecretBox.fromEnv(gw.secretsKey)));
    } finally {
      redis.disconnect();
    }
  }

  /** The channel as the gateway stored it, secrets opened: what the API never shows. */
  const storedChannel = async (id: string) => (await withRepository((repo) => repo.get(id)))!;

  /** Writes a channel the way a development process or an older version could have. */
  const writeChannel = (raw: Record<string, unknown>) => withRepository((repo) => repo.upsert(parseChannel(raw)));

  it('stores a file channel with DEV-ONLY secrets disabled and refuses its public credential', async () => {
    expect((await api(gw, 'GET', '/api/channels/own-dev')).body).toMatchObject({ enabled: false, source: 'file' });
    const enabledStep = (await api(gw, 'GET', '/api/channels/own-dev/status')).body.steps.find((st: { id: string }) => st.id === 'enabled');
    expect(enabledStep.next).toBe('Replace the development-only settings in the channels file (CHANNELS_FILE) (app.clientSecrets[0], genesys.digitalBotConnector.secret), then set enabled: true there and restart the gateway');
    expect((await gw.turn(devFile, newSessionBody('hi'))).status).toBe(403);
    expect((await fetch(`${gw.baseUrl}/genesys/own-dev/dbc/bots`, { headers: { 'x-connection-secret': 'DEV-ONLY-demo-dbc-secret-0123456789abcdef' } })).status).toBe(403);
    // The reproduction: a new secret, then enable; both are the file's business now.
    expect((await api(gw, 'POST', '/api/channels/own-dev/app/secrets')).status).toBe(409);
    expect((await api(gw, 'POST', '/api/channels/own-dev/enable')).status).toBe(409);
    expect((await gw.turn(devFile, newSessionBody('hi'))).status).toBe(403);
  });

  it('refuses development-only settings through the API, stored or enabled, by any route, naming the field', async () => {
    expect((await api(gw, 'POST', '/api/channels', { id: 'own-prod', environment: 'mypurecloud.ie' })).status).toBe(201);
    const secret = (await api(gw, 'POST', '/api/channels/own-prod/app/secrets')).body;
    // Not even while disabled: authorize and connect send the client secret whatever the channel's state.
    const oauth = { clientId: 'oc-1', clientSecret: 'a-real-oauth-client-secret-42', grant: 'client_credentials' };
    for (const [field, bad] of [
      ['genesys.oauth.clientSecret', { ...oauth, clientSecret: 'DEV-ONLY-emulator-client-secret' }],
      ['genesys.oauth.baseUrl', { ...oauth, baseUrl: 'http://127.0.0.1:9555' }],
    ] as const) {
      const res = await api(gw, 'PATCH', '/api/channels/own-prod', { genesys: { oauth: bad } });
      expect([field, res.status, res.body.error.details]).toEqual([field, 400, [field]]);
      expect(res.body.error.message).toMatch(/development-only settings .* are not allowed here/);
    }
    expect((await api(gw, 'GET', '/api/channels/own-prod')).body.genesys.oauth).toBeNull();
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { genesys: { oauth } })).status).toBe(200);
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { genesys: { oauth: { baseUrl: 'https://login.example.com', clientSecret: oauth.clientSecret } } })).status).toBe(200);
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { genesys: { oauth: { baseUrl: null, clientSecret: oauth.clientSecret } } })).status).toBe(200);
    const enabled = await api(gw, 'POST', '/api/channels/own-prod/enable');
    expect(enabled.status).toBe(200);
    const asApi: TestChannel = { id: 'own-prod', clientId: 'own-prod-app', secret: secret.clientSecret, raw: {} };
    expect((await gw.turn(asApi, newSessionBody('hi', { botId: 'demo-bot', chatBot: undefined }), { auth: secret.credential.value })).status).toBe(200);
  });

  it('refuses to enable a channel that already carries a development-only setting (written by a development process or an older version)', async () => {
    const raw = testChannel('own-devapi', { enabled: false, genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'oc-2', clientSecret: 'DEV-ONLY-emulator-client-secret', grant: 'client_credentials', baseUrl: 'http://127.0.0.1:9555' } } }).raw;
    await writeChannel({ ...raw, source: 'api' });
    for (const [method, path, body] of [
      ['POST', '/api/channels/own-devapi/enable', undefined],
      ['PATCH', '/api/channels/own-devapi', { enabled: true }],
      ['PATCH', '/api/channels/own-devapi', { enabled: true, name: 'Sneaky' }],
    ] as const) {
      const res = await api(gw, method, path, body);
      expect([method, res.status]).toEqual([method, 409]);
      expect(res.body.error.message).toMatch(/genesys\.oauth\.clientSecret, genesys\.oauth\.baseUrl are development-only settings/);
      expect(res.body.error.details).toEqual(['genesys.oauth.clientSecret', 'genesys.oauth.baseUrl']);
    }
    expect((await api(gw, 'GET', '/api/channels/own-devapi')).body).toMatchObject({ enabled: false, name: 'Test own-devapi' });
    // Nor is the plain-http host used to send the client secret: connect is refused before any call.
    const connect = await api(gw, 'POST', '/api/channels/own-devapi/oauth/connect');
    expect(connect.status).toBe(409);
    expect(connect.body.error.message).toMatch(/plain-http genesys\.oauth\.baseUrl \(the local emulator\), a development-only setting not allowed here/);
    const status = await api(gw, 'GET', '/api/channels/own-devapi/oauth/status');
    expect(status.body).toMatchObject({ configured: true, connected: false });
  });

  it('drops the OAuth client secret and a bot backend\'s headers when their host changes, unless given again', async () => {
    const bot = { id: 'demo-bot', name: 'Demo Bot', versions: ['1.0'], languages: ['en-us'] };
    const headers = { authorization: 'Bearer backend-a-credential' };
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { bots: [{ ...bot, provider: { name: 'http', config: { url: 'https://bot-a.example.com/turn', headers } } }] })).status).toBe(200);
    // The view hides provider config: a patch that keeps the URL keeps the headers...
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { bots: [{ ...bot, provider: { name: 'http', url: 'https://bot-a.example.com/turn', timeoutMs: 3000 } }] })).status).toBe(200);
    expect((await storedChannel('own-prod')).bots[0]!.provider.config).toEqual({ url: 'https://bot-a.example.com/turn', headers });
    // ...one that moves it to another backend drops them, and says so in the audit log.
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { bots: [{ ...bot, provider: { name: 'http', url: 'https://bot-b.example.com/turn' } }] })).status).toBe(200);
    expect((await storedChannel('own-prod')).bots[0]!.provider.config).toEqual({ url: 'https://bot-b.example.com/turn' });
    const audit = (await api(gw, 'GET', '/api/audit?limit=5')).body.entities.find((e: { action: string }) => e.action === 'channel.update');
    expect(audit.details.credentialsDropped).toEqual(['bots[0].provider.config.headers']);
    // Given again in the same request, they are kept.
    const again = { url: 'https://bot-c.example.com/turn', headers: { authorization: 'Bearer backend-c-credential' } };
    expect((await api(gw, 'PATCH', '/api/channels/own-prod', { bots: [{ ...bot, provider: { name: 'http', config: again } }] })).status).toBe(200);
    expect((await storedChannel('own-prod')).bots[0]!.provider.config).toEqual(again);

    const moved = await api(gw, 'PATCH', '/api/channels/own-prod', { genesys: { environment: 'mypurecloud.de' } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.details).toEqual([expect.stringMatching(/^genesys\.oauth\.clientSecret: required when/)]);
    expect((await api(gw, 'GET', '/api/channels/own-prod')).body.genesys.environment).toBe('mypurecloud.ie');
    const withSecret = await api(gw, 'PATCH', '/api/channels/own-prod', { genesys: { environment: 'mypurecloud.de', oauth: { clientSecret: 'the-de-org-client-secret-42' } } });
    expect(withSecret.status).toBe(200);
    expect(withSecret.body.genesys.environment).toBe('mypurecloud.de');
  });

  it('never verifies a DEV-ONLY secret, even one an older version left enabled in Redis', async () => {
    await writeChannel({ ...devFile.raw, id: 'own-legacy', source: 'api', enabled: true });
    const legacy: TestChannel = { ...devFile, id: 'own-legacy' };
    // Enabled, with the credential right: the only reason left to refuse is the public secret.
    expect((await api(gw, 'GET', '/api/channels/own-legacy')).body).toMatchObject({ enabled: true, source: 'api' });
    expect((await gw.turn(legacy, newSessionBody('hi'))).status).toBe(403);
    const v2 = await fetch(`${gw.baseUrl}/genesys/own-legacy/dbc/bots`, { headers: { 'x-connection-secret': 'DEV-ONLY-demo-dbc-secret-0123456789abcdef' } });
    expect(v2.status).toBe(403);
    // The doctor judges the credential as the webhook does.
    const app = (await api(gw, 'POST', '/api/channels/own-legacy/doctor')).body.checks.find((c: { id: string }) => c.id === 'app');
    expect(app).toMatchObject({ ok: false, detail: expect.stringMatching(/DEV-ONLY secret, which the webhook refuses here/) });
  });
});
