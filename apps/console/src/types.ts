/**
 * Shapes of the admin API (docs/admin-api.md) as the console reads them. Only what the console
 * uses is typed; everything else passes through untouched.
 */

import type { ProviderConfigField, ProviderDescription } from '../../../libs/bot-providers/src/provider-catalog.js';
import type { BotListDrift } from '../../../libs/genesys-api/src/bot-list-drift.js';

export interface ApiErrorBody {
  error: { code: string; message: string; details?: string[] };
}

export interface User {
  username: string;
  kind?: 'user' | 'api_key' | 'admin_token';
}

export interface LoginAnswer {
  user: User;
  csrfToken: string;
}

export interface MeAnswer {
  user: User;
  csrfToken?: string;
}

export type ChannelStatusKind = 'ready' | 'incomplete' | 'disabled' | 'attention';

export interface ChannelSummary {
  id: string;
  name: string;
  enabled: boolean;
  source: 'api' | 'file';
  status: ChannelStatusKind;
  missing: string[];
}

export type OAuthGrant = 'authorization_code' | 'client_credentials';

export interface ChannelOAuthView {
  clientId: string;
  clientSecretSet: boolean;
  grant: OAuthGrant;
  pkce: boolean;
  scopes: string[];
  /** A login/API host override (the emulator); when set, the region is not where the client secret goes. */
  baseUrl?: string;
}

export interface BotIntent {
  name: string;
  [extra: string]: unknown;
}

export interface BotView {
  id: string;
  name?: string;
  description?: string;
  versions: string[];
  languages: string[];
  intents: BotIntent[];
  provider: BotProviderView;
  [extra: string]: unknown;
}

/** A bot's provider in the channel view: its config without secrets, and which secret paths hold a value. */
export interface BotProviderView {
  name: string;
  timeoutMs?: number;
  retries?: number;
  config?: Record<string, unknown>;
  secretsSet?: string[];
  [extra: string]: unknown;
}

/** One input of a provider's config form (GET /api/bot-providers): the server's own type. */
export type ProviderField = ProviderConfigField;
export type { ProviderDescription };

/** What a publish would change in Genesys's bot list (GET /api/channels/:id/publish): the server's own type. */
export type { BotListDrift, BotVersionRef } from '../../../libs/genesys-api/src/bot-list-drift.js';

export interface ChannelView {
  id: string;
  name: string;
  enabled: boolean;
  source: 'api' | 'file';
  webhookUrl: string;
  dbcUrl?: string;
  oauthCallbackUrl: string;
  genesys: {
    environment: string;
    loginUrl: string;
    integrationId: string | null;
    oauth: ChannelOAuthView | null;
    digitalBotConnector: { secretHeader: string; secretSet: boolean; inlineWindowMs: number } | null;
    participantData: boolean;
    restrictToGenesysIps: boolean;
  };
  app: { clientId: string; secrets: { fingerprint: string; createdAt?: string }[] };
  replyDeadlineMs: number;
  deadlinePolicy: 'hold' | 'handoff';
  holdMessage: string;
  defaultLanguage: string;
  handoff: { intent: string; endIntent: string; defaultQueue?: string; [extra: string]: unknown };
  templates: { profile: string; disable: string[] };
  bots: BotView[];
  notifications: { ratePerSecond: number; from: { sms?: string; whatsapp?: string; open?: string } };
}

export interface AppSecretAnswer {
  clientId: string;
  clientSecret: string;
  fingerprint: string;
  credential: { fieldName: string; value: string };
}

export interface DbcSecretAnswer {
  secretHeader: string;
  secret: string;
}

export type SetupStepId = 'webhook' | 'app' | 'oauth' | 'bots' | 'enabled';

export interface SetupStep {
  id: SetupStepId | string;
  title: string;
  done: boolean;
  detail?: string;
  next?: string | null;
}

export interface OAuthStatus {
  configured?: boolean;
  grant?: OAuthGrant;
  connected: boolean;
  reauthorizeNeeded: boolean;
  reason?: string;
  expiresAt?: string;
  scopes?: string[];
}

export interface ChannelStatus {
  channelId: string;
  steps: SetupStep[];
  lastGenesysContactAt: string | null;
  lastPublish: { at: string; ok: boolean; error?: string } | null;
  oauth: OAuthStatus;
  lastError: { at: string | null; message: string } | null;
}

export interface DoctorCheck {
  id: string;
  title: string;
  ok: boolean;
  detail?: string;
  fix?: string;
  /** A passing check that found something surprising, each with its fix. */
  warnings?: { problem: string; fix: string }[];
  /** Nothing could be checked (e.g. a bot provider without a probe): not a failure. */
  skipped?: boolean;
}

