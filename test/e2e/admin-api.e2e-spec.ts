import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { RedisKeys } from '@app/store';
import { GatewayHarness, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * The admin API through the real ingress: users and API keys made with the real CLI, console
 * sessions with CSRF, login throttling under parallel bursts, sessions ended by credential changes,
 * the `__Host-` cookie over https, channel administration with shown-once secrets and rotation, the
 * audit log, and the OpenAPI document. Real Redis, real HTTP.
 */
const CLI = join(resolve(process.cwd()), 'dist/apps/ingress/apps/ingress/src/cli/admin-cli.js');
const PASSWORD = 'correct horse battery staple';

let gw: GatewayHarness;
let fileChannel: TestChannel;
let apiKey: string;

function cli(args: string[], input?: string, harness: GatewayHarness = gw): { code: number; out: string; err: string } {
  const env = harness.env();
  const r = spawnSync(process.execPath, [CLI, ...args], { env, input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** `from` is the client address the (trusted, TRUST_PROXY_HOPS=1) proxy reports. */
async function call(method: string, path: string, opts: { body?: unknown; bearer?: string; cookie?: string; csrf?: string; raw?: string; from?: string; harness?: GatewayHarness } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  if (opts.from) headers['x-forwarded-for'] = opts.from;
  const res = await fetch(`${(opts.harness ?? gw).baseUrl}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)), redirect: 'manual' });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

async function login(username = 'alice', password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const res = await call('POST', '/api/auth/login', { body: { username, password } });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie')!;
  expect(setCookie).toMatch(/^gbg_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  return { cookie: setCookie.split(';')[0]!, csrf: res.body.csrfToken };
}

const keys = () => new RedisKeys(gw.prefix);
const sessionKeyOf = (cookie: string) => keys().adminSession(createHash('sha256').update(cookie.split('=')[1]!).digest('hex'));

/** How many answers had each status, e.g. `{ 401: 10, 429: 30 }`. */
function tally(answers: Answer[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}

/** The value of a Prometheus sample from the ingress's /metrics, 0 when absent. */
async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  fileChannel = testChannel('adm-file');
  // One trusted proxy hop, so each test can act as its own client address (X-Forwarded-For).
  gw = new GatewayHarness('admin', [fileChannel], { TRUST_PROXY_HOPS: '1' });
  await gw.startIngress();
  await gw.startWorker();
  expect(cli(['create-user', 'alice', '--password-stdin'], `${PASSWORD}\n`)).toMatchObject({ code: 0 });
  const key = cli(['create-api-key', 'e2e script']);
  expect(key.code).toBe(0);
  apiKey = /gbgk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/.exec(key.out)![0];
}, 60_000);

afterAll(async () => {
  await gw?.stop();
});

describe('admin CLI', () => {
  it('refuses a short password and an existing user, and lists users without hashes', () => {
    expect(cli(['create-user', 'bob', '--password-stdin'], 'short\n')).toMatchObject({ code: 1, err: expect.stringMatching(/at least 12 characters/) });
    expect(cli(['create-user', 'alice', '--password-stdin'], `${PASSWORD}\n`)).toMatchObject({ code: 1, err: expect.stringMatching(/already exists/) });
    const list = cli(['list-users']);
    expect(list.out).toMatch(/^alice\t/m);
    expect(list.out).not.toMatch(/scrypt/);
  });
});

describe('authentication everywhere under /api and /console', () => {
  const routes: [string, string][] = [
    ['GET', '/api/channels'],
    ['POST', '/api/channels'],
    ['GET', `/api/channels/adm-file`],
    ['PATCH', `/api/channels/adm-file`],
    ['DELETE', `/api/channels/adm-file`],
    ['POST', `/api/channels/adm-file/app/secrets`],
    ['GET', `/api/channels/adm-file/status`],
    ['POST', `/api/channels/adm-file/doctor`],
    ['POST', `/api/channels/adm-file/test-turn`],
    ['GET', '/api/conversations'],
    ['GET', '/api/audit'],
    ['GET', '/api/dashboard'],
    ['GET', '/api/auth/me'],
    ['POST', '/api/auth/logout'],
    ['GET', '/api/docs-json'],
    ['GET', '/api/docs'],
    ['GET', `/api/channels/adm-file/oauth/status`],
    ['POST', `/api/channels/adm-file/publish`],
    ['POST', `/api/channels/adm-file/notifications`],
  ];

  it.each(routes)('%s %s answers 401 without credentials, and with a wrong key', async (method, path) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    expect((await call(method, path, { body })).status).toBe(401);
    expect((await call(method, path, { body, bearer: 'gbgk_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
    expect((await call(method, path, { body, cookie: 'gbg_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
  });

  it('sends a browser without a session from console pages to the login page, which itself is open', async () => {
    const page = await call('GET', '/console/channels/adm-file');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/console/login?next=${encodeURIComponent('/console/channels/adm-file')}`);
    const loginPage = await call('GET', '/console/login');
    // npm test builds the console first, so the pages are there.
    expect(loginPage.status).toBe(200);
    expect(String(loginPage.body)).toContain('<div id="app"');
    expect(loginPage.headers.get('content-security-policy')).toContain("default-src 'self'");
    const { cookie } = await login();
    expect((await call('GET', '/console/channels/adm-file', { cookie })).status).toBe(200);
    // Assets are public code; a missing one is a 404, not the app shell.
    expect((await call('GET', '/console/assets/nope.js')).status).toBe(404);
  });

  it('logs in with the CLI-made user, refuses a wrong password, and throttles guessing', async () => {
    const wrong = await call('POST', '/api/auth/login', { body: { username: 'alice', password: 'wrong password!' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    const unknown = await call('POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong password!' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    const { cookie, csrf } = await login();
    const me = await call('GET', '/api/auth/me', { cookie });
    expect(me.body).toEqual({ user: { username: 'alice', kind: 'user' }, csrfToken: csrf });
    // Ten failures for one username lock it for the window, even with the right password.
    for (let i = 0; i < 10; i++) await call('POST', '/api/auth/login', { body: { username: 'mallory', password: `guess ${i} guess` } });
    const locked = await call('POST', '/api/auth/login', { body: { username: 'mallory', password: 'anything at all' } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(890);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(900);
  });

  it('enforces CSRF on unsafe requests made with the session cookie (not on API keys), and logout ends the session', async () => {
    const { cookie, csrf } = await login();
    const noToken = await call('POST', '/api/channels', { cookie, body: { id: 'csrf-1', environment: 'mypurecloud.ie' } });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe('csrf_failed');
    const wrongToken = await call('POST', '/api/channels', { cookie, csrf: `${csrf}x`, body: { id: 'csrf-1', environment: 'mypurecloud.ie' } });
    expect(wrongToken.status).toBe(403);
    expect((await call('GET', '/api/channels/csrf-1', { bearer: apiKey })).status).toBe(404);
    const ok = await call('POST', '/api/channels', { cookie, csrf, body: { id: 'csrf-1', environment: 'mypurecloud.ie' } });
    expect(ok.status).toBe(201);
    expect((await call('GET', '/api/channels', { cookie })).status).toBe(200);
    expect((await call('POST', '/api/auth/logout', { cookie, csrf })).status).toBe(204);
    expect((await call('GET', '/api/channels', { cookie })).status).toBe(401);
  });
});

describe('login throttling under parallel bursts', () => {
  const attempt = (username: string, password: string, from: string) => call('POST', '/api/auth/login', { body: { username, password }, from });

  it('checks at most 10 passwords of one user in a burst of 40, says when to come back, and keeps failures out of the audit log', async () => {
    expect(cli(['create-user', 'carol', '--password-stdin'], `${PASSWORD}\n`)).toMatchObject({ code: 0 });
    const auditBefore = await gw.redis.xlen(keys().auditLog());
    const failuresBefore = await metric('gbg_admin_login_failures_total', 'reason="invalid_credentials"');

    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt('carol', `wrong guess number ${i}`, '198.51.100.10')));
    expect(tally(answers)).toEqual({ 401: 10, 429: 30 });
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.body.error.code).toBe('rate_limited');
      const retryAfter = Number(a.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 900).toBe(true);
    }
    // Locked for the window, even with the right password and from another address.
    expect((await attempt('carol', PASSWORD, '198.51.100.11')).status).toBe(429);

    // Unauthenticated callers cannot push real history out of the capped audit stream.
    expect(await gw.redis.xlen(keys().auditLog())).toBe(auditBefore);
    const failed = await gw.redis.xrevrange(keys().adminFailedLogins(), '+', '-', 'COUNT', 10);
    expect(failed).toHaveLength(10);
    expect(failed.every(([, f]) => f.includes('carol') && f.includes('198.51.100.10'))).toBe(true);
    expect(await metric('gbg_admin_login_failures_total', 'reason="invalid_credentials"')).toBe(failuresBefore + 10);
    expect(await metric('gbg_admin_login_failures_total', 'reason="throttled"')).toBeGreaterThanOrEqual(31);
  });

  it('caps one address at 50 checked passwords over many usernames, and keys an IPv6 client by its /64', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt(`spray-${i}`, 'wrong password!', '2001:db8:aa:bb::1')));
    expect(tally(answers)).toEqual({ 401: 50, 429: 10 });
    // Another address in the same /64 is the same client; the next /64 is another one.
    expect((await attempt('spray-x', 'wrong password!', '2001:db8:aa:bb:ffff:1:2:3')).status).toBe(429);
    expect((await attempt('spray-y', 'wrong password!', '2001:db8:aa:bc::1')).status).toBe(401);
  });
});

