import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Latency buckets in seconds. histogram_quantile interpolates linearly inside a bucket, so the
 * bounds must be close where answers are: sub-millisecond (a queue hop, a cached bot), tens to
 * hundreds of ms (bots), and around the 5 s reply deadline (is p99 at 4.5 s or past 5 s?).
 */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 4.5, 5, 6, 7, 10];

/** Redis connection errors, by connection name: both processes export it (one alert covers both). */
export const REDIS_ERRORS_METRIC = 'gbg_redis_errors_total';

/**
 * All gateway metrics, one registry per process. Names are the contract with dashboards, so
 * they live here once; the ingress and the worker each register the ones they produce.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  constructor(app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram(name: string, help: string, labelNames: string[] = []): Histogram<string> {
    return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  /**
   * A counter kept elsewhere (a count since start, per label value), copied in at scrape time.
   * For a fact known in a lib that does not know this registry, such as RedisConnections' errors.
   */
  counterFrom(name: string, help: string, labelName: string, read: () => ReadonlyMap<string, number>): Counter<string> {
    return new Counter({
      name,
      help,
      labelNames: [labelName],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, n] of read()) this.inc({ [labelName]: value }, n);
      },
    });
  }

  gauge(name: string, help: string, labelNames: string[] = [], collect?: (this: Gauge<string>) => Promise<void> | void): Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
