import { GatewayHarness, newSessionBody, testChannel } from '../support/gateway-harness.js';

const ch = testChannel('busy1', {
  bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'demo', timeoutMs: 3000, config: { slowMs: 800 } } }],
});

describe('admission control', () => {
  const gw = new GatewayHarness('overload', [ch], { MAX_INFLIGHT_TURNS: '2' });

  beforeAll(async () => {
    await gw.startIngress();
    await gw.startWorker();
  });
  afterAll(() => gw.stop());

  it('refuses turns beyond the in-flight limit at once with 503 + Retry-After, and serves the rest', async () => {
    const first = [gw.turn(ch, newSessionBody('slow')), gw.turn(ch, newSessionBody('slow'))];
    await new Promise((r) => setTimeout(r, 150));
    const refused = await gw.turn(ch, newSessionBody('slow'));
    expect(refused.status).toBe(503);
    expect(refused.ms).toBeLessThan(200);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toEqual({ botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'overloaded', errorMessage: 'gateway busy; retry shortly' } });
    const served = await Promise.all(first);
    expect(served.map((r) => r.status)).toEqual([200, 200]);
    // Capacity is back once they are answered.
    expect((await gw.turn(ch, newSessionBody('hi'))).status).toBe(200);
    const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gbg_rejected_requests_total\{[^}]*reason="overloaded_too_many_in_flight"[^}]*\} 1/);
  });
});
