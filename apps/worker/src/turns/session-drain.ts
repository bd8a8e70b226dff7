import { Injectable, Logger } from '@nestjs/common';
import { WorkerConfig } from '@app/config';
import { SpanAttributes, SpanKind, SpanNames, contextOfCarrier, inSpan, tracingOn, type Context, type Span } from '@app/observability';
import { TURNS_QUEUE, type DrainSessionJob } from '@app/queue';
import { TranscriptStore, TurnStore, type TurnEnvelope, type TurnResult } from '@app/store';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';
import { OutgoingMessageSender } from '../outbox/outgoing-message.sender.js';
import { AfterTurnEffects } from './after-turn.js';
import { TurnStep } from './turn-step.js';
import { expiredTurnRecord, outboxEntryOf } from './turn-record.js';

/** Most turns one drain job runs before yielding the worker slot to other sessions. */
const MAX_TURNS_PER_DRAIN = 200;

/**
 * One job = one session drain: take the session's turns in acceptance order, send what waits in
 * the outbox before each, run the turn (TurnStep) and complete it atomically, whoever else is
 * racing for it (the ingress's fallback claim, a re-run after a crash).
 */
@Injectable()
export class SessionDrain {
  private readonly logger = new Logger(SessionDrain.name);

  constructor(
    private readonly store: TurnStore,
    private readonly transcripts: TranscriptStore,
    private readonly step: TurnStep,
    private readonly outgoing: OutgoingMessageSender,
    private readonly after: AfterTurnEffects,
    private readonly metrics: WorkerMetrics,
    private readonly config: WorkerConfig,
  ) {}

  /**
   * Runs the session's turns in order. `more` says turns are left after this job's share
   * (MAX_TURNS_PER_DRAIN), so the caller queues a follow-up drain instead of stranding them.
   * `jobId` (the BullMQ job's) goes on each turn's span.
   */
  async drainSession(job: DrainSessionJob, jobId?: string): Promise<{ done: number; more: boolean }> {
    let done = 0;
    for (let i = 0; i < MAX_TURNS_PER_DRAIN; i++) {
      const { outboxPending, next } = await this.store.begin(job.sessionKey);
      if (outboxPending > 0) {
        // v2 results of earlier turns (or a crashed run's leftovers) go out before anything newer.
        await this.outgoing.flush(job.sessionKey);
        if (next) {
          i--;
          continue;
        }
      }
      if (!next) return { done, more: false };
      const { turnId, envelope } = next;
      if (!envelope) {
        this.logger.error({ sessionKey: job.sessionKey, turnId }, 'turn record expired before processing; recorded as failed');
        await this.transcripts.append(job.sessionKey, expiredTurnRecord(job, turnId, this.config.TURN_RETENTION_SECONDS));
        await this.store.dropHead(job.sessionKey, turnId);
        continue;
      }
      const { outcome, where } = await this.runTurn(envelope, next.sessionJson, next.late, jobId);
      if (where === 'fenced') {
        this.logger.warn({ sessionKey: job.sessionKey, turnId }, 'turn already completed by another run; stopping this drain');
        return { done, more: false };
      }
      this.metrics.observe(envelope.channelId, outcome.result, where === 'late' || where === 'outbox');
      this.after.turnCompleted(envelope, outcome, next.sessionJson);
      done++;
    }
    return { done, more: true };
  }

  /**
   * Runs and completes one turn inside its span, which continues the webhook request's trace (the
   * envelope carries it). The drain job gets no span of its own: nearly every job runs one turn,
   * and a fifth span per turn cost capacity (docs/performance.md); the job id on each turn's span
   * shows which turns one job ran.
   */
  private runTurn(envelope: TurnEnvelope, sessionJson: string | undefined, late: TurnResult[], jobId: string | undefined) {
    if (!tracingOn()) return this.completeTurn(envelope, sessionJson, late, undefined, undefined);
    const attributes = {
      [SpanAttributes.turnId]: envelope.turnId,
      [SpanAttributes.channelId]: envelope.channelId,
      [SpanAttributes.protocol]: envelope.protocol ?? 'v1',
      [SpanAttributes.seq]: envelope.seq,
      [SpanAttributes.queueWaitMs]: Math.max(0, Date.now() - envelope.acceptedAt),
      [SpanAttributes.messagingSystem]: 'bullmq',
      [SpanAttributes.messagingDestination]: TURNS_QUEUE,
      ...(jobId ? { [SpanAttributes.messagingMessageId]: jobId } : {}),
      ...(envelope.correlationId ? { [SpanAttributes.correlationId]: envelope.correlationId } : {}),
    };
    // A turn stored without trace context (tracing was off at the ingress) starts its own trace.
    return inSpan(SpanNames.turn, { kind: SpanKind.CONSUMER, parent: contextOfCarrier(envelope.trace), attributes }, (span, turnContext) =>
      this.completeTurn(envelope, sessionJson, late, span, turnContext),
    );
  }

  private async completeTurn(envelope: TurnEnvelope, sessionJson: string | undefined, late: TurnResult[], span: Span | undefined, turnContext: Context | undefined) {
    const outcome = await this.step.run(envelope, sessionJson, late, turnContext);
    span?.setAttributes({ [SpanAttributes.outcome]: outcome.result.outcome, ...(outcome.result.handoffReason ? { [SpanAttributes.handoffReason]: outcome.result.handoffReason } : {}) });
    const where = await inSpan(SpanNames.complete, { parent: turnContext }, () =>
      this.store.complete({
        envelope,
        result: outcome.result,
        sessionJson: JSON.stringify(outcome.session),
        sessionTtlMs: outcome.session.timeoutMinutes * 60_000,
        transcript: outcome.transcript,
        transcriptTtlMs: this.transcripts.retentionMs,
        transcriptMaxEntries: this.transcripts.maxEntries,
        lateConsumed: outcome.lateConsumed,
        outbox: envelope.protocol === 'v2' ? outboxEntryOf(envelope, outcome) : undefined,
      }),
    );
    span?.setAttribute(SpanAttributes.answeredBy, where);
    return { outcome, where };
  }
}
