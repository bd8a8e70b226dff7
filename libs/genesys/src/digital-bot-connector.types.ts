import type { BotConnectorResponse, BotState } from './bot-connector-v1.types.js';
import type { ReplyMessage } from './structured-message.types.js';
import { BOT_SLOT_TYPES, type BotSlotType } from './bot-list.limits.js';

/**
 * Digital Bot Connector (v2) wire types (reference §3). The request of `POST {base}/messages`
 * has the v1 turn's fields (all required there), so the v1 request type serves both.
 */

/** Entity (slot) types Architect knows: the same set and casing as the v1 slot types (§3.2). */
export const DBC_ENTITY_TYPES = BOT_SLOT_TYPES;
export type DbcEntityType = BotSlotType;

export interface DbcEntity {
  name: string;
  type: DbcEntityType;
}

export interface DbcIntent {
  name: string;
  entities?: DbcEntity[];
}

export interface DbcBotVersion {
  version: string;
  supportedLanguages: string[];
  intents: DbcIntent[];
}

/** One entry of `GET {base}/bots`, and the body of `GET {base}/bots/{botId}`. */
export interface DbcBot {
  id: string;
  name: string;
  provider: string;
  description?: string;
  versions: DbcBotVersion[];
}

/** Values always travel as strings; collections use `values` (§3.4). */
export interface DbcEntityValue {
  name: string;
  type: DbcEntityType;
  value?: string;
  values?: string[];
}

/** The synchronous answer to `/messages`: the v1 vocabulary plus `entities`. */
export interface IncomingMessagesResponse extends BotConnectorResponse {
  entities?: DbcEntityValue[];
}

/**
 * `POST /api/v2/integrations/botconnectors/outgoing/messages` (§3.5). `errorInfo` carries both the
 * spec's keys and the SDK model's (`code`/`message`), since which one Genesys reads is unconfirmed.
 */
export interface OutgoingMessageBody {
  botId: string;
  botVersion: string;
  botSessionId: string;
  languageCode: string;
  botState: BotState;
  intent?: string;
  confidence?: number;
  parameters?: Record<string, string>;
  entities?: DbcEntityValue[];
  replyMessages?: ReplyMessage[];
  errorInfo?: { errorCode: string; errorMessage: string; code: string; message: string };
}

/** 409 codes of the outgoing-messages API (§3.5). */
export const OUTGOING_CONFLICT_CODES = [
  'integration.not.active',
  'session.already.closed',
  'session.not.found',
  'session.bot.id.mismatch',
  'session.bot.version.mismatch',
] as const;
