import { createEmulatorApp, type EmulatorApp, type EmulatorIpRange } from '../../apps/genesys-emulator/src/main.js';
import { GatewayHarness, newSessionBody, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

/**
 * Refused webhook calls (v1 and v2) through real ingress and worker processes, real HTTP, and an
 * in-process Genesys emulator for the source ranges.
 */
const V2_HEADER = 'X-Edge-Secret';
const V2_SECRET = 'edge-connection-secret-0123456789abcdefXYZ';
const CC_SECRET = 'edge-cc-client-secret-0123456789';

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