describe('sessions end when the credential changes', () => {
  const me = (cookie: string) => call('GET', '/api/auth/me', { cookie }).then((r) => r.status);

  it('set-password ends every console session of that user', async () => {
    expect(cli(['create-user', 'dave', '--password-stdin'], `${PASSWORD}\n`)).toMatchObject({ code: 0 });
    const first = await login('dave');
    const second = await login('dave');
    const other = await login('alice');
    expect(await me(first.cookie)).toBe(200);

    const changed = cli(['set-password', 'dave', '--password-stdin'], 'a brand new passphrase\n');
    expect(changed.code).toBe(0);
    expect(await me(first.cookie)).toBe(401);
    expect(await me(second.cookie)).toBe(401);
    expect(changed.out).toMatch(/2 session\(s\) ended/);
    expect(await me(other.cookie)).toBe(200);
    expect((await call('POST', '/api/auth/login', { body: { username: 'dave', password: PASSWORD } })).status).toBe(401);
    expect(await me((await login('dave', 'a brand new passphrase')).cookie)).toBe(200);
  });

  it('delete-user ends them too, and a session record that survived is refused, even after the name is reused', async () => {
    expect(cli(['create-user', 'erin', '--password-stdin'], `${PASSWORD}\n`)).toMatchObject({ code: 0 });
    const { cookie } = await login('erin');
    const record = await gw.redis.get(sessionKeyOf(cookie));
    expect(record).toBeTruthy();

    expect(cli(['delete-user', 'erin'])).toMatchObject({ code: 0, out: expect.stringMatching(/1 session\(s\) ended/) });
    expect(await me(cookie)).toBe(401);

    // A record that outlived the deletion (a crash between the steps, a restored backup) does
    // not log anyone in, not even as a new user of the same name.
    expect(cli(['create-user', 'erin', '--password-stdin'], `${PASSWORD}\n`)).toMatchObject({ code: 0 });
    await gw.redis.set(sessionKeyOf(cookie), record!, 'PX', 60_000);
    expect(await me(cookie)).toBe(401);
  });
});

