import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IngressConfig } from '@app/config';
import { GATEWAY_ERROR_STATUS } from '@app/errors';
import { LoadShedder, overloaded } from './bot-connector/load-shedder.service.js';
import { GatewayExceptionFilter, webhookErrorBody } from './errors/gateway-exception.filter.js';
import { createValidationPipe } from './errors/validation.pipe.js';
import { trustProxyHops } from './ip-allowlist/trust-proxy.js';
import { IngressMetrics } from './metrics/ingress-metrics.service.js';
import { isWebhookPath, matchedRoute } from './matched-route.js';

/** The answer to a turn refused for load: Genesys retries a 503 (v1 and v2), after Retry-After. */
const OVERLOADED = overloaded();
const OVERLOADED_STATUS = GATEWAY_ERROR_STATUS[OVERLOADED.code];
const OVERLOADED_BODY = JSON.stringify(webhookErrorBody(OVERLOADED));
const OVERLOADED_HEADERS = { 'retry-after': String(OVERLOADED.retryAfterSeconds), 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(OVERLOADED_BODY)) };

/** Marks on the raw request: when it arrived, and that admission already let it in. */
const RECEIVED_AT = Symbol('gbg.receivedAt');
const ADMITTED = Symbol('gbg.admitted');
type StampedRequest = IncomingMessage & { [RECEIVED_AT]?: number; [ADMITTED]?: boolean };

/**
 * The admission decision at the HTTP server itself, before Fastify builds its request and reply
 * and runs its hooks: under overload most requests are refused, so what a refusal costs decides
 * how many the loop can turn away per second and how long each waits for its turn.
 */
class EarlyAdmission {
  decide?: (req: IncomingMessage) => string | undefined;
}
const earlyAdmissions = new WeakMap<FastifyAdapter, EarlyAdmission>();

function isTurnPost(method: string | undefined, path: string): boolean {
  return method === 'POST' && isWebhookPath(path);
}

/** The HTTP server settings of the ingress (also used by the benchmark's direct baseline). */
export function createIngressAdapter(config: IngressConfig): FastifyAdapter {
  const early = new EarlyAdmission();
  const adapter = new FastifyAdapter({
    bodyLimit: config.MAX_BODY_BYTES,
    // Our own server, so that the admission decision runs before Fastify (EarlyAdmission). Fastify
    // applies its timeout options only to servers it creates: they are set here.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      const server = createServer((req: StampedRequest, res: ServerResponse) => {
        // A turn's deadline counts from arrival.
        req[RECEIVED_AT] = Date.now();
        // The raw URL: a percent-encoded path is not matched here and is judged by the onRequest hook.
        if (early.decide && isTurnPost(req.method, req.url ?? '')) {
          if (early.decide(req)) {
            res.writeHead(OVERLOADED_STATUS, OVERLOADED_HEADERS).end(OVERLOADED_BODY);
            return;
          }
          req[ADMITTED] = true;
        }
        handler(req, res);
      });
      // Bound slow or stuck clients; Genesys itself waits at most ~10 s for a v1 answer.
      server.requestTimeout = 15000;
      server.setTimeout(20000);
      server.keepAliveTimeout = 75000;
      return server;
    },
    // Prototype-poisoning keys in a body are refused, not silently kept.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // `req.ip`, which the Genesys source-range check uses (TRUST_PROXY_HOPS; see trust-proxy.ts).
    trustProxy: trustProxyHops(config.TRUST_PROXY_HOPS),
  });
  earlyAdmissions.set(adapter, early);
  return adapter;
}

/**
 * Admission control (at the HTTP server, and in an onRequest hook for turn paths it could not
 * recognise), the one exception filter, the validation pipe, and shutdown hooks.
 */
export function configureIngressApp(app: NestFastifyApplication): void {
  const shedder = app.get(LoadShedder);
  const metrics = app.get(IngressMetrics);
  const refuse = (): string | undefined => {
    const overload = shedder.verdict();
    if (overload) metrics.rejected.inc({ reason: `overloaded_${overload}` });
    return overload;
  };
  const early = earlyAdmissions.get(app.getHttpAdapter() as FastifyAdapter);
  if (early) early.decide = refuse;
  app.getHttpAdapter().getInstance().addHook('onRequest', async (req, reply) => {
    const raw = req.raw as StampedRequest;
    (req as unknown as { receivedAt?: number }).receivedAt = raw[RECEIVED_AT] ?? Date.now();
    if (raw[ADMITTED] || !isTurnPost(req.method, matchedRoute(req))) return;
    if (refuse()) return reply.code(OVERLOADED_STATUS).headers(OVERLOADED_HEADERS).send(OVERLOADED_BODY);
  });
  app.useGlobalFilters(new GatewayExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
}
