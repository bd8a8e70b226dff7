import { createEmulatorApp, type EmulatorApp, type EmulatorIpRange } from '../../apps/genesys-emulator/src/main.js';
import { GatewayHarness, newSessionBody, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * What an unauthenticated caller of the webhooks (v1 and v2) can learn: nothing about the
 * channel it names. Unknown, disabled, not serving v2, restricted to Genesys's addresses, or a
 * wrong credential all get the same answer, byte for byte; the reason stays in the logs and the
 * metrics. Real ingress and worker processes, real HTTP, an in-process Genesys emulator for the
 * source ranges.
 */
const V2_HEADER = 'X-Edge-Secret';
const V2_SECRET = 'edge-connection-secret-0123456789abcdefXYZ';
const CC_SECRET = 'edge-cc-client-secret-0123456789';
const REFUSED = { botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'forbidden', errorMessage: 'invalid credential or channel' } };
const UNAUTHENTICATED = { botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'unauthenticated', errorMessage: 'missing or malformed Authorization header; expected "bearer <JWT>"' } };

/** Loopback (where the calls come from) is not a bot-connector address in this region. */
const NO_LOOPBACK: EmulatorIpRange[] = [
  { cidr: '198.51.100.0/24', service: 'bot-connector', region: 'test', direction: 'outbound' },
  { cidr: '127.0.0.0/8', service: 'open-messaging', region: 'test', direction: 'outbound' },
  { cidr: '::1/128', service: 'audiohook', region: 'test', direction: 'outbound' },
];

let emu: EmulatorApp;
let gw: GatewayHarness;
let ch: Record<'open' | 'off' | 'nov2' | 'outside', TestChannel>;

beforeAll(async () => {
  emu = await createEmulatorApp({ clients: [{ id: 'gw-cc', secret: CC_SECRET, name: 'Gateway', redirectUris: [], scopes: [], grants: ['client_credentials'] }], ipRanges: NO_LOOPBACK });
  const emulatorUrl = await emu.listen(0);
  const v2 = { digitalBotConnector: { secretHeader: V2_HEADER, secret: V2_SECRET } };
  ch = {
    open: testChannel('edgeopen', { genesys: { environment: 'mypurecloud.ie', ...v2 } }),
    off: testChannel('edgeoff', { enabled: false, genesys: { environment: 'mypurecloud.ie', ...v2 } }),
    nov2: testChannel('edgenov2'),
    outside: testChannel('edgeout', {
      genesys: { environment: 'mypurecloud.ie', restrictToGenesysIps: true, oauth: { clientId: 'gw-cc', clientSecret: CC_SECRET, grant: 'client_credentials', baseUrl: emulatorUrl }, ...v2 },
    }),
  };
  gw = new GatewayHarness('edge', Object.values(ch));
  await gw.startIngress();
  await gw.startWorker();
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await emu?.close();
});

interface Raw {
  status: number;
  text: string;
  contentType: string | null;
}

