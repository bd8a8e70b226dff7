import { randomUUID } from 'node:crypto';
import { GatewayHarness, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

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
    // Refused by the HTTP server before Fastify; a percent-encoded path it cannot match there is
    // routed by Fastify to the same webhook and refused by the onRequest hook instead.
    const encoded = await gw.turn(ch, newSessionBody('slow'), { path: `/%67enesys/${ch.id}/botconnector` });
    expect(encoded.status).toBe(503);
    expect(encoded.headers.get('retry-after')).toBe('1');
    expect(encoded.body).toEqual(refused.body);
    const served = await Promise.all(first);
    expect(served.map((r) => r.status)).toEqual([200, 200]);
    // Capacity is back once they are answered.
    expect((await gw.turn(ch, newSessionBody('hi'))).status).toBe(200);
    const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gbg_rejected_requests_total\{[^}]*reason="overloaded_too_many_in_flight"[^}]*\} 2/);
  });
});

const DBC_HEADER = 'x-dbc-secret';
const DBC_SECRET = 'queue-age-dbc-secret-0123456789abcdef';
const aged = testChannel('aged1', {
  replyDeadlineMs: 1000,
  deadlinePolicy: 'hold',
  genesys: { environment: 'mypurecloud.ie', digitalBotConnector: { secretHeader: DBC_HEADER, secret: DBC_SECRET, inlineWindowMs: 500 } },
});

describe('shedding on queue age', () => {
  // No worker at first: the first turn's drain waits, and ages past the channel's 1 s deadline.
  const gw = new GatewayHarness('queue-age', [aged]);

  beforeAll(() => gw.startIngress({ SHED_QUEUE_AGE_SAMPLE_MS: '100' }));
  afterAll(() => gw.stop());

  const v2 = async (text: string) => {
    const started = Date.now();
    const res = await fetch(`${gw.baseUrl}/genesys/${aged.id}/dbc/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [DBC_HEADER]: DBC_SECRET },
      body: JSON.stringify({ botId: 'bot1', botVersion: '1.0', botSessionId: randomUUID(), messageId: randomUUID(), inputMessage: { type: 'Text', text }, languageCode: 'en-us', botSessionTimeout: 60, genesysConversationId: randomUUID() }),
    });
    return { status: res.status, ms: Date.now() - started, headers: res.headers, body: (await res.json()) as any };
  };

  it('answers v1 at once with the deadline policy and keeps the turn, refuses v2 with 503 + Retry-After, and serves normally once the queue moves', async () => {
    const first = await gw.turn(aged, newSessionBody('hi'));
    expect(first.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });
    expect(first.ms).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 300));

    const session = newSessionBody('hi');
    const behind = await gw.turn(aged, session);
    expect(behind.status).toBe(200);
    expect(behind.body).toEqual(first.body);
    expect(behind.ms).toBeLessThan(500);

    const refused = await v2('hello');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.ms).toBeLessThan(500);
    // The same answer as every other refusal for load.
    expect(refused.body).toEqual({ botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'overloaded', errorMessage: 'gateway busy; retry shortly' } });
    const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gbg_rejected_requests_total\{[^}]*reason="overloaded_queue_age"[^}]*\} 2/);

    await gw.startWorker();
    await gw.waitFor(async () => (await gw.redis.llen(`${gw.prefix}:bull:turns:wait`)) === 0, 5000);
    await new Promise((r) => setTimeout(r, 300));
    // The turn answered with the hold message was kept: its reply comes first in the session's next answer.
    const next = await gw.turn(aged, nextTurn(session, 'list'));
    expect(next.status).toBe(200);
    const texts = next.body.replyMessages.map((m: { text: string }) => m.text);
    expect(texts).toEqual([expect.stringContaining("I'm the demo bot"), 'What would you like to see?', expect.stringContaining('Opening hours')]);
    expect((await v2('hello')).status).toBe(200);
  });
});
