import type { FastifyRequest } from 'fastify';
import { SpanAttributes, tracingOn, type Context, type FastifyTracingOptions } from '@app/observability';
import { correlationIdOf } from './bot-connector/webhook-edge.js';
import { isWebhookPath } from './matched-route.js';

/**
 * The ingress's request spans (@fastify/otel): Genesys's webhooks and the admin API; not probes,
 * metrics or the console's files. The span is named by route, and the URL path is recorded
 * without its query string, which carries OAuth codes and state on the callback.
 */
export const ingressRequestTracing: FastifyTracingOptions = {
  ignore: (url) => !(isWebhookPath(url) || url.startsWith('/api/')),
  onRequest: (span, req) => {
    span.updateName(`${req.method} ${req.routeOptions?.url ?? 'unmatched'}`);
    span.setAttribute('url.path', req.url.split('?', 1)[0]!);
    const correlationId = correlationIdOf(req);
    if (correlationId) span.setAttribute(SpanAttributes.correlationId, correlationId);
  },
};

/**
 * The context of the request's span, kept by @fastify/otel on the request. The active context is
 * not used: body parsing runs in the socket's async context, so by the time a controller runs it
 * is no longer the request's.
 */
export function requestTraceContext(req: FastifyRequest): Context | undefined {
  if (!tracingOn()) return undefined;
  return (req as FastifyRequest & { opentelemetry?: () => { context?: Context | null } }).opentelemetry?.().context ?? undefined;
}
