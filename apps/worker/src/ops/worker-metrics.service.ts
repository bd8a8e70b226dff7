import { Injectable } from '@nestjs/common';
import { GatewayMetrics, REDIS_ERRORS_METRIC } from '@app/observability';
import { RedisConnections } from '@app/redis';
import type { TurnResult } from '@app/store';

@Injectable()
export class WorkerMetrics {
  readonly m = new GatewayMetrics('worker');
  readonly turns = this.m.counter('gbg_worker_turns_total', 'Turns processed, by channel and outcome', ['channel', 'outcome']);
  readonly stage = this.m.histogram('gbg_worker_stage_seconds', 'Stage latencies: queue_wait, bot_call, render, total', ['channel', 'stage']);
  readonly lateResults = this.m.counter('gbg_worker_late_results_total', 'Results that came after the ingress answered with its fallback', ['channel']);
  readonly botErrors = this.m.counter('gbg_worker_bot_errors_total', 'Bot calls that failed after retries, or skipped by an open circuit', ['channel', 'circuit']);
  readonly handoffs = this.m.counter('gbg_worker_handoffs_total', 'Handoffs decided by the worker, by reason', ['channel', 'reason']);
  readonly outgoing = this.m.counter('gbg_worker_outgoing_messages_total', 'v2 results sent through the outgoing-messages API: sent, dropped (409/4xx, recorded) or given up', ['channel', 'result']);
  readonly outgoingSeconds = this.m.histogram('gbg_worker_outgoing_send_seconds', 'Time from a v2 result entering the outbox to Genesys accepting it', ['channel']);
  readonly activeDrains = this.m.gauge('gbg_worker_active_sessions', 'Session drains running in this process');
  readonly notifications = this.m.counter('gbg_worker_notifications_total', 'Notifications finished, by target (session, address) and result (sent, failed)', ['channel', 'target', 'result']);

  constructor(connections: RedisConnections) {
    this.m.counterFrom(REDIS_ERRORS_METRIC, 'Redis connection errors (refused, reset, timed out) since start, by connection purpose', 'connection', () => connections.errorCounts);
  }

  notificationDone(channel: string, target: 'session' | 'address', result: 'sent' | 'failed'): void {
    this.notifications.inc({ channel, target, result });
  }

  observe(channel: string, r: TurnResult, late: boolean): void {
    this.turns.inc({ channel, outcome: r.outcome });
    if (r.outcome === 'handoff') this.handoffs.inc({ channel, reason: r.handoffReason ?? 'unknown' });
    if (late) this.lateResults.inc({ channel });
    this.stage.observe({ channel, stage: 'queue_wait' }, r.timings.queueWaitMs / 1000);
    this.stage.observe({ channel, stage: 'bot_call' }, r.timings.botMs / 1000);
    this.stage.observe({ channel, stage: 'render' }, r.timings.renderMs / 1000);
    this.stage.observe({ channel, stage: 'total' }, r.timings.totalMs / 1000);
  }
}
