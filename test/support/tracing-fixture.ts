import { Redis } from 'ioredis';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { inSpan, startTracing, traceCarrierOf, tracingOn, type TraceSettings } from '@app/observability';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from './redis-test-prefix.js';

/**
 * Tracing started for one spec file, with spans kept in memory (reset before each test) and a
 * Redis client of the suite's own prefix. One per file: the tracer provider is process-global.
 */
export function useTracing(name: string, settings: Omit<TraceSettings, 'url' | 'batch'>) {
  const exporter = new InMemorySpanExporter();
  const fixture = { exporter, prefix: testPrefix(name), redis: undefined as unknown as Redis };
  let shutdown: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    // Before tracing starts, the helpers pass through: no span, no carrier.
    expect(tracingOn()).toBe(false);
    expect(await inSpan('x', {}, async (span) => span)).toBeUndefined();
    expect(traceCarrierOf(undefined)).toBeUndefined();
    const tracing = await startTracing('test', { url: 'http://127.0.0.1:1/v1/traces', batch: {}, ...settings }, undefined, { spanProcessor: new SimpleSpanProcessor({ exporter }) });
    shutdown = () => tracing.shutdown();
    fixture.redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    await fixture.redis.ping();
  });
  afterAll(async () => {
    await deletePrefix(fixture.redis, fixture.prefix);
    fixture.redis.disconnect();
    await shutdown();
    expect(tracingOn()).toBe(false);
  });
  beforeEach(() => exporter.reset());
  return fixture;
}
