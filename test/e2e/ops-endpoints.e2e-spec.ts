import { GatewayHarness, freePort, newSessionBody, testChannel } from '../support/gateway-harness.js';

const ch = testChannel('ops1');
const FULL = 'shutdown,redis,queue,workers';

async function get(url: string): Promise<{ status: number; body: any; type: string | null }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* Prometheus text */
  }
  return { status: res.status, body, type: res.headers.get('content-type') };
}

describe('metrics on METRICS_PORT, probes where they were, readiness a load balancer can live with', () => {
  const gw = new GatewayHarness('opsendpoints', [ch]);

  beforeAll(() => gw.startIngress());
  afterAll(() => gw.stop());
  const running = (kind: 'ingress' | 'worker') => gw.procs.find((p) => p.kind === kind && p.child.exitCode === null && p.child.signalCode === null)!;
  /** The worker's server starts after its consumers (what startWorker waits for). */
  const listening = (url: string) => gw.waitFor(async () => (await fetch(url).catch(() => undefined)) !== undefined, 5000);

  describe('the ingress', () => {
    it('serves /metrics on its own port and no longer on the webhook port', async () => {
      const metrics = await get(`${gw.metricsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.type).toMatch(/^text\/plain/);
      expect(metrics.body).toMatch(/gbg_workers_online\{[^}]*app="ingress"[^}]*\} 0/);
      expect((await get(`${gw.baseUrl}/metrics`)).status).toBe(404);
      // The metrics port is only that: no probes, no API.
      expect((await get(`${gw.metricsUrl}/health/ready`)).status).toBe(404);
      expect((await get(`${gw.metricsUrl}/api/channels`)).status).toBe(404);
    });

    it('by default stays ready without a worker, and says what is missing on /health/dependencies', async () => {
      expect(await get(`${gw.baseUrl}/health/live`)).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await get(`${gw.baseUrl}/health/ready`)).toMatchObject({ status: 200, body: { status: 'ok', checks: { shutdown: 'ok' } } });
      expect(await get(`${gw.baseUrl}/health/dependencies`)).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { redis: 'ok', queue: 'ok', workers: 'none' } } });
      // With no worker the turn still gets the gateway's own answer (the hold at the deadline), not a connection error.
      const res = await gw.turn(ch, newSessionBody('hi'));
      expect(res.status).toBe(200);
      expect(res.body.replyMessages[0].text).toBe('Hold on, still working.');
    }, 15_000);

    it('READINESS_CHECKS puts dependencies back into readiness', async () => {
      await gw.kill(running('ingress'), 'SIGTERM');
      await gw.startIngress({ READINESS_CHECKS: FULL });
      expect(await get(`${gw.baseUrl}/health/ready`)).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { shutdown: 'ok', redis: 'ok', queue: 'ok', workers: 'none' } } });
      await gw.startWorker();
      expect(await get(`${gw.baseUrl}/health/ready`)).toMatchObject({ status: 200, body: { status: 'ok', checks: { shutdown: 'ok', redis: 'ok', queue: 'ok', workers: 'ok (1)' } } });
      expect(await get(`${gw.baseUrl}/health/dependencies`)).toMatchObject({ status: 200, body: { checks: { workers: 'ok (1)' } } });
    });

    it('METRICS_ON_WEBHOOK_PORT keeps /metrics on the webhook port too', async () => {
      await gw.kill(running('ingress'), 'SIGTERM');
      await gw.startIngress({ METRICS_ON_WEBHOOK_PORT: 'true' });
      const [web, own] = [await get(`${gw.baseUrl}/metrics`), await get(`${gw.metricsUrl}/metrics`)];
      expect(web.status).toBe(200);
      expect(web.body).toContain('gbg_turns_total');
      expect(own.status).toBe(200);
    });
  });

  describe('the worker', () => {
    it('serves /metrics and its probes on METRICS_PORT', async () => {
      const port = await freePort();
      await gw.startWorker({ METRICS_PORT: String(port) });
      const base = `http://127.0.0.1:${port}`;
      await listening(`${base}/health/live`);
      const metrics = await get(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/app="worker"/);
      expect(await get(`${base}/health/live`)).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await get(`${base}/health/ready`)).toEqual({ status: 200, body: { status: 'ok', checks: { shutdown: 'ok', redis: 'ok' } }, type: 'application/json' });
      expect(await get(`${base}/health/dependencies`)).toMatchObject({ status: 200, body: { status: 'ok', checks: { redis: 'ok' } } });
    });

    it('still honours the deprecated WORKER_METRICS_PORT, and says so', async () => {
      const port = await freePort();
      const worker = await gw.startWorker({ METRICS_PORT: '', WORKER_METRICS_PORT: String(port), LOG_LEVEL: 'warn' });
      await listening(`http://127.0.0.1:${port}/metrics`);
      expect((await get(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      expect(worker.output.join('')).toMatch(/WORKER_METRICS_PORT is deprecated/);
    });
  });
});
