// The worker's spans for one v1 turn, as the gateway makes them: turn, bot.call, render and
// turn.complete, with their attributes. Shared by the SDK-only benchmarks (span-cost, export-block).
import { createRequire } from 'node:module';

const api = createRequire(import.meta.url)('@opentelemetry/api');

/** A turn that continues the ingress's trace, as a queued turn's carrier would. */
const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

export function workerTurnSpans(tracer, i, turnId = `turn-${i}`) {
  const parent = api.propagation.extract(api.ROOT_CONTEXT, carrier);
  const span = tracer.startSpan('turn', { kind: api.SpanKind.CONSUMER, attributes: { 'gbg.turn.id': turnId, 'gbg.channel.id': 'bench', 'gbg.turn.protocol': 'v1', 'gbg.turn.seq': i, 'gbg.turn.queue_wait_ms': 3, 'messaging.system': 'bullmq', 'messaging.destination.name': 'turns', 'messaging.message.id': String(i) } }, parent);
  const ctx = api.trace.setSpan(parent, span);
  tracer.startSpan('bot.call', { kind: api.SpanKind.CLIENT, attributes: { 'gbg.bot.provider': 'http', 'gbg.bot.attempt': 1 } }, ctx).end();
  tracer.startSpan('render', {}, ctx).end();
  tracer.startSpan('turn.complete', {}, ctx).end();
  span.setAttributes({ 'gbg.turn.outcome': 'reply', 'gbg.turn.answered_by': 'delivered' });
  span.end();
}