export interface PublishView {
  lastPublish?: { at: string; ok: boolean; integrationId?: string; error?: string; bots?: { id: string; versions: string[] }[] };
  drift?: BotListDrift;
  comparedWith?: 'last_publish' | 'genesys';
}

// ---- Genesys reply messages (the subset the gateway renders, plus what a messenger may show) ----

export interface CardAction {
  type: 'Link' | 'Postback' | string;
  text: string;
  payload?: string;
  url?: string;
}

export interface Card {
  title: string;
  description?: string;
  image?: string;
  video?: string;
  defaultAction?: CardAction;
  actions?: CardAction[];
}

export interface Attachment {
  id?: string;
  mediaType?: 'Image' | 'Video' | 'Audio' | 'File' | 'Link' | string;
  url?: string;
  filename?: string;
  mime?: string;
  contentSizeBytes?: number;
  text?: string;
}

export interface ListItem {
  id?: string;
  title: string;
  subtitle?: string;
  description?: string;
  imageUrl?: string;
  image?: string;
}

export type ReplyContent =
  | { contentType: 'QuickReply'; quickReply: { text: string; payload: string; image?: string } }
  | { contentType: 'ButtonResponse'; buttonResponse: { type?: string; text?: string; payload?: string } }
  | { contentType: 'Card'; card: Card }
  | { contentType: 'Carousel'; carousel: { cards: Card[] } }
  | { contentType: 'Attachment'; attachment: Attachment }
  | { contentType: 'List'; list: { title?: string; description?: string; items: ListItem[] } }
  | { contentType: 'ListPicker'; listPicker: { sections: { title?: string; items: ListItem[] }[] } }
  | { contentType: string; [key: string]: unknown };

export interface ReplyMessage {
  type: 'Text' | 'Structured' | string;
  text?: string;
  content?: ReplyContent[];
}

export type Outcome = 'reply' | 'handoff' | 'end' | 'failed';

export interface TranscriptEntry {
  kind?: 'notification' | 'outgoing_failed';
  turnId: string;
  seq?: number;
  at: string;
  input?: { kind: string; text: string; payload?: string; attachments?: number };
  replies: ReplyMessage[];
  botState?: string;
  intent?: string;
  outcome?: Outcome;
  handoffReason?: string;
  degradations?: { from: string; to: string; reason: string }[];
  deliveredLate?: number;
  late?: boolean;
  timings?: { queueWaitMs?: number; botMs?: number; renderMs?: number; totalMs?: number };
  error?: string;
}

export interface ConversationSummary {
  channelId: string;
  botSessionId: string;
  genesysConversationId?: string;
  lastActivityAt: string;
  turns: number;
  outcome: Outcome;
  handoffReason?: string;
  status: 'open' | 'closed' | 'expired';
}

export interface Transcript {
  channelId: string;
  botSessionId: string;
  genesysConversationId?: string;
  status: 'open' | 'closed' | 'expired';
  /** One page, oldest first. */
  turns: TranscriptEntry[];
  /** Entries the gateway keeps for the session (TRANSCRIPT_MAX_ENTRIES at most). */
  kept: number;
  /** Older entries already dropped to stay within the limit. */
  trimmed: number;
  /** Entries the cursor asked for that were dropped before this read. */
  skipped?: number;
  /** Cursor of the next page, when there is more. */
  next?: string;
}

export interface TestTurnAnswer {
  request: unknown;
  response: { botState?: string; replyMessages?: ReplyMessage[]; intent?: string; errorInfo?: { errorCode: string; errorMessage: string } } | null;
  /** In the contract; the backend may leave it out. */
  status?: number;
  ms: number;
  botSessionId: string;
}

export interface DashboardAnswer {
  /**
   * The contract names the bot latency p50Ms/p95Ms; the ingress currently sends botP50Ms/botP95Ms (both are read).
   * Percentiles come from fine buckets: exact to the millisecond below 32 ms, within about 3% above.
   */
  series: {
    minute: string;
    turns: number;
    handoffs: number;
    deadlineMisses: number;
    p50Ms?: number | null;
    p95Ms?: number | null;
    botP50Ms?: number | null;
    botP95Ms?: number | null;
    botP99Ms?: number | null;
    /** What Genesys waited: request received to response sent. */
    responseP50Ms?: number | null;
    responseP95Ms?: number | null;
    responseP99Ms?: number | null;
  }[];
  handoffsByReason: Record<string, number>;
  queueDepth: number;
  workersOnline: number;
}

export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface NotificationView {
  id: string;
  channelId: string;
  status: NotificationStatus;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  target: { kind: 'session'; botSessionId: string } | { kind: 'address'; messengerType: string; to: string; from?: string };
  genesys?: { status?: number; code?: string; messageId?: string; conversationId?: string; id?: string };
  error?: string;
}
