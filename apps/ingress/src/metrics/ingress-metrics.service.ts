import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { BotConnectorResponse } from '@app/genesys';
import { GatewayMetrics, REDIS_ERRORS_METRIC } from '@app/observability';
import { DrainRequester, TURNS_QUEUE } from '@app/queue';
import { RedisConnections } from '@app/redis';
import { SessionStore, WorkerRegistry, type TurnResult } from '@app/store';
import { TurnStats } from '../dashboard/turn-stats.js';

/** A session counts as active while it had a turn in this window. */
const ACTIVE_SESSION_WINDOW_MS = 30 * 60 * 1000;

@Injectable()
export class IngressMetrics {
  readonly m = new GatewayMetrics('ingress');
  readonly turns = this.m.counter('gbg_turns_total', 'Turns answered, by channel and outcome', ['channel', 'outcome']);
  readonly latency = this.m.histogram('gbg_turn_latency_seconds', 'Request received to response sent', ['channel']);
  readonly stage = this.m.histogram('gbg_turn_stage_seconds', 'Worker stage latencies: queue_wait, bot_call, render, total', ['channel', 'stage']);
  readonly deadlineMisses = this.m.counter('gbg_deadline_misses_total', 'Turns answered by the deadline fallback', ['channel', 'policy']);
  readonly deferred = this.m.counter('gbg_dbc_deferred_total', 'v2 turns acknowledged with MoreData at the end of the inline window; the reply follows through the outgoing-messages API', ['channel']);
  readonly handoffs = this.m.counter('gbg_handoffs_total', 'Handoffs to an agent, by reason', ['channel', 'reason']);
  readonly duplicates = this.m.counter('gbg_duplicate_turns_total', 'Redelivered turns (same messageId) answered without a second bot call', ['channel']);
  readonly rejected = this.m.counter('gbg_rejected_requests_total', 'Webhook requests refused, by reason (overloaded_queue_age also counts v1 turns answered with the deadline policy at once)', ['reason']);
  readonly replicaWaitsShort = this.m.counter('gbg_redis_wait_short_total', 'Turns refused (503) because fewer than REDIS_WAIT_REPLICAS replicas confirmed them in time', []);
  readonly loginFailures = this.m.counter('gbg_admin_login_failures_total', 'Console logins refused: invalid_credentials (password checked) or throttled (429, not checked)', ['reason']);

  constructor(
    @InjectQueue(TURNS_QUEUE) queue: Queue,
    sessions: SessionStore,
    workers: WorkerRegistry,
    drains: DrainRequester,
    connections: RedisConnections,
    private readonly stats: TurnStats,
  ) {
    this.m.counterFrom(REDIS_ERRORS_METRIC, 'Redis connection errors (refused, reset, timed out) since start, by connection purpose', 'connection', () => connections.errorCounts);
    // Gauges read Redis at scrape time; a failed read leaves the gauge unset rather than failing the whole scrape.
    this.m.gauge('gbg_queue_depth', 'Session drains waiting or running', ['state'], async function () {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized').catch(() => undefined);
      if (!counts) return;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    });
    // Read at scrape time, not from the load shedder's sample: that one is off when SHED_QUEUE_AGE_SAMPLE_MS is 0.
    this.m.gauge('gbg_queue_oldest_waiting_seconds', 'Age of the oldest session drain no worker has taken yet (0 when none waits): a new turn waits at least this long', [], async function () {
      const ms = await drains.oldestWaitingAgeMs().catch(() => undefined);
      if (ms !== undefined) this.set(ms / 1000);
    });
    this.m.gauge('gbg_active_sessions', 'Sessions with a turn in the last 30 minutes', [], async function () {
      const n = await sessions.countActiveSince(Date.now() - ACTIVE_SESSION_WINDOW_MS).catch(() => undefined);
      if (n !== undefined) this.set(n);
    });
    this.m.gauge('gbg_workers_online', 'Worker processes with a recent heartbeat', [], async function () {
      const n = await workers.countAlive().catch(() => undefined);
      if (n !== undefined) this.set(n);
    });
  }

  observeResponse(channel: string, response: BotConnectorResponse, elapsedMs: number, handoffReason?: string): void {
    const outcome = handoffReason ? 'handoff' : response.botState === 'MoreData' ? 'reply' : response.botState === 'Failed' ? 'failed' : 'end';
    this.turns.inc({ channel, outcome });
    this.latency.observe({ channel }, elapsedMs / 1000);
    this.stats.turn(channel, elapsedMs, outcome);
    if (handoffReason) {
      this.handoffs.inc({ channel, reason: handoffReason });
      this.stats.handoff(channel, handoffReason);
    }
  }

  /** The ingress answered with its deadline fallback (v1). */
  deadlineMiss(channel: string, policy: string): void {
    this.deadlineMisses.inc({ channel, policy });
    this.stats.deadlineMiss(channel);
  }

  observeResult(channel: string, result: TurnResult, elapsedMs: number, via: 'worker' | 'duplicate'): void {
    this.turns.inc({ channel, outcome: result.outcome });
    this.latency.observe({ channel }, elapsedMs / 1000);
    this.stats.turn(channel, elapsedMs, result.outcome, via === 'duplicate' ? undefined : result.timings.botMs);
    if (via === 'duplicate') return;
    if (result.outcome === 'handoff') {
      this.handoffs.inc({ channel, reason: result.handoffReason ?? 'unknown' });
      this.stats.handoff(channel, result.handoffReason ?? 'unknown');
    }
    const t = result.timings;
    this.stage.observe({ channel, stage: 'queue_wait' }, t.queueWaitMs / 1000);
    this.stage.observe({ channel, stage: 'bot_call' }, t.botMs / 1000);
    this.stage.observe({ channel, stage: 'render' }, t.renderMs / 1000);
    this.stage.observe({ channel, stage: 'total' }, t.totalMs / 1000);
  }
}