async function raw(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Raw> {
  const res = await fetch(`${gw.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

const v1 = (channelId: string, authorization: string | null, extra: Record<string, string> = {}) =>
  raw('POST', `/genesys/${encodeURIComponent(channelId)}/botconnector`, { ...(authorization === null ? {} : { authorization }), ...extra }, newSessionBody('hi'));

const v2Message = (botSessionId: string) => ({ botId: 'bot1', botVersion: '1.0', botSessionId, messageId: `m-${botSessionId}`, inputMessage: { type: 'Text', text: 'hi' }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: `c-${botSessionId}` });
const v2Headers = (secret: string | null, extra: Record<string, string> = {}) => ({ ...(secret === null ? {} : { [V2_HEADER]: secret }), ...extra });
const v2Bots = (channelId: string, secret: string | null, extra: Record<string, string> = {}) => raw('GET', `/genesys/${encodeURIComponent(channelId)}/dbc/bots`, v2Headers(secret, extra));
const v2Post = (channelId: string, secret: string | null, extra: Record<string, string> = {}) => raw('POST', `/genesys/${encodeURIComponent(channelId)}/dbc/messages`, v2Headers(secret, extra), v2Message(`edge-${Date.now()}`));

describe('webhook refusals reveal nothing about the channel', () => {
  it('serves the right credential (so every refusal below is about the one thing each case changes)', async () => {
    expect((await v1(ch.open.id, gw.credential(ch.open))).status).toBe(200);
    expect((await v1(ch.nov2.id, gw.credential(ch.nov2))).status).toBe(200);
    expect((await v2Bots(ch.open.id, V2_SECRET)).status).toBe(200);
  });

  it('v1: unknown channel, malformed channel id, disabled channel, wrong credential and an address outside Genesys get one identical 403', async () => {
    const answers: [string, Raw][] = [
      ['unknown channel', await v1('nosuch', gw.credential(ch.open))],
      ['channel id that could never exist', await v1('No Such Channel!', gw.credential(ch.open))],
      ['disabled channel, its own credential', await v1(ch.off.id, gw.credential(ch.off))],
      ['credential of another channel', await v1(ch.open.id, gw.credential(ch.nov2))],
      ['credential signed with a wrong secret', await v1(ch.open.id, gw.credential(ch.open, { secret: 'another-secret-another-secret-another-secret' }))],
      ['not a JWT at all', await v1(ch.open.id, 'bearer not-a-jwt')],
      ['restricted channel, caller outside the ranges, its own credential', await v1(ch.outside.id, gw.credential(ch.outside))],
    ];
    for (const [name, a] of answers) expect({ name, ...a }).toEqual({ name, status: 403, text: JSON.stringify(REFUSED), contentType: 'application/json; charset=utf-8' });
  });

  it('v1: a missing or malformed Authorization header is a 401 that does not depend on the channel', async () => {
    const answers: [string, Raw][] = [
      ['no header, existing channel', await v1(ch.open.id, null)],
      ['no header, unknown channel', await v1('nosuch', null)],
      ['no header, malformed channel id', await v1('No Such Channel!', null)],
      ['no header, disabled channel', await v1(ch.off.id, null)],
      ['no header, restricted channel', await v1(ch.outside.id, null)],
      ['Basic scheme, unknown channel', await v1('nosuch', 'Basic YTpi')],
      ['Basic scheme, existing channel', await v1(ch.open.id, 'Basic YTpi')],
    ];
    for (const [name, a] of answers) expect({ name, ...a }).toEqual({ name, status: 401, text: JSON.stringify(UNAUTHENTICATED), contentType: 'application/json; charset=utf-8' });
  });

  it('v2: unknown channel, disabled channel, no v2 on the channel, missing or wrong secret and an address outside Genesys get the same 403 as v1', async () => {
    const answers: [string, Raw][] = [];
    for (const [what, call] of [
      ['GET /bots', v2Bots],
      ['POST /messages', v2Post],
    ] as const) {
      answers.push(
        [`${what}: unknown channel`, await call('nosuch', V2_SECRET)],
        [`${what}: channel id that could never exist`, await call('No Such Channel!', V2_SECRET)],
        [`${what}: disabled channel, its own secret`, await call(ch.off.id, V2_SECRET)],
        [`${what}: channel without a v2 section`, await call(ch.nov2.id, V2_SECRET)],
        [`${what}: missing secret`, await call(ch.open.id, null)],
        [`${what}: wrong secret`, await call(ch.open.id, `${V2_SECRET}x`)],
        [`${what}: restricted channel, caller outside the ranges, its own secret`, await call(ch.outside.id, V2_SECRET)],
      );
    }
    for (const [name, a] of answers) expect({ name, ...a }).toEqual({ name, status: 403, text: JSON.stringify(REFUSED), contentType: 'application/json; charset=utf-8' });
  });

  it('keeps the real reasons in the metrics', async () => {
    const text = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    const count = (reason: string) => Number(new RegExp(`gbg_rejected_requests_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    // Every refusal of the tests above, by what it really was.
    expect(count('channel_not_found')).toBe(2 + 2 * 2);
    expect(count('channel_disabled')).toBe(1 + 2);
    expect(count('dbc_not_configured')).toBe(2);
    expect(count('ip_not_allowed')).toBe(1 + 2);
    expect(count('auth_app_mismatch') + count('auth_bad_signature') + count('auth_malformed_token')).toBe(3);
    expect(count('auth_missing')).toBe(5 + 2);
    expect(count('auth_malformed_header')).toBe(2);
    expect(count('auth_invalid')).toBe(2);
  });

  it('keeps the real reasons and the channel in the logs', async () => {
    const lines = () =>
      processOutput(gw)
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        });
    await gw.waitFor(async () => lines().some((l) => l.reason === 'dbc_not_configured'), 5000);
    const refusals = lines().filter((l) => typeof l.reason === 'string');
    const seen = (channelId: string, reason: string) => refusals.some((l) => l.channelId === channelId && l.reason === reason);
    expect(seen('nosuch', 'channel_not_found')).toBe(true);
    expect(seen(ch.off.id, 'channel_disabled')).toBe(true);
    expect(seen(ch.nov2.id, 'dbc_not_configured')).toBe(true);
    expect(seen(ch.open.id, 'auth_invalid')).toBe(true);
    expect(seen(ch.open.id, 'auth_bad_signature')).toBe(true);
    // The v1 refusal still says which token it was, by fingerprint only.
    expect(refusals.some((l) => l.channelId === ch.open.id && typeof l.tokenFingerprint === 'string' && /^[0-9a-f]{8}$/.test(l.tokenFingerprint))).toBe(true);
    expect(processOutput(gw)).not.toContain(V2_SECRET);
  });
});

describe('rejected calls log the inin-correlation-id only when it is one', () => {
  const HUGE = `corr${'Z'.repeat(12_000)}`;
  const FORGED = 'x","level":"fatal","msg":"forged entry';

  it('never writes a huge or free-form correlation id into the logs, for v1 and v2', async () => {
    const statuses: number[] = [];
    for (const correlation of [HUGE, FORGED]) {
      const headers = { 'inin-correlation-id': correlation };
      statuses.push(
        (await v1(ch.open.id, gw.credential(ch.nov2), headers)).status,
        (await v1('nosuch', gw.credential(ch.open), headers)).status,
        (await v1(ch.open.id, null, headers)).status,
        (await v2Bots(ch.open.id, 'wrong', headers)).status,
        (await v2Post(ch.open.id, null, headers)).status,
        (await v2Bots(ch.nov2.id, V2_SECRET, headers)).status,
      );
    }
    // Which refusal each one gets is the business of the tests above; here only that they were refused.
    for (const s of statuses) expect([401, 403, 404]).toContain(s);
    // A well-formed id on a refused call is logged, so a Genesys trace can still be followed;
    // once it shows up, everything logged before it has come through too.
    const marker = `edge-marker-${Date.now()}`;
    expect((await v2Bots(ch.open.id, 'wrong', { 'inin-correlation-id': marker })).status).toBe(403);
    await gw.waitFor(async () => processOutput(gw).includes(`"correlationId":"${marker}"`), 5000);
    const out = processOutput(gw);
    expect(out).not.toContain('ZZZZZZZZZZZZZZZZZZZZ');
    expect(out).not.toContain('forged entry');
    for (const line of out.split('\n')) expect(line.length).toBeLessThan(4096);
  });
});
