import type { GenesysButtonResponse, ReplyMessage } from './structured-message.types.js';

/** Values of `botState` in a Bot Connector response (reference §2.4). */
export const BotState = {
  MoreData: 'MoreData',
  Complete: 'Complete',
  Failed: 'Failed',
} as const;
export type BotState = (typeof BotState)[keyof typeof BotState];

/** An attachment the customer sent; every field optional because inbound is parsed defensively. */
export interface InputAttachment {
  id?: string;
  mediaType?: string;
  url?: string;
  filename?: string;
  mime?: string;
  sha256?: string;
  contentSizeBytes?: number;
  text?: string;
}

/** Inbound content as Genesys sends it; parsed defensively (reference §2.3). */
export interface InputContent {
  contentType?: string;
  buttonResponse?: GenesysButtonResponse;
  attachment?: InputAttachment;
}

export interface InputMessage {
  type?: string;
  text?: string;
  content?: InputContent[];
  /** A third-party shape puts the button response directly under inputMessage (reference §2.3). */
  buttonResponse?: GenesysButtonResponse;
}

/** The turn Genesys POSTs to the Handle Utterance URI (reference §2.2). */
export interface BotConnectorRequest {
  /** The bot's id or name; may be absent when `chatBot.id` is sent. */
  botId?: string;
  botVersion?: string;
  botSessionId: string;
  messageId?: string;
  inputMessage: InputMessage;
  languageCode?: string;
  botSessionTimeout?: number;
  genesysConversationId?: string;
  parameters?: Record<string, string>;
  chatBot?: { id?: string; name?: string };
}

export interface ErrorInfo {
  errorCode: string;
  errorMessage: string;
}

/** What we answer (reference §2.4). Canonical camelCase always. */
export interface BotConnectorResponse {
  botState: BotState;
  replyMessages: ReplyMessage[];
  intent?: string;
  confidence?: number;
  parameters?: Record<string, string>;
  errorInfo?: ErrorInfo;
}
