import { createHmac } from 'node:crypto';
import { RecordingBot } from '../support/recording-bot.js';
import { countKeys } from '../support/redis-test-prefix.js';
import { GatewayHarness, newSessionBody, processOutput, testChannel, type TestChannel } from '../support/gateway-harness.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function sign(header: unknown, payload: unknown, secret: string): string {
  const h = b64(header);
  const p = b64(payload);
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

describe('bad input gets a clear 4xx, and nothing is queued or sent to the bot', () => {
  const bot = new RecordingBot();
  let ch: TestChannel;
  let other: TestChannel;
  let off: TestChannel;
  let gw: GatewayHarness;

  beforeAll(async () => {
    const url = await bot.start();
    const bots = [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'http', config: { url } } }];
    ch = testChannel('bad1', { bots });
    other = testChannel('bad2', { bots });
    off = testChannel('bad3', { bots, enabled: false });
    gw = new GatewayHarness('badinput', [ch, other, off], { MAX_BODY_BYTES: String(256 * 1024) });
    await gw.startIngress();
    await gw.startWorker();
  });
  afterAll(async () => {
    await gw.stop();
    await bot.stop();
  });


  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => newSessionBody('hi');

  const jwtCases: [string, () => string | null, number][] = [
    ['no Authorization header', () => null, 401],
    ['empty header', () => '', 401],
    ['bearer without token', () => 'bearer', 401],
    ['Basic scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`, 401],
    ['alg none', () => `bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ appId: ch.clientId })}.`, 403],
    ['alg HS512', () => `bearer ${b64({ alg: 'HS512' })}.${b64({ appId: ch.clientId })}.${createHmac('sha512', ch.secret).update('x').digest('base64url')}`, 403],
    ['wrong secret', () => `bearer ${sign({ alg: 'HS256', typ: 'JWT' }, { appId: ch.clientId }, 'another-secret-another-secret-another')}`, 403],
    ['expired', () => `bearer ${sign({ alg: 'HS256' }, { appId: ch.clientId, exp: now() - 3600 }, ch.secret)}`, 403],
    ['not yet valid', () => `bearer ${sign({ alg: 'HS256' }, { appId: ch.clientId, nbf: now() + 3600 }, ch.secret)}`, 403],
    ['appId of another channel, signed with its secret', () => gw.credential(other), 403],
    ['tampered payload', () => { const [h, , s] = gw.credential(ch).slice(7).split('.'); return `bearer ${h}.${b64({ appId: ch.clientId, admin: true })}.${s}`; }, 403],
    ['100 KB token', () => `bearer ${'a'.repeat(100 * 1024)}`, 403],
  ];

  it.each(jwtCases)('credential: %s → %i', async (_name, auth, status) => {
    const res = await gw.turn(ch, valid(), { auth: auth() });
    // Node refuses headers over 16 KB itself (431) before any of our code runs: also a rejection.
    if (res.status === 431) return;
    expect(res.status).toBe(status);
    expect(res.body.botState).toBe('Failed');
    expect(res.body.errorInfo.errorCode).toMatch(/unauthenticated|forbidden/);
    expect(JSON.stringify(res.body)).not.toContain(ch.secret);
  });

  it('accepts the scheme in any case (and still nothing queued for the bad ones above)', async () => {
    const token = gw.credential(ch).slice(7);
    const res = await gw.turn(ch, { ...valid(), botId: 'nope', chatBot: undefined }, { auth: `BEARER ${token}` });
    expect(res.status).toBe(404);
    expect(res.body.errorInfo).toEqual({ errorCode: 'bot_not_found', errorMessage: 'bot "nope" is not served by channel "bad1"' });
  });

  const bodyCases: [string, Record<string, unknown> | string, number, RegExp | undefined][] = [
    ['malformed JSON', '{"botId": "x",', 400, /not valid JSON/],
    ['a JSON array', '[1,2,3]', 400, undefined],
    ['missing botSessionId', (() => { const b = valid(); delete b.botSessionId; return b; })(), 400, /botSessionId/],
    ['missing inputMessage', (() => { const b = valid(); delete b.inputMessage; return b; })(), 400, /inputMessage/],
    ['botSessionTimeout as a string', { ...valid(), botSessionTimeout: 'soon' }, 400, /botSessionTimeout/],
    ['text too long', { ...valid(), inputMessage: { type: 'Text', text: 'x'.repeat(8001) } }, 400, /inputMessage.text/],
    ['nested parameter value', { ...valid(), parameters: { a: { b: 1 } } }, 400, /parameters/],
    ['__proto__ key', '{"__proto__":{"polluted":true},"botId":"Bot One"}', 400, undefined],
    ['null body', 'null', 400, undefined],
  ];

  it.each(bodyCases)('body: %s → %i', async (_name, body, status, detail) => {
    const res = await gw.turn(ch, typeof body === 'string' ? {} : body, typeof body === 'string' ? { rawBody: body } : {});
    expect(res.status).toBe(status);
    expect(res.body.botState).toBe('Failed');
    const text = JSON.stringify(res.body);
    if (detail) expect(text).toMatch(detail);
    expect(text).not.toMatch(/at .*\.js:\d+|node_modules|\/work\//);
  });

  it('refuses a 1 MB body with 413', async () => {
    const res = await gw.turn(ch, { ...valid(), inputMessage: { type: 'Text', text: 'x'.repeat(1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.errorInfo.errorCode).toBe('payload_too_large');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await gw.turn(ch, {}, { rawBody: 'botId=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.errorInfo.errorCode).toBe('unsupported_media_type');
    const plain = await gw.turn(ch, {}, { rawBody: JSON.stringify(valid()), headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });

  it('answers unknown and disabled channels with the Genesys-shaped refusal a wrong credential gets', async () => {
    const unknown = await gw.turn(ch, valid(), { path: '/genesys/nosuch/botconnector' });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toEqual({ botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'forbidden', errorMessage: 'invalid credential or channel' } });
    const disabled = await gw.turn(off, valid());
    expect({ status: disabled.status, body: disabled.body }).toEqual({ status: unknown.status, body: unknown.body });
  });

  // Runs last (Jest keeps declaration order): after every bad request above.
  it('queued nothing, kept no turn and never called the bot for any of them', async () => {
    expect(await countKeys(gw.redis, `${gw.prefix}:turn:*`)).toBe(0);
    expect(await countKeys(gw.redis, `${gw.prefix}:inbox:*`)).toBe(0);
    // The worker's own bookkeeping keys (meta, stalled-check) exist; no job, id counter or list does.
    const bull: string[] = await gw.redis.keys(`${gw.prefix}:bull:turns:*`);
    expect(bull.map((k) => k.slice(`${gw.prefix}:bull:turns:`.length)).filter((k) => !['meta', 'stalled-check'].includes(k))).toEqual([]);
    expect(bot.calls).toHaveLength(0);
  });

  it('logged why each credential was refused, without any secret or token', async () => {
    const logs = processOutput(gw);
    expect(logs).toContain('"reason":"auth_bad_signature"');
    expect(logs).toContain('"reason":"auth_unsupported_alg"');
    for (const c of [ch, other, off]) expect(logs).not.toContain(c.secret);
    // At rest the app secrets are sealed (AES-256-GCM), never in clear.
    for (const c of [ch, other, off]) {
      const stored = (await gw.redis.get(`${gw.prefix}:channel:${c.id}`))!;
      expect(stored).toContain('"sealedSecrets":["v1.');
      expect(stored).not.toContain(c.secret);
    }
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
