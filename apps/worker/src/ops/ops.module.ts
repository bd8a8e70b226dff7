import { Module } from '@nestjs/common';
import { HeartbeatService } from './heartbeat.service.js';
import { WorkerMetrics } from './worker-metrics.service.js';

/** The worker's metrics (served by ops-server.ts from main.ts) and its liveness heartbeat. */
@Module({
  providers: [WorkerMetrics, HeartbeatService],
  exports: [WorkerMetrics],
})
export class OpsModule {}
