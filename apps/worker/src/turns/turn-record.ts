import { Logger } from '@nestjs/common';
import type { CanonicalUserInput } from '@app/bot-providers';
import { BotState, type BotConnectorResponse, type ReplyMessage } from '@app/genesys';
import type { DrainSessionJob } from '@app/queue';
import type { OutboxEntry, TranscriptEntry, TranscriptRecord, TurnEnvelope, TurnOutcomeKind, TurnResult } from '@app/store';
import type { Degradation, NumberedChoice } from '../rendering/structured-message.renderer.js';
import type { SessionState } from '../sessions/session.types.js';
import type { Context } from '@app/observability';

const logger = new Logger('TurnRecord');

/** What one turn produced: everything the completion script stores atomically. */
export interface TurnOutcome {
  result: TurnResult;
  session: SessionState;
  transcript: TranscriptEntry;
  lateConsumed: number;
}

/** What the step knows about the turn so far; the record is assembled from it. */
export interface TurnContext {
  envelope: TurnEnvelope;
  started: number;
  session: SessionState;
  input: CanonicalUserInput;
  botMs?: number;
  renderMs?: number;
  degradations?: Degradation[];
  choices?: NumberedChoice[];
  payloadAliases?: Record<string, string>;
  error?: string;
  /** The turn's span context (tracing on): the parent of its bot call and rendering spans. */
  traceContext?: Context;
}

export interface RecordExtra {
  handoffReason?: string;
  /** Late results of earlier turns this response delivered. */
  lateConsumed: number;
  /** How many of the response's replies are those late results' (the rest are this turn's). */
  lateDelivered: number;
}

/** Closes the turn: advances the session and assembles the result and its transcript entry. */
export function recordTurn(ctx: TurnContext, response: BotConnectorResponse, outcome: TurnOutcomeKind, extra: RecordExtra): TurnOutcome {
  const { envelope, session, input } = ctx;
  const now = Date.now();
  session.turnIndex++;
  session.lastTurnAt = new Date(now).toISOString();
  session.choices = ctx.choices ?? [];
  session.payloadAliases = ctx.payloadAliases ?? {};
  const timings = {
    queueWaitMs: Math.max(0, ctx.started - envelope.acceptedAt),
    botMs: ctx.botMs ?? 0,
    renderMs: ctx.renderMs ?? 0,
    totalMs: now - envelope.acceptedAt,
  };
  const result: TurnResult = { turnId: envelope.turnId, response, outcome, handoffReason: extra.handoffReason, timings, completedAt: now };
  const transcript: TranscriptEntry = {
    turnId: envelope.turnId,
    seq: envelope.seq,
    at: new Date(envelope.acceptedAt).toISOString(),
    channelId: envelope.channelId,
    botSessionId: envelope.request.botSessionId,
    genesysConversationId: envelope.request.genesysConversationId,
    correlationId: envelope.correlationId,
    messageId: envelope.request.messageId,
    language: session.language,
    input: summarizeInput(input),
    replies: response.replyMessages,
    botState: response.botState,
    intent: response.intent,
    outcome,
    handoffReason: extra.handoffReason,
    degradations: (ctx.degradations ?? []).map(({ from, to, reason }) => ({ from, to, reason })),
    deliveredLate: extra.lateDelivered,
    late: false,
    timings,
    error: ctx.error,
  };
  logger.debug({ channelId: envelope.channelId, botSessionId: envelope.request.botSessionId, genesysConversationId: envelope.request.genesysConversationId, correlationId: envelope.correlationId, turnId: envelope.turnId, outcome, ms: timings.totalMs }, 'turn done');
  return { result, session, transcript, lateConsumed: extra.lateConsumed };
}

/** The turn could not be answered: the session closes as failed, with whatever `before` still delivers. */
export function failedTurn(ctx: TurnContext, code: string, message: string, before: ReplyMessage[] = [], lateConsumed = 0): TurnOutcome {
  ctx.session.closed = 'failed';
  const response: BotConnectorResponse = { botState: BotState.Failed, replyMessages: before, errorInfo: { errorCode: code, errorMessage: message } };
  return recordTurn({ ...ctx, error: message }, response, 'failed', { lateConsumed, lateDelivered: before.length });
}

/** Where a v2 result goes if the ingress stopped waiting for it (the bot and version Genesys named). */
export function outboxEntryOf(envelope: TurnEnvelope, outcome: TurnOutcome): OutboxEntry {
  const req = envelope.request;
  return {
    turnId: envelope.turnId,
    channelId: envelope.channelId,
    botSessionId: req.botSessionId,
    botId: req.botId ?? envelope.botId,
    botVersion: req.botVersion ?? '',
    languageCode: req.languageCode ?? outcome.session.language,
    genesysConversationId: req.genesysConversationId,
    result: outcome.result,
    ...(envelope.trace ? { trace: envelope.trace } : {}),
  };
}

/**
 * A turn whose record expired before any worker got to it: nothing can be answered any more,
 * but the transcript says so instead of the turn vanishing.
 */
export function expiredTurnRecord(job: DrainSessionJob, turnId: string, retentionSeconds: number): TranscriptRecord {
  return {
    turnId,
    at: new Date().toISOString(),
    channelId: job.channelId,
    botSessionId: job.botSessionId,
    outcome: 'failed',
    error: `turn expired before a worker could run it (TURN_RETENTION_SECONDS=${retentionSeconds})`,
    replies: [],
    degradations: [],
  };
}

function summarizeInput(input: CanonicalUserInput): TranscriptEntry['input'] {
  return { kind: input.kind, text: input.text, payload: input.payload, attachments: input.attachments.length };
}
