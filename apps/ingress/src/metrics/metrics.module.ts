import { Module } from '@nestjs/common';
import { TurnStatsModule } from '../dashboard/turn-stats.module.js';
import { IngressMetrics } from './ingress-metrics.service.js';
import { MetricsController } from './metrics.controller.js';

/** Prometheus metrics at /metrics; every feature that counts something imports this. */
@Module({
  imports: [TurnStatsModule],
  controllers: [MetricsController],
  providers: [IngressMetrics],
  exports: [IngressMetrics],
})
export class MetricsModule {}
