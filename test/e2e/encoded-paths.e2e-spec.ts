import { GatewayHarness, newSessionBody, testChannel } from '../support/gateway-harness.js';

/**
 * The router decodes percent-escapes before matching, so `/api/%64ocs-json` is the OpenAPI
 * document and `/%67enesys/...` is the webhook. Every check that picks requests by path (admin
 * authentication of the docs, console pages, load shedding, the webhook error shape) must see the
 * same route the router does. Real ingress and worker processes, real HTTP.
 */
const ch = testChannel('enc1', {
  bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'demo', timeoutMs: 5000, config: { slowMs: 1500 } } }],
});

/** `/api/docs-json` → every path with one character of each segment percent-encoded, in both hex cases. */
function encodedVariants(path: string): string[] {
  const segments = path.split('/').slice(1);
  const out = new Set<string>();
  segments.forEach((seg, i) => {
    for (let j = 0; j < seg.length; j++) {
      const hex = seg.charCodeAt(j).toString(16);
      for (const h of [hex.toLowerCase(), hex.toUpperCase()]) {
        const encoded = `${seg.slice(0, j)}%${h}${seg.slice(j + 1)}`;
        out.add(`/${[...segments.slice(0, i), encoded, ...segments.slice(i + 1)].join('/')}`);
      }
    }
  });
  return [...out];
}

const ADMIN_PATHS = ['/api/docs', '/api/docs-json', '/api/docs-yaml', '/api/channels', '/api/audit', '/api/conversations', '/api/dashboard', '/api/auth/me', '/api/channels/enc1/status'];
const CONSOLE_PATHS = ['/console', '/console/channels'];

describe('percent-encoded paths', () => {
  const gw = new GatewayHarness('encoded', [ch], { MAX_INFLIGHT_TURNS: '1' });

  beforeAll(async () => {
    await gw.startIngress();
    await gw.startWorker();
  }, 60_000);
  afterAll(() => gw.stop());

  it('the variants are real: an authenticated encoded request reaches the same route', async () => {
    expect(encodedVariants('/api/docs-json')).toContain('/api/%64ocs-json');
    expect(encodedVariants('/api/docs-json')).toContain('/%61pi/docs-json');
    const plain = await gw.admin('/api/docs-json');
    const encoded = await gw.admin('/api/%64ocs-json');
    expect(plain.status).toBe(200);
    expect(encoded.status).toBe(200);
    expect(encoded.body.openapi).toBe(plain.body.openapi);
  });

  it.each(ADMIN_PATHS)('%s: no encoded form of it answers without credentials', async (path) => {
    const variants = [path, ...encodedVariants(path)];
    const statuses = await Promise.all(variants.map(async (v) => [v, (await fetch(`${gw.baseUrl}${v}`, { redirect: 'manual' })).status] as const));
    const open = statuses.filter(([, status]) => status !== 401 && status !== 404);
    expect(open).toEqual([]);
    // At least the plain path and the encodings of its first letter are routed (and refused).
    expect(statuses.filter(([, status]) => status === 401).length).toBeGreaterThan(2);
  });

  it.each(CONSOLE_PATHS)('%s: no encoded form of a console page is served without a session', async (path) => {
    for (const v of [path, ...encodedVariants(path)]) {
      const res = await fetch(`${gw.baseUrl}${v}`, { redirect: 'manual' });
      expect([v, res.status === 302 || res.status === 404]).toEqual([v, true]);
    }
  });

  it('sheds an encoded webhook path like the plain one, and answers it in the Genesys shape', async () => {
    // One slow turn fills the in-flight limit of 1.
    const slow = gw.turn(ch, newSessionBody('slow'));
    await new Promise((r) => setTimeout(r, 200));
    for (const path of [`/genesys/enc1/botconnector`, `/%67enesys/enc1/botconnector`, `/genesys/enc1/%62otconnector`]) {
      const refused = await gw.turn(ch, newSessionBody('hi'), { path });
      expect([path, refused.status]).toEqual([path, 503]);
      expect(refused.body).toEqual({ botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'overloaded', errorMessage: 'gateway busy; retry shortly' } });
    }
    expect((await slow).status).toBe(200);
    // Once capacity is back the encoded path is served as the webhook, errors included.
    const served = await gw.turn(ch, newSessionBody('hi'), { path: `/%67enesys/enc1/botconnector` });
    expect(served.status).toBe(200);
    const bad = await gw.turn(ch, { botSessionId: 'x' }, { path: `/%67enesys/enc1/botconnector` });
    expect(bad.status).toBe(400);
    expect(bad.body.botState).toBe('Failed');
  });
});
