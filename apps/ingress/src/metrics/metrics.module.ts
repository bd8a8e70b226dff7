import { Module } from '@nestjs/common';
import { TurnStatsModule } from '../dashboard/turn-stats.module.js';
import { IngressMetrics } from './ingress-metrics.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsServer } from './metrics-server.service.js';

/** Prometheus metrics, served on METRICS_PORT; every feature that counts something imports this. */
@Module({
  imports: [TurnStatsModule],
  providers: [IngressMetrics, MetricsServer],
  exports: [IngressMetrics],
})
export class MetricsModule {}

/** /metrics on the webhook port too (METRICS_ON_WEBHOOK_PORT), for a scraper that reaches only that port. */
@Module({
  imports: [MetricsModule],
  controllers: [MetricsController],
})
export class WebhookPortMetricsModule {}
