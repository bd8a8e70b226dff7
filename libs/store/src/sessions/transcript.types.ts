import type { ReplyMessage } from '@app/genesys';
import type { TurnOutcomeKind, TurnTimings } from '../turns/turn.types.js';

/** One turn of a conversation as kept in the transcript (worker writes, admin API reads). */
export interface TranscriptEntry {
  /**
   * Absent for a turn. `notification`: a proactive message sent into the session (turnId is the
   * notification id). `outgoing_failed`: a v2 reply Genesys did not take (why in `error`). The
   * two carry no input, seq or timings.
   */
  kind?: 'notification' | 'outgoing_failed';
  turnId: string;
  /** Acceptance order within the session. */
  seq: number;
  at: string;
  channelId: string;
  botSessionId: string;
  genesysConversationId?: string;
  correlationId?: string;
  messageId?: string;
  language: string;
  input: { kind: string; text: string; payload?: string; attachments: number };
  replies: ReplyMessage[];
  botState: string;
  intent?: string;
  outcome: TurnOutcomeKind;
  handoffReason?: string;
  /** Template downgrades the channel's messenger forced (carousel → cards → numbered text). */
  degradations: { from: string; to: string; reason: string }[];
  /** Late replies of an earlier turn delivered with this one. */
  deliveredLate: number;
  /** The ingress had already answered with its deadline fallback when this result came. */
  late: boolean;
  timings: TurnTimings;
  error?: string;
}
