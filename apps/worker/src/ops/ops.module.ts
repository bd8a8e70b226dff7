import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@app/redis';
import { HeartbeatService } from './heartbeat.service.js';
import { WorkerMetrics } from './worker-metrics.service.js';

/** The worker's metrics and readiness (main.ts serves them on METRICS_PORT with the ops server of @app/observability) and its liveness heartbeat. */
@Module({
  // No terminus logger: probes poll every few seconds, so an outage would log an error per poll.
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [WorkerMetrics, HeartbeatService, RedisHealthIndicator],
  exports: [WorkerMetrics],
})
export class OpsModule {}
