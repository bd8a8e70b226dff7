import { context, propagation, trace } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import type { TraceSettings } from './trace-settings.js';
import { markTracingOn } from './spans.js';
import { traceRedisCalls } from './redis-spans.js';

export interface FastifyTracingOptions {
  /** Routes (by URL) that get no span: probes, metrics, static files. */
  ignore: (url: string) => boolean;
  /** Names the span and adds the request's safe attributes (route, correlation id); never the body. */
  onRequest?: (span: import('@opentelemetry/api').Span, request: FastifyRequest) => void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is still buffered; bounded by the batch export timeout. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

let current: Tracing = OFF;

/** The running process's tracing (OFF until startTracing); shutdown hooks call it. */
export function currentTracing(): Tracing {
  return current;
}

/**
 * Starts the OpenTelemetry SDK for this process, or nothing when `settings` is undefined (no OTLP
 * endpoint configured): then not even the SDK is loaded. Must run before the Fastify instance is
 * created, since @fastify/otel attaches itself when Fastify initialises.
 */
export async function startTracing(
  app: string,
  settings: TraceSettings | undefined,
  fastify?: FastifyTracingOptions,
  /** Tests: spans go to this processor (an in-memory exporter's) instead of OTLP. */
  testing?: { spanProcessor: import('@opentelemetry/sdk-trace').SpanProcessor },
): Promise<Tracing> {
  if (!settings) return OFF;
  const [{ TracerProvider, BatchSpanProcessor, AlwaysOnSampler, AlwaysOffSampler, ParentBasedSampler, TraceIdRatioBasedSampler }, { resourceFromAttributes }, { W3CTraceContextPropagator }, { AsyncLocalStorageContextManager }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
    import('@opentelemetry/context-async-hooks'),
  ]);
  const exporter = testing
    ? undefined
    : settings.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: settings.url })
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: settings.url });
  const ratio = settings.samplerArg ?? 1;
  const sampler = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => new TraceIdRatioBasedSampler(ratio),
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
  }[settings.sampler]();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName ?? `genesys-bot-gateway-${app}`, 'service.namespace': 'genesys-bot-gateway' }),
    sampler,
    spanProcessors: [testing?.spanProcessor ?? new BatchSpanProcessor({ exporter: exporter!, ...settings.batch })],
  });
  // Our spans pass their parents explicitly. An implicit context (AsyncLocalStorage) is installed
  // only for Redis command spans, which cannot be given one: on Node 20 it puts a hook on every
  // promise, and cost the workers a third more CPU in the capacity benchmark (docs/performance.md).
  if (settings.redisCommands) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  markTracingOn(true);
  const stopRedis = settings.redisCommands ? traceRedisCalls() : () => undefined;

  let stopFastify: (() => void) | undefined;
  if (fastify) {
    const { FastifyOtelInstrumentation } = await import('@fastify/otel');
    const instrumentation = new FastifyOtelInstrumentation({
      // Attaches on Fastify's own initialisation channel, so every route gets the request span.
      registerOnInitialization: true,
      // One span per request: hook and handler spans would double the cost and say little.
      instrumentHooks: false,
      instrumentHandler: false,
      // An exception's message can quote input; our filter answers errors, and the status code says enough.
      recordExceptions: false,
      ignorePaths: (route: { url: string }) => fastify.ignore(route.url),
      requestHook: fastify.onRequest,
    });
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
    stopFastify = () => instrumentation.disable();
  }

  current = {
    enabled: true,
    shutdown: async () => {
      stopFastify?.();
      stopRedis();
      markTracingOn(false);
      await provider.shutdown().catch(() => undefined);
      current = OFF;
    },
  };
  return current;
}
