import http from 'node:http';
import type { Readiness } from '@app/observability';
import type { WorkerMetrics } from './worker-metrics.service.js';

/**
 * The worker has no web API; this small server exposes /metrics for Prometheus and
 * /health/live, /health/ready for orchestrators (Kubernetes probes, compose healthchecks).
 */
export function startOpsServer(port: number, host: string, metrics: WorkerMetrics, ready: () => Promise<Readiness>, isClosing: () => boolean): http.Server {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, '{"error":"method not allowed"}');
    if (path === '/metrics') {
      void metrics.m.render().then(
        ({ contentType, body }) => send(200, body, contentType),
        () => send(500, '{"error":"metrics unavailable"}'),
      );
      return;
    }
    if (path === '/health/live') return send(200, '{"status":"ok"}');
    if (path === '/health/ready') {
      if (isClosing()) return send(503, '{"status":"draining"}');
      void ready().then(
        ({ httpStatus, body }) => send(httpStatus, JSON.stringify(body)),
        () => send(503, '{"status":"unavailable"}'),
      );
      return;
    }
    send(404, '{"error":"not found"}');
  });
  server.listen(port, host);
  return server;
}
