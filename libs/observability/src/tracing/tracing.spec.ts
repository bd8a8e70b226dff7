import { useTracing } from '../../../../test/support/tracing-fixture.js';
import { SpanNames } from './span-names.js';
import { contextOfCarrier, errorKind, inSpan, inSpanSync, linksTo, traceCarrierOf, withTraceContext } from './spans.js';
import { otlpTracesUrl } from './trace-settings.js';

/**
 * The tracing helpers with the real SDK and an in-memory exporter, with Redis command spans on
 * (TRACE_REDIS_COMMANDS: an implicit context across awaits) and ioredis's diagnostics channels
 * against the real Redis. tracing-explicit.spec.ts covers the default, explicit-parent mode.
 */
const t = useTracing('tracing', { protocol: 'http/protobuf', sampler: 'parentbased_always_on', redisCommands: true });
const exporter = t.exporter;
const prefix = t.prefix;

const finished = () => exporter.getFinishedSpans();

describe('tracing helpers', () => {
  it('nests spans through awaits and marks a failure with its kind, never its message', async () => {
    await expect(
      inSpan('outer', {}, async () => {
        inSpanSync('inner', {}, () => 1);
        await inSpan('failing', {}, async () => {
          throw Object.assign(new Error('customer said 4111 1111 1111 1111'), { code: 'bad_response' });
        });
      }),
    ).rejects.toThrow('customer said');
    const spans = finished();
    const outer = spans.find((s) => s.name === 'outer')!;
    for (const child of ['inner', 'failing']) expect(spans.find((s) => s.name === child)!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    const failing = spans.find((s) => s.name === 'failing')!;
    expect(failing.status).toEqual({ code: 2, message: 'bad_response' });
    expect(failing.attributes['error.type']).toBe('bad_response');
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.status, s.events]))).not.toContain('4111');
    expect(outer.status.message).toBe('bad_response');
  });

  it('names an error by code or class, and anything else "error"', () => {
    expect(errorKind(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorKind(new TypeError('the customer typed this'))).toBe('TypeError');
    expect(errorKind({ code: 'has spaces: and text', name: '' })).toBe('error');
    expect(errorKind('a string')).toBe('error');
  });

  it('carries a trace through a stored carrier, and ignores a carrier that is not one', async () => {
    let carrier: ReturnType<typeof traceCarrierOf>;
    await inSpan('ingress-side', {}, async (_, ctx) => {
      carrier = traceCarrierOf(ctx);
    });
    expect(carrier!.traceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
    const parent = finished()[0]!;
    exporter.reset();
    await inSpan(SpanNames.turn, { parent: contextOfCarrier(JSON.parse(JSON.stringify(carrier!))) }, async () => undefined);
    const child = finished()[0]!;
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);

    for (const bad of [undefined, null, 'x', {}, { traceparent: 42 }, { traceparent: '00-zz-yy-01' }, { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` }]) {
      expect(contextOfCarrier(bad)).toBeUndefined();
    }
  });

  it('follows the caller: a trace the caller did not sample records nothing here either', async () => {
    const ctx = contextOfCarrier({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00` });
    expect(ctx).toBeDefined();
    await inSpan('not-sampled', { parent: ctx }, async (_, child) => {
      // The decision travels on: the worker's side will not record this trace either.
      expect(traceCarrierOf(child)?.traceparent).toMatch(new RegExp(`^00-${'a'.repeat(32)}-[\\da-f]{16}-00$`));
    });
    expect(finished()).toHaveLength(0);
  });

  it('links to a span (a notification, from the outbox send it flushes) and makes a context active for a block', async () => {
    let links: ReturnType<typeof linksTo> = [];
    let ctxOfOuter: ReturnType<typeof contextOfCarrier>;
    await inSpan('notification', {}, async (_, ctx) => {
      links = linksTo(ctx);
      ctxOfOuter = contextOfCarrier(traceCarrierOf(ctx));
    });
    expect(links).toHaveLength(1);
    expect(links[0]!.context.spanId).toBe(finished()[0]!.spanContext().spanId);
    exporter.reset();
    await withTraceContext(ctxOfOuter, () => inSpan('under', {}, async () => undefined));
    expect(finished()[0]!.parentSpanContext?.spanId).toBe(links[0]!.context.spanId);
  });
});

describe('Redis client spans (ioredis diagnostics channels, real Redis)', () => {
  it('records a command made inside a span, with its name and never its arguments', async () => {
    const value = 'customer wrote jane@example.com';
    await inSpan('parent', {}, async () => {
      await t.redis.set(`${prefix}:k`, value);
      await t.redis.get(`${prefix}:k`);
      await t.redis.multi().get(`${prefix}:k`).exec();
    });
    const spans = finished();
    const parent = spans.find((s) => s.name === 'parent')!;
    const redisSpans = spans.filter((s) => s.attributes['db.system.name'] === 'redis');
    expect(redisSpans.map((s) => s.name)).toEqual(expect.arrayContaining(['SET', 'GET', 'batch MULTI']));
    for (const s of redisSpans) {
      expect(s.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(s.kind).toBe(2);
    }
    expect(JSON.stringify(redisSpans.map((s) => s.attributes))).not.toContain('jane');
    expect(JSON.stringify(redisSpans.map((s) => s.attributes))).not.toContain(prefix);
  });

  it('records nothing for calls outside a span (the queue polling in the background)', async () => {
    await t.redis.get(`${prefix}:k`);
    expect(finished()).toHaveLength(0);
  });

  it('marks a failed command with the error class', async () => {
    await inSpan('parent', {}, async () => {
      await t.redis.call('INCR', `${prefix}:k`).catch(() => undefined);
    });
    const failed = finished().find((s) => s.name === 'INCR')!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['error.type']).toBe('ReplyError');
  });
});

describe('trace settings', () => {
  it('builds the traces URL as the OTLP exporter specification does', () => {
    expect(otlpTracesUrl('http://collector:4318', undefined)).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/', undefined)).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://a:4318', 'http://b:4318/custom')).toBe('http://b:4318/custom');
    expect(otlpTracesUrl(undefined, undefined)).toBeUndefined();
  });
});
