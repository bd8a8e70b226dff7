import { createHash } from 'node:crypto';
import type { BotConnectorRequest, BotConnectorResponse } from '@app/genesys';
import type { TraceCarrier } from '@app/observability';

/**
 * `v1`: Bot Connector, the answer travels only in the HTTP response (a late one waits for the
 * session's next turn). `v2`: Digital Bot Connector, a result that missed the inline window is
 * sent through the outgoing-messages API from the session's outbox.
 */
export type TurnProtocol = 'v1' | 'v2';

/** What the ingress stores per accepted turn; the worker reads it back by turn id. */
export interface TurnEnvelope {
  /** Absent on turns stored before v2 existed: v1. */
  protocol?: TurnProtocol;
  /** Acceptance order within the session (1, 2, ...); set atomically by the turn store on accept. */
  seq: number;
  turnId: string;
  channelId: string;
  /** The bot of the channel this turn resolved to (by chatBot.id, botId as id, or botId as name). */
  botId: string;
  sessionKey: string;
  acceptedAt: number;
  /** When the ingress answers with its fallback at the latest (ms epoch). */
  deadlineAt?: number;
  ingressId: string;
  correlationId?: string;
  request: BotConnectorRequest;
  /** W3C trace context of the webhook request (traceparent, tracestate) when tracing is on; the worker's turn span continues it. */
  trace?: TraceCarrier;
}

export type TurnOutcomeKind = 'reply' | 'handoff' | 'end' | 'failed';

export interface TurnTimings {
  queueWaitMs: number;
  botMs: number;
  renderMs: number;
  totalMs: number;
}

/** The worker's answer to one turn, delivered to the waiting ingress and kept for duplicates. */
export interface TurnResult {
  turnId: string;
  response: BotConnectorResponse;
  outcome: TurnOutcomeKind;
  handoffReason?: string;
  timings: TurnTimings;
  completedAt: number;
}

/**
 * A v2 result waiting in a session's outbox to go out through
 * `POST /api/v2/integrations/botconnectors/outgoing/messages`. Written by the same script that
 * completes the turn, so a result is either answered inline or queued here, never both.
 */
export interface OutboxEntry {
  turnId: string;
  channelId: string;
  botSessionId: string;
  botId: string;
  botVersion: string;
  languageCode: string;
  genesysConversationId?: string;
  result: TurnResult;
  /** Set when the entry is a proactive notification: its record follows the send. */
  notificationId?: string;
  /** The trace of the turn (or notification request) this entry answers; the send continues it. */
  trace?: TraceCarrier;
}

export function sessionKeyOf(channelId: string, botSessionId: string): string {
  return `${channelId}:${botSessionId}`;
}

/** A short, stable digest for ids built from caller-chosen strings (no `:`, not all digits). */
export function stableDigest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
}

/**
 * A turn with a Genesys messageId gets a deterministic id, so a redelivery finds the first
 * delivery; without one, every delivery is a new turn (v1 sends no messageId, and "yes" twice is
 * a legitimate conversation). BullMQ ids must not contain ':' or be all digits, hence the prefix.
 */
export function turnIdOf(channelId: string, botSessionId: string, messageId: string | undefined, unique: () => string): string {
  return messageId ? `m${stableDigest(channelId, botSessionId, messageId)}` : `u${unique()}`;
}

/**
 * The part of a session's stored state that processes other than the worker read (the ingress
 * checks it before accepting a notification for a session). The worker's SessionState extends it.
 */
export interface SessionSummary {
  channelId: string;
  botSessionId: string;
  botId: string;
  genesysConversationId?: string;
  protocol?: TurnProtocol;
  botVersion?: string;
  language: string;
  /** `genesys`: Genesys said the bot session is closed or unknown (a 409 on an outgoing message). */
  closed?: 'handoff' | 'end' | 'failed' | 'genesys';
  lastTurnAt: string;
  timeoutMinutes: number;
}
