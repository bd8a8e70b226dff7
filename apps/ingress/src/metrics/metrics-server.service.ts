import type { Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IngressConfig } from '@app/config';
import { startOpsServer } from '@app/observability';
import { IngressMetrics } from './ingress-metrics.service.js';

/**
 * /metrics on METRICS_PORT, apart from the webhook port. Up before the webhook listener and down
 * after the drain, so a scrape during a rolling update still sees the last turns.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly config: IngressConfig,
    private readonly metrics: IngressMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metricsPort;
    if (port === 0) return;
    // Metrics are not worth refusing turns over: a taken port is logged, and the webhooks still start.
    this.server = await startOpsServer({ port, host: this.config.HOST, metrics: this.metrics.m }).catch((e: Error) => {
      this.logger.warn({ port, error: e.message }, 'metrics server could not start');
      return undefined;
    });
  }

  onApplicationShutdown(): void {
    this.server?.close();
  }
}
