import fc from 'fast-check';
import { countKeys } from '../support/redis-test-prefix.js';
import { GatewayHarness, newSessionBody, testChannel } from '../support/gateway-harness.js';

/**
 * Property: whatever JSON arrives (random values, and mutations of a real v1 body), the webhook
 * answers 200 or a 4xx, never a 5xx, never a stack trace or a file path, and the process stays up.
 * Turns that are accepted are real turns (valid bodies); the demo bot answers them.
 */
const ch = testChannel('fuzz1');
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

describe('webhook body fuzz', () => {
  const gw = new GatewayHarness('fuzz', [ch]);

  beforeAll(async () => {
    await gw.startIngress();
    await gw.startWorker();
  });
  afterAll(() => gw.stop());

  const check = async (body: unknown) => {
    const res = await gw.turn(ch, {}, { rawBody: JSON.stringify(body) });
    const text = JSON.stringify(res.body);
    if (![200, 400, 404, 413].includes(res.status)) throw new Error(`status ${res.status} for ${JSON.stringify(body).slice(0, 300)}`);
    if (/\bat .*:\d+:\d+|node_modules|\/work\/|\/dist\//.test(text)) throw new Error(`internals leaked: ${text.slice(0, 300)}`);
  };

  it(`never answers 5xx or leaks internals for arbitrary JSON (${RUNS} cases)`, async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), check), { numRuns: RUNS });
  }, 180_000);

  it(`never answers 5xx for mutations of a valid v1 body (${RUNS} cases)`, async () => {
    const base = newSessionBody('hi');
    const fields = Object.keys(base);
    const mutation = fc.record({
      field: fc.constantFrom(...fields, 'inputMessage.text', 'inputMessage.type', 'inputMessage.content', 'parameters', 'chatBot.id'),
      value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 300 }), fc.constant(null), fc.integer(), fc.double()),
      drop: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (muts) => {
        const body: Record<string, any> = structuredClone({ ...base, botSessionId: `fz-${Math.random().toString(36).slice(2)}` });
        for (const m of muts) {
          const [top, sub] = m.field.split('.') as [string, string | undefined];
          if (sub) {
            if (!body[top] || typeof body[top] !== 'object') body[top] = {};
            if (m.drop) delete body[top][sub];
            else body[top][sub] = m.value;
          } else if (m.drop) delete body[top];
          else body[top] = m.value;
        }
        await check(body);
      }),
      { numRuns: RUNS },
    );
  }, 180_000);

  it('stayed up and kept no turn for any refused body', async () => {
    expect((await fetch(`${gw.baseUrl}/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/outcome="failed"[^}]*\} [1-9]/);
    // Accepted (valid) fuzz turns were answered and their records deleted.
    await gw.waitFor(async () => (await countKeys(gw.redis, `${gw.prefix}:inbox:*`)) === 0, 10000);
  });
});
