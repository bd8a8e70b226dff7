import type { CanonicalMessage } from '@app/bot-providers';

/** Queue and job of proactive notifications (one job per accepted notification, id = notification id). */
export const NOTIFICATIONS_QUEUE = 'notifications';
export const SEND_NOTIFICATION_JOB = 'send-notification';

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
  status: NotificationStatus;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  /** What Genesys answered: the ids it returned on success, status and code on failure. */
  genesys?: { status?: number; code?: string; messageId?: string; conversationId?: string; id?: string };
  error?: string;
}

export interface SendNotificationJob {
  notificationId: string;
  channelId: string;
}
