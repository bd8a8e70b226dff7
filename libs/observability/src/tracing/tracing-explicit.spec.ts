import { useTracing } from '../../../../test/support/tracing-fixture.js';
import { contextOfCarrier, inSpan, inSpanSync, linksTo, traceCarrierOf } from './spans.js';

/**
 * The default mode: no implicit context (no AsyncLocalStorage), parents passed explicitly. Spans
 * nest across awaits because each step hands its context on; Redis commands get no spans.
 */
const t = useTracing('tracex', { protocol: 'http/json', sampler: 'always_on', redisCommands: false });
const exporter = t.exporter;
const prefix = t.prefix;

const byName = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

describe('tracing with explicit parents (the default)', () => {
  it('nests a step started after an await under the span whose context it was given', async () => {
    await inSpan('turn', {}, async (_, turnCtx) => {
      await new Promise((r) => setTimeout(r, 5));
      await inSpan('bot.call', { parent: turnCtx }, async () => undefined);
      inSpanSync('render', { parent: turnCtx }, () => undefined);
      // Given no parent after an await, a span starts its own trace: nothing implicit carries over.
      await inSpan('orphan', {}, async () => undefined);
    });
    const turn = byName('turn');
    expect(byName('bot.call').parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(byName('render').parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(byName('orphan').parentSpanContext).toBeUndefined();
    expect(byName('orphan').spanContext().traceId).not.toBe(turn.spanContext().traceId);
  });

  it('continues a stored carrier and links to another span, as an outbox send does with its turn and the notification that flushes it', async () => {
    let carrier: ReturnType<typeof traceCarrierOf>;
    await inSpan('request', {}, async (_, ctx) => {
      carrier = traceCarrierOf(ctx);
    });
    await inSpan('notification', {}, async (_, callerCtx) => {
      await t.redis.get(`${prefix}:x`);
      await inSpan('send', { parent: contextOfCarrier(carrier), links: linksTo(callerCtx) }, async () => undefined);
    });
    const send = byName('send');
    expect(send.spanContext().traceId).toBe(byName('request').spanContext().traceId);
    expect(send.links[0]!.context.spanId).toBe(byName('notification').spanContext().spanId);
  });

  it('records no Redis command spans: they would need the implicit context', async () => {
    await inSpan('parent', {}, async () => {
      await t.redis.set(`${prefix}:k`, 'v');
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['parent']);
  });
});
