import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IngressConfig } from '@app/config';
import { LoadShedder } from './bot-connector/load-shedder.service.js';
import { GatewayExceptionFilter } from './errors/gateway-exception.filter.js';
import { createValidationPipe } from './errors/validation.pipe.js';
import { trustProxyHops } from './ip-allowlist/trust-proxy.js';
import { IngressMetrics } from './metrics/ingress-metrics.service.js';
import { matchedRoute } from './matched-route.js';

/** The HTTP server settings of the ingress (also used by the benchmark's direct baseline). */
export function createIngressAdapter(config: IngressConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.MAX_BODY_BYTES,
    // Bound slow or stuck clients; Genesys itself waits at most ~10 s for a v1 answer.
    requestTimeout: 15000,
    connectionTimeout: 20000,
    keepAliveTimeout: 75000,
    // Prototype-poisoning keys in a body are refused, not silently kept.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // `req.ip`, which the Genesys source-range check uses (TRUST_PROXY_HOPS; see trust-proxy.ts).
    trustProxy: trustProxyHops(config.TRUST_PROXY_HOPS),
  });
}

/**
 * Arrival stamp and admission control (before the body is parsed or the credential checked),
 * the one exception filter, the validation pipe, and shutdown hooks.
 */
export function configureIngressApp(app: NestFastifyApplication): void {
  const shedder = app.get(LoadShedder);
  const metrics = app.get(IngressMetrics);
  app.getHttpAdapter().getInstance().addHook('onRequest', async (req, reply) => {
    (req as unknown as { receivedAt?: number }).receivedAt = Date.now();
    if (req.method !== 'POST' || !matchedRoute(req).startsWith('/genesys/')) return;
    const overload = shedder.verdict();
    if (overload) {
      metrics.rejected.inc({ reason: `overloaded_${overload}` });
      const body = { botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'overloaded', errorMessage: 'gateway busy; retry shortly' } };
      return reply.code(503).header('retry-after', '1').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
    }
  });
  app.useGlobalFilters(new GatewayExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
}
