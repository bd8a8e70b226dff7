/**
 * The canonical, channel-neutral model a bot author writes. The worker renders it into Genesys
 * reply messages (apps/worker/src/rendering). Documented as JSON Schema in docs/canonical-turn.schema.json.
 */

/** A button: `postback` sends `payload` back as the next user turn; `url` opens a link. */
export type CanonicalButton =
  | { type: 'postback'; title: string; payload: string }
  | { type: 'url'; title: string; url: string };

export interface CanonicalCard {
  title: string;
  subtitle?: string;
  imageUrl?: string;
  /** Tapping the card itself. */
  defaultAction?: CanonicalButton;
  buttons?: CanonicalButton[];
}

export type AttachmentKind = 'image' | 'video' | 'audio' | 'file' | 'link';

export interface CanonicalAttachment {
  kind: AttachmentKind;
  url: string;
  filename?: string;
  mime?: string;
  caption?: string;
  sizeBytes?: number;
}

export type CanonicalMessage =
  | { type: 'text'; text: string }
  | { type: 'quickReplies'; text: string; replies: { title: string; payload: string; imageUrl?: string }[] }
  | { type: 'buttons'; text: string; buttons: CanonicalButton[] }
  | { type: 'list'; title?: string; items: string[]; ordered?: boolean }
  | { type: 'card'; card: CanonicalCard }
  | { type: 'carousel'; text?: string; cards: CanonicalCard[] }
  | { type: 'attachment'; attachment: CanonicalAttachment };

export type CanonicalMessageType = CanonicalMessage['type'];

/** What the customer sent, normalized from Text / Structured ButtonResponse / attachments. */
export interface CanonicalUserInput {
  kind: 'text' | 'button' | 'attachment' | 'empty';
  text: string;
  /** Set when the customer clicked a quick reply or button. */
  payload?: string;
  attachments: CanonicalAttachment[];
}

export interface CanonicalTurn {
  /** Stable id of this turn; use it as the idempotency key toward the bot backend. */
  turnId: string;
  channelId: string;
  bot: { id: string; name: string; version: string };
  session: {
    id: string;
    genesysConversationId?: string;
    turnIndex: number;
    /** Bot-owned state returned by the previous turn (`BotResult.state`). */
    state: Record<string, unknown>;
    /** Parameters Genesys sent (Architect session variables), merged across turns. */
    parameters: Record<string, string>;
  };
  language: string;
  input: CanonicalUserInput;
  correlationId?: string;
  /** Acceptance order of this turn within the session (1, 2, ...). */
  seq: number;
}

export type HandoffReason = 'customer_request' | 'bot_request' | 'repeated_fallback' | 'bot_error' | 'deadline';

export interface BotResult {
  messages: CanonicalMessage[];
  /** The bot asks for a human. */
  handoff?: { reason?: string; queue?: string; summary?: string };
  /** The bot considers the conversation finished. */
  end?: { intent?: string };
  /** The bot did not understand (counts toward the repeated-fallback handoff). */
  fallback?: boolean;
  /** Recognized intent name and confidence, for analytics and Architect. */
  intent?: string;
  confidence?: number;
  /** Values for Architect session variables (coerced to strings on the wire). */
  parameters?: Record<string, string | number | boolean>;
  /** Opaque bot state carried into the next turn. */
  state?: Record<string, unknown>;
}
