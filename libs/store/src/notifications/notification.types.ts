import type { TraceCarrier } from '@app/observability';
import type { CanonicalMessage } from '@app/bot-providers';

export type AgentlessMessengerType = 'sms' | 'whatsapp' | 'open';

/**
 * Where a notification goes: into an open Digital Bot Connector session (rendered like a bot
 * reply, sent through the outgoing-messages API), or to an address through Genesys's agentless
 * API (text only, reference §6.1).
 */
export type NotificationTarget =
  | { kind: 'session'; botSessionId: string }
  | { kind: 'address'; messengerType: AgentlessMessengerType; to: string; from: string; useExistingActiveConversation: boolean };

export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface NotificationRecord {
  id: string;
  channelId: string;
  /** SHA-256 of the caller's idempotency key (the key itself may carry business data). */
  idempotencyKeyHash: string;
  target: NotificationTarget;
  /** Plain text, or canonical messages (session targets only). */
  text?: string;
  messages?: CanonicalMessage[];
  /** Address targets: a pre-approved messaging template (Genesys `messagingTemplate`). */
  template?: { responseId: string; headerParameters?: { id: string; value: string }[]; bodyParameters?: { id: string; value: string }[]; buttonUrlParameters?: { id: string; value: string }[] };
  status: NotificationStatus;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  /** What Genesys answered: the ids it returned on success, status and code on failure. */
  genesys?: { status?: number; code?: string; messageId?: string; conversationId?: string; id?: string };
  error?: string;
  /** W3C trace context of the API request that created it (tracing on); the worker's send continues it. */
  trace?: TraceCarrier;
}