describe('the session cookie over https', () => {
  let https: GatewayHarness;

  beforeAll(async () => {
    https = new GatewayHarness('adminhttps', [testChannel('adm-https')], { PUBLIC_BASE_URL: 'https://gw.example.test' });
    await https.startIngress();
    expect(cli(['create-user', 'alice', '--password-stdin'], `${PASSWORD}\n`, https)).toMatchObject({ code: 0 });
  }, 60_000);

  afterAll(async () => {
    await https?.stop();
  });

  it('is __Host-gbg_session (Secure, Path=/, no Domain), and only that name is read', async () => {
    const res = await call('POST', '/api/auth/login', { harness: https, body: { username: 'alice', password: PASSWORD } });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-gbg_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const sessionId = setCookie.split(';')[0]!.split('=')[1]!;

    expect((await call('GET', '/api/auth/me', { harness: https, cookie: `__Host-gbg_session=${sessionId}` })).body).toMatchObject({ user: { username: 'alice', kind: 'user' } });
    // The plain name could be set by a sibling host or over http; over https it is not read.
    expect((await call('GET', '/api/auth/me', { harness: https, cookie: `gbg_session=${sessionId}` })).status).toBe(401);

    const loggedOut = await call('POST', '/api/auth/logout', { harness: https, cookie: `__Host-gbg_session=${sessionId}`, csrf: res.body.csrfToken });
    expect(loggedOut.status).toBe(204);
    expect(loggedOut.headers.get('set-cookie')).toMatch(/^__Host-gbg_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0; Secure$/);
  });

  it('over http the cookie is plain gbg_session, and the __Host- name is not read', async () => {
    const { cookie } = await login();
    expect((await call('GET', '/api/auth/me', { cookie: cookie.replace(/^gbg_session=/, '__Host-gbg_session=') })).status).toBe(401);
  });
});

