/**
 * Genesys normalized ("structured") message content as the Bot Connector accepts it in replies
 * and sends it in input (reference genesys-protocol.md §7). Only the subset the Bot Connector
 * documents is modelled: QuickReply, Card, Carousel and Attachment out; ButtonResponse in.
 */

export type ReplyMessageType = 'Text' | 'Structured';

export type CardActionType = 'Link' | 'Postback';

export interface GenesysCardAction {
  type: CardActionType;
  text: string;
  /** Postback only: what comes back in the ButtonResponse. */
  payload?: string;
  /** Link only. */
  url?: string;
}

export interface GenesysCard {
  title: string;
  description?: string;
  image?: string;
  video?: string;
  defaultAction?: GenesysCardAction;
  actions: GenesysCardAction[];
}

export interface GenesysQuickReply {
  text: string;
  payload: string;
  image?: string;
  action?: 'Message';
}

export type AttachmentMediaType = 'Image' | 'Video' | 'Audio' | 'File' | 'Link';

export interface GenesysAttachment {
  id?: string;
  mediaType: AttachmentMediaType;
  url?: string;
  filename?: string;
  mime?: string;
  sha256?: string;
  contentSizeBytes?: number;
  text?: string;
}

export type ReplyContent =
  | { contentType: 'QuickReply'; quickReply: GenesysQuickReply }
  | { contentType: 'Card'; card: GenesysCard }
  | { contentType: 'Carousel'; carousel: { cards: GenesysCard[] } }
  | { contentType: 'Attachment'; attachment: GenesysAttachment };

export interface ReplyMessage {
  type: ReplyMessageType;
  text?: string;
  content?: ReplyContent[];
}

export type ButtonResponseType = 'Button' | 'QuickReply';

export interface GenesysButtonResponse {
  type?: ButtonResponseType | string;
  text?: string;
  payload?: string;
}
