import dc from 'node:diagnostics_channel';
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { errorKind, tracer } from './spans.js';

/** What ioredis 6 publishes on its `ioredis:command` and `ioredis:batch` tracing channels. */
interface RedisTraceMessage {
  command?: string;
  batchMode?: string;
  batchSize?: number;
  database?: number;
  serverAddress?: string;
  serverPort?: number;
  error?: unknown;
}

const COMMAND_CHANNEL = 'ioredis:command';
const BATCH_CHANNEL = 'ioredis:batch';

/**
 * Client spans for Redis calls, from ioredis's own diagnostics channels (no instrumentation package
 * patches ioredis 6). Only calls made inside a recorded span get one: the queue's background
 * polling would otherwise fill the backend with parentless spans. Arguments are never recorded:
 * the completion script's arguments are transcripts and replies.
 */
export function traceRedisCalls(): () => void {
  const spans = new WeakMap<object, Span>();
  const start = (message: unknown) => {
    const m = message as RedisTraceMessage;
    const parent = context.active();
    if (!trace.getSpan(parent)?.isRecording()) return;
    const operation = m.command ? m.command.toUpperCase() : `batch ${m.batchMode ?? 'PIPELINE'}`;
    const span = tracer().startSpan(
      operation,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'redis',
          'db.operation.name': operation,
          ...(m.batchSize !== undefined ? { 'db.operation.batch.size': m.batchSize } : {}),
          ...(m.serverAddress ? { 'server.address': m.serverAddress } : {}),
          ...(m.serverPort !== undefined ? { 'server.port': m.serverPort } : {}),
        },
      },
      parent,
    );
    spans.set(m, span);
  };
  const error = (message: unknown) => {
    const span = spans.get(message as object);
    if (!span) return;
    const kind = errorKind((message as RedisTraceMessage).error);
    span.setAttribute('error.type', kind);
    span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
  };
  const asyncEnd = (message: unknown) => {
    const span = spans.get(message as object);
    if (!span) return;
    spans.delete(message as object);
    span.end();
  };
  const handlers = { start, error, asyncEnd, end: () => undefined, asyncStart: () => undefined };
  const channels = [dc.tracingChannel(COMMAND_CHANNEL), dc.tracingChannel(BATCH_CHANNEL)];
  for (const c of channels) c.subscribe(handlers);
  return () => {
    for (const c of channels) c.unsubscribe(handlers);
  };
}