describe('channel administration', () => {
  it('creates a channel (disabled, no credential), shows an app secret once, and the credential works on the webhook', async () => {
    const created = await call('POST', '/api/channels', { bearer: apiKey, body: { id: 'adm-new', name: 'New one', environment: 'https://login.mypurecloud.de' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'adm-new', enabled: false, source: 'api', genesys: { environment: 'mypurecloud.de', loginUrl: 'https://login.mypurecloud.de' }, app: { clientId: 'adm-new-app', secrets: [] } });
    expect(created.body.webhookUrl).toBe(`${gw.baseUrl.replace('127.0.0.1', 'localhost')}/genesys/adm-new/botconnector`);
    expect((await call('POST', '/api/channels', { bearer: apiKey, body: { id: 'adm-new', environment: 'mypurecloud.de' } })).status).toBe(409);
    expect((await call('POST', '/api/channels', { bearer: apiKey, body: { id: 'bad', environment: 'mars.example' } })).status).toBe(400);
    // Enabling without a credential is refused: Genesys could not call it.
    expect((await call('POST', '/api/channels/adm-new/enable', { bearer: apiKey })).status).toBe(409);

    const secret = await call('POST', '/api/channels/adm-new/app/secrets', { bearer: apiKey });
    expect(secret.status).toBe(201);
    expect(secret.body).toMatchObject({ clientId: 'adm-new-app', clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/), credential: { fieldName: 'Authorization', value: expect.stringMatching(/^bearer ey/) } });
    // Shown once: no later answer contains it.
    const view = await call('GET', '/api/channels/adm-new', { bearer: apiKey });
    expect(JSON.stringify(view.body)).not.toContain(secret.body.clientSecret);
    expect(view.body.app.secrets).toEqual([{ fingerprint: secret.body.fingerprint }]);
    expect((await call('GET', '/api/channels', { bearer: apiKey })).body.entities.find((c: { id: string }) => c.id === 'adm-new')).toMatchObject({ status: 'disabled' });

    expect((await call('POST', '/api/channels/adm-new/enable', { bearer: apiKey })).status).toBe(200);
    const turn = await fetch(`${gw.baseUrl}/genesys/adm-new/botconnector`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: secret.body.credential.value },
      body: JSON.stringify({ botId: 'demo-bot', botSessionId: 'adm-s1', inputMessage: { type: 'Text', text: 'hi' }, languageCode: 'en-us' }),
    });
    expect(turn.status).toBe(200);
    expect(((await turn.json()) as { botState: string }).botState).toBe('MoreData');
  });

  it('rotates: the old credential keeps working until its secret is revoked; the last secret of an enabled channel cannot be revoked', async () => {
    const first = (await call('POST', '/api/channels/adm-new/app/secrets', { bearer: apiKey })).body;
    const second = (await call('POST', '/api/channels/adm-new/app/secrets', { bearer: apiKey })).body;
    const turnWith = (credential: string) =>
      fetch(`${gw.baseUrl}/genesys/adm-new/botconnector`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: credential }, body: JSON.stringify({ botId: 'demo-bot', botSessionId: 'adm-rot', inputMessage: { type: 'Text', text: 'hi' } }) }).then((r) => r.status);
    expect(await turnWith(first.credential.value)).toBe(200);
    expect(await turnWith(second.credential.value)).toBe(200);
    const afterRevoke = await call('DELETE', `/api/channels/adm-new/app/secrets/${first.fingerprint}`, { bearer: apiKey });
    expect(afterRevoke.status).toBe(200);
    expect(afterRevoke.body.app.secrets.map((s: { fingerprint: string }) => s.fingerprint)).not.toContain(first.fingerprint);
    // The repository cache lives a second; after it, the revoked credential is refused.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await turnWith(first.credential.value)).toBe(403);
    expect(await turnWith(second.credential.value)).toBe(200);

    const view = (await call('GET', '/api/channels/adm-new', { bearer: apiKey })).body;
    for (const s of view.app.secrets.slice(0, -1)) expect((await call('DELETE', `/api/channels/adm-new/app/secrets/${s.fingerprint}`, { bearer: apiKey })).status).toBe(200);
    const last = view.app.secrets.at(-1).fingerprint;
    const refused = await call('DELETE', `/api/channels/adm-new/app/secrets/${last}`, { bearer: apiKey });
    expect(refused.status).toBe(409);
    expect((await call('DELETE', '/api/channels/adm-new/app/secrets/000000000000', { bearer: apiKey })).status).toBe(404);
  });

  it('patches settings with validation and field paths, keeps secrets out of views, and never lets a patch touch id or app', async () => {
    const patched = await call('PATCH', '/api/channels/adm-new', {
      bearer: apiKey,
      body: { name: 'Renamed', genesys: { integrationId: 'int-1', oauth: { clientId: 'oc-1', clientSecret: 'oauth-client-secret-123456', grant: 'client_credentials' } }, handoff: { defaultQueue: 'Billing' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', genesys: { integrationId: 'int-1', oauth: { clientId: 'oc-1', clientSecretSet: true, grant: 'client_credentials' } }, handoff: { defaultQueue: 'Billing', intent: 'AgentHandoff' } });
    expect(JSON.stringify(patched.body)).not.toContain('oauth-client-secret-123456');
    const bad = await call('PATCH', '/api/channels/adm-new', { bearer: apiKey, body: { replyDeadlineMs: 99999, templates: { profile: 'fax' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.join('\n')).toMatch(/replyDeadlineMs/);
    expect(bad.body.error.details.join('\n')).toMatch(/profile/);
    const sneaky = await call('PATCH', '/api/channels/adm-new', { bearer: apiKey, body: { app: { clientId: 'x', clientSecrets: ['y'.repeat(40)] } } });
    expect(sneaky.status).toBe(400);
    const unknown = await call('PATCH', '/api/channels/adm-new', { bearer: apiKey, body: { replyDeadlinMs: 3000 } });
    expect(unknown.status).toBe(400);
    // Nothing of the refused patches stuck.
    expect((await call('GET', '/api/channels/adm-new', { bearer: apiKey })).body.replyDeadlineMs).toBe(5000);
  });

  it('shows the setup checklist in order, runs a test turn through the real pipeline, and runs the doctor', async () => {
    const status = await call('GET', '/api/channels/adm-new/status', { bearer: apiKey });
    expect(status.status).toBe(200);
    expect(status.body.steps.map((s: { id: string }) => s.id)).toEqual(['webhook', 'app', 'oauth', 'bots', 'enabled']);
    expect(status.body.steps.find((s: { id: string }) => s.id === 'app').done).toBe(true);
    expect(status.body.lastGenesysContactAt).not.toBeNull();

    const test = await call('POST', '/api/channels/adm-new/test-turn', { bearer: apiKey, body: { text: 'carousel' } });
    expect(test.status).toBe(200);
    expect(test.body.response.replyMessages.some((m: { content?: { contentType: string }[] }) => m.content?.some((c) => c.contentType === 'Carousel'))).toBe(true);
    const transcript = await call('GET', `/api/conversations/${test.body.botSessionId}?channelId=adm-new`, { bearer: apiKey });
    expect(transcript.status).toBe(200);

    const doctor = await call('POST', '/api/channels/adm-new/doctor', { bearer: apiKey });
    expect(doctor.status).toBe(200);
    const byId = Object.fromEntries(doctor.body.checks.map((c: { id: string }) => [c.id, c]));
    expect(byId.app.ok).toBe(true);
    expect(byId.enabled.ok).toBe(true);
    // No Genesys here: the OAuth check fails with a fix, it does not crash the doctor.
    expect(byId.oauth.ok).toBe(false);
    expect(byId.oauth.fix).toBeTruthy();
  });

  it('lists conversations newest first with filters', async () => {
    const list = await call('GET', '/api/conversations?channelId=adm-new&limit=5', { bearer: apiKey });
    expect(list.status).toBe(200);
    expect(list.body.entities.length).toBeGreaterThanOrEqual(2);
    expect(list.body.entities.every((e: { channelId: string }) => e.channelId === 'adm-new')).toBe(true);
    const times = list.body.entities.map((e: { lastActivityAt: string }) => Date.parse(e.lastActivityAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect((await call('GET', '/api/conversations?outcome=weird', { bearer: apiKey })).status).toBe(400);
  });

  it('shows the dashboard: turns per minute, latencies, handoffs by reason, queue and workers', async () => {
    // A handoff through the real pipeline, so a reason is counted too.
    expect((await call('POST', '/api/channels/adm-new/test-turn', { bearer: apiKey, body: { text: 'agent' } })).body.response.intent).toBe('AgentHandoff');
    await new Promise((r) => setTimeout(r, 1200)); // counters are flushed once a second
    const dash = await call('GET', '/api/dashboard?minutes=5', { bearer: apiKey });
    expect(dash.status).toBe(200);
    expect(dash.body.series).toHaveLength(5);
    const total = dash.body.series.reduce((a: number, m: { turns: number }) => a + m.turns, 0);
    expect(total).toBeGreaterThanOrEqual(4);
    const busy = dash.body.series.find((m: { turns: number }) => m.turns > 0);
    // The demo bot answers in about no time, and the dashboard says so (not a coarse bucket's bound).
    expect(busy.botP50Ms).toBeGreaterThanOrEqual(0);
    expect(busy.botP50Ms).toBeLessThan(50);
    expect(busy.botP99Ms).toBeGreaterThanOrEqual(busy.botP50Ms);
    expect(busy.responseP95Ms).toBeGreaterThanOrEqual(busy.responseP50Ms);
    expect(busy.responseP99Ms).toBeGreaterThanOrEqual(busy.responseP95Ms);
    expect(dash.body.handoffsByReason.bot_request).toBeGreaterThanOrEqual(1);
    expect(dash.body.workersOnline).toBe(1);
    expect(typeof dash.body.queueDepth).toBe('number');
    const perChannel = await call('GET', '/api/dashboard?minutes=5&channelId=adm-file', { bearer: apiKey });
    expect(perChannel.body.series.reduce((a: number, m: { turns: number }) => a + m.turns, 0)).toBe(0);
    expect((await call('GET', '/api/dashboard?minutes=0', { bearer: apiKey })).status).toBe(400);
  });

  it('writes who changed what to the audit log, without secrets', async () => {
    const audit = await call('GET', '/api/audit?limit=200', { bearer: apiKey });
    expect(audit.status).toBe(200);
    const actions = audit.body.entities.map((e: { action: string; actor: { kind: string }; target?: string }) => `${e.actor.kind}:${e.action}:${e.target ?? ''}`);
    for (const expected of [
      'cli:user.create:user:alice',
      'cli:api_key.create:',
      'api_key:channel.create:channel:adm-new',
      'api_key:channel.app_secret.create:channel:adm-new',
      'api_key:channel.app_secret.revoke:channel:adm-new',
      'api_key:channel.update:channel:adm-new',
      'api_key:channel.enable:channel:adm-new',
      'user:auth.login:',
      'user:channel.create:channel:csrf-1',
    ]) {
      expect(actions.some((a: string) => a.startsWith(expected))).toBe(true);
    }
    const update = audit.body.entities.find((e: { action: string }) => e.action === 'channel.update');
    expect(update.details.fields).toEqual(expect.arrayContaining(['name', 'genesys.oauth.clientSecret']));
    expect(JSON.stringify(audit.body)).not.toContain('oauth-client-secret-123456');
  });

  it('deletes a channel', async () => {
    expect((await call('DELETE', '/api/channels/csrf-1', { bearer: apiKey })).status).toBe(204);
    expect((await call('GET', '/api/channels/csrf-1', { bearer: apiKey })).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3 document covering the admin API', async () => {
    const res = await call('GET', '/api/docs-json', { bearer: apiKey });
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const paths = Object.keys(res.body.paths);
    for (const p of ['/api/channels', '/api/channels/{id}', '/api/channels/{id}/app/secrets', '/api/auth/login', '/api/conversations', '/api/audit', '/api/channels/{channelId}/notifications']) {
      expect(paths).toContain(p);
    }
    expect(paths.some((p) => p.startsWith('/genesys/'))).toBe(false);
  });
});

describe('secrets', () => {
  it('keeps no password, API key or session id in Redis in clear, nor in the logs', async () => {
    const keys = await gw.redis.keys(`${gw.prefix}:*`);
    let dump = '';
    for (const k of keys) {
      const t = await gw.redis.type(k);
      if (t === 'string') dump += await gw.redis.get(k);
      else if (t === 'hash') dump += JSON.stringify(await gw.redis.hgetall(k));
      else if (t === 'list') dump += (await gw.redis.lrange(k, 0, -1)).join('');
      else if (t === 'stream') dump += JSON.stringify(await gw.redis.xrange(k, '-', '+'));
    }
    expect(dump).not.toContain(PASSWORD);
    // The secret part itself may contain "_", so it is cut after the fixed-length id.
    expect(dump).not.toContain(apiKey.slice('gbgk_'.length + 13));
    expect(processOutput(gw)).not.toContain(PASSWORD);
    expect(processOutput(gw)).not.toContain(apiKey);
  });
});
