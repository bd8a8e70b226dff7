import type { PrivacyPolicy } from '@app/privacy';

/**
 * A channel is one Genesys Bot Connector integration served by this gateway. Loaded from
 * CHANNELS_FILE (validated by channel.schema.ts) and stored in Redis.
 */

export type MessengerProfile = 'webmessaging' | 'whatsapp' | 'sms' | 'open' | 'facebook' | 'instagram' | 'line';

export type TemplateFeature = 'quickReplies' | 'buttons' | 'cards' | 'carousels' | 'linkButtons' | 'attachments';

export type DeadlinePolicy = 'hold' | 'handoff';

export interface ChannelBotProvider {
  /** Name of a registered BotProvider (`demo`, `http`, or your own). */
  name: string;
  /** Provider-specific settings (for `http`: url, headers). */
  config: Record<string, unknown>;
  /** Per-attempt time budget for one bot call. */
  timeoutMs: number;
  /** Extra attempts on transient errors. */
  retries: number;
}

export interface ChannelBotIntent {
  name: string;
  slots?: Record<string, { name: string; type: string }>;
}

export interface ChannelBot {
  id: string;
  name: string;
  description?: string;
  versions: string[];
  languages: string[];
  /** Intents besides the handoff and end intents, which are always registered. */
  intents: ChannelBotIntent[];
  provider: ChannelBotProvider;
}

export interface ChannelHandoffPolicy {
  /** Intent that leaves the bot for an agent (registered in Architect). */
  intent: string;
  /** Intent that ends the conversation normally. */
  endIntent: string;
  /** Hand off after this many fallbacks in a row (0 = never). */
  maxConsecutiveFallbacks: number;
  /** What the customer types to ask for a human, per primary language (`en`, `de`, ...). */
  phrases: Record<string, string[]>;
  /** What to do when the bot fails (after retries) or the circuit is open. */
  onBotError: 'handoff' | 'fail';
  /** Farewell text sent with the handoff, per primary language; `default` is the fallback. */
  farewell: Record<string, string>;
  /** Default ACD queue name passed to Architect when the bot names none. */
  defaultQueue?: string;
  /** How many recent turns the summary parameter covers. */
  summaryTurns: number;
}

export interface ChannelApp {
  clientId: string;
  /** One or more secrets: during rotation both old and new verify. */
  clientSecrets: string[];
}

/** The Genesys Cloud OAuth client the gateway uses to call the Genesys API for this channel. */
export interface ChannelGenesysOAuth {
  clientId: string;
  /** Sealed at rest by the repository (context `channel:<id>:oauthClientSecret`). */
  clientSecret: string;
  grant: 'authorization_code' | 'client_credentials';
  /** PKCE S256 on the authorization code grant. */
  pkce: boolean;
  scopes: string[];
  /** Overrides the login and API hosts (the emulator); origin only. */
  baseUrl?: string;
}

/**
 * The Digital Bot Connector (v2) side of a channel. Genesys sends the integration's connection
 * secret as a header under the name configured in its Credentials (reference §3.1).
 */
export interface ChannelDigitalBotConnector {
  /** Header the connection secret arrives in (compared case-insensitively, as HTTP headers are). */
  secretHeader: string;
  /** Sealed at rest by the repository (context `channel:<id>:dbcSecret`). */
  secret: string;
  /**
   * How long `/messages` waits for the bot before answering `MoreData` with no messages; the
   * reply then goes out through the outgoing-messages API.
   */
  inlineWindowMs: number;
}

export interface ChannelGenesys {
  environment: string;
  /** The v1 Bot Connector integration id, for publishing the bot list. */
  integrationId?: string;
  oauth?: ChannelGenesysOAuth;
  digitalBotConnector?: ChannelDigitalBotConnector;
  /**
   * Write the handoff context to the customer's participant attributes (Participant Data) through
   * the Genesys API. Default: on when the OAuth client can (client credentials, or the
   * `conversations` scope).
   */
  participantData?: boolean;
  /**
   * Accept Bot Connector calls (v1 and v2) only from Genesys's published source ranges
   * (`GET /api/v2/ipranges`, service `bot-connector`), refreshed periodically. Off by default.
   */
  restrictToGenesysIps?: boolean;
}

/** Proactive notifications from business apps (`POST /api/channels/:id/notifications`). */
export interface ChannelNotifications {
  /** Sends per second for this channel, across all workers (Genesys rate-limits per org). */
  ratePerSecond: number;
  /** Default agentless sender per messenger type: an SMS number (E.164) or the integration id. */
  from: Partial<Record<'sms' | 'whatsapp' | 'open', string>>;
}

export interface Channel {
  id: string;
  name: string;
  enabled: boolean;
  /** `file`: from CHANNELS_FILE, overwritten at every start; `api`: created with the admin API. */
  source: 'file' | 'api';
  genesys: ChannelGenesys;
  app: ChannelApp;
  replyDeadlineMs: number;
  deadlinePolicy: DeadlinePolicy;
  holdMessage: string;
  defaultLanguage: string;
  handoff: ChannelHandoffPolicy;
  templates: { profile: MessengerProfile; disable: TemplateFeature[] };
  circuitBreaker: { failureThreshold: number; cooldownMs: number };
  bots: ChannelBot[];
  notifications: ChannelNotifications;
  /**
   * What the gateway redacts from the text it stores or hands to agents for this channel
   * (libs/privacy). Absent on channels stored before the field existed: the default policy.
   */
  privacy?: PrivacyPolicy;
}
