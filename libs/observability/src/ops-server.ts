import http from 'node:http';
import type { GatewayMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';

export interface OpsServerOptions {
  port: number;
  host: string;
  metrics: GatewayMetrics;
  /**
   * Probes, for a process with no other HTTP server (the worker). The ingress answers its probes
   * on the webhook port, where the load balancer looks, so it leaves this out.
   */
  health?: {
    ready: () => Promise<Readiness>;
    /** Every dependency, whatever readiness checks: for dashboards and people, not for balancers. */
    dependencies: () => Promise<Readiness>;
  };
}

/**
 * The small plain-HTTP server both processes serve /metrics on (METRICS_PORT): apart from the
 * webhook port, so a scraper needs no route to the public listener and the public listener
 * shows no internals. Resolves once listening; rejects when the port cannot be bound.
 */
export function startOpsServer(opts: OpsServerOptions): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const probe = (answer: () => Promise<Readiness>) =>
      void answer().then(
        ({ httpStatus, body }) => send(httpStatus, JSON.stringify(body)),
        () => send(503, '{"status":"unavailable","checks":{}}'),
      );
    if (req.method !== 'GET') return send(405, '{"error":"method not allowed"}');
    if (path === '/metrics') {
      void opts.metrics.render().then(
        ({ contentType, body }) => send(200, body, contentType),
        () => send(500, '{"error":"metrics unavailable"}'),
      );
      return;
    }
    if (opts.health && path === '/health/live') return send(200, '{"status":"ok"}');
    if (opts.health && path === '/health/ready') return probe(opts.health.ready);
    if (opts.health && path === '/health/dependencies') return probe(opts.health.dependencies);
    send(404, '{"error":"not found"}');
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail);
      done(server);
    });
  });
}
