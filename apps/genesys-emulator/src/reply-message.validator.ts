import { Problems, isRecord, type ApiErrorDetail } from './api-errors.js';

/**
 * The bot-reply subset of Genesys structured messages (reference §7, DBC-SPEC): `Text` messages
 * (text required, attachments allowed), `Structured` messages (content required) with
 * QuickReply, Card, Carousel and Attachment content. Used twice:
 *  - strictly for the outgoing-messages API (a JSON model; enum values are exact);
 *  - leniently for webhook responses, whose enum values Genesys reads case-insensitively (§2.4).
 */

export interface ReplyValidationOptions {
  /** Compare enum values (`type`, `contentType`, `mediaType`, action `type`) case-insensitively. */
  lenient?: boolean;
}

const MEDIA_TYPES = ['Image', 'Video', 'Audio', 'File', 'Link'];
const CONTENT_TYPES = ['QuickReply', 'Card', 'Carousel', 'Attachment'];
const MAX_CAROUSEL_CARDS = 10; // HELP-CAROUSEL

export function validateReplyMessages(value: unknown, at: string, o: ReplyValidationOptions = {}): ApiErrorDetail[] {
  const p = new Problems();
  if (value === undefined || value === null) return p.list;
  if (!Array.isArray(value)) {
    p.add(at, 'invalid.type', 'must be an array of reply messages');
    return p.list;
  }
  const is = (v: unknown, expected: string) => typeof v === 'string' && (o.lenient ? v.toLowerCase() === expected.toLowerCase() : v === expected);
  const oneOf = (v: unknown, options: string[]) => options.find((x) => is(v, x));
  value.forEach((m, i) => {
    const mAt = `${at}[${i}]`;
    if (!isRecord(m)) return p.add(mAt, 'invalid.type', 'must be an object');
    const type = oneOf(m.type, ['Text', 'Structured']);
    if (!type) return p.add(`${mAt}.type`, 'invalid.value', `must be "Text" or "Structured", got ${JSON.stringify(m.type)}`);
    if (m.text !== undefined && m.text !== null && typeof m.text !== 'string') p.add(`${mAt}.text`, 'invalid.type', 'must be a string');
    if (type === 'Text' && (typeof m.text !== 'string' || m.text === '')) p.add(`${mAt}.text`, 'required', 'a Text message needs a non-empty text');
    const content = m.content;
    if (content === undefined || content === null) {
      if (type === 'Structured') p.add(`${mAt}.content`, 'required', 'a Structured message needs content');
      return;
    }
    if (!Array.isArray(content)) return p.add(`${mAt}.content`, 'invalid.type', 'must be an array');
    if (type === 'Structured' && content.length === 0) p.add(`${mAt}.content`, 'required', 'a Structured message needs at least one content item');
    content.forEach((c, j) => {
      const cAt = `${mAt}.content[${j}]`;
      if (!isRecord(c)) return p.add(cAt, 'invalid.type', 'must be an object');
      const ct = oneOf(c.contentType, CONTENT_TYPES);
      if (!ct) return p.add(`${cAt}.contentType`, 'invalid.value', `must be one of ${CONTENT_TYPES.join(', ')} in a bot reply, got ${JSON.stringify(c.contentType)}`);
      // Attachments ride on Text messages (text is the caption); the rest need a Structured message.
      if (type === 'Text' && ct !== 'Attachment') p.add(`${cAt}.contentType`, 'invalid.value', `${ct} content needs a Structured message; a Text message carries attachments only`);
      switch (ct) {
        case 'QuickReply':
          checkQuickReply(c.quickReply, `${cAt}.quickReply`, p);
          break;
        case 'Card':
          checkCard(c.card, `${cAt}.card`, p, is, new Set());
          break;
        case 'Carousel':
          checkCarousel(c.carousel, `${cAt}.carousel`, p, is);
          break;
        case 'Attachment':
          checkAttachment(c.attachment, `${cAt}.attachment`, p, oneOf);
          break;
      }
    });
  });
  return p.list;
}

function checkQuickReply(q: unknown, at: string, p: Problems): void {
  if (!isRecord(q)) return p.add(at, 'required', 'quickReply {text, payload} is required');
  if (typeof q.text !== 'string' || q.text === '') p.add(`${at}.text`, 'required', 'is required (it is also the text echoed when clicked)');
  if (typeof q.payload !== 'string' || q.payload === '') p.add(`${at}.payload`, 'required', 'is required');
}

type Is = (v: unknown, expected: string) => boolean;

/** `buttons` holds text+payload pairs already used in this card or carousel: Genesys needs them unique. */
function checkCard(card: unknown, at: string, p: Problems, is: Is, buttons: Set<string>): void {
  if (!isRecord(card)) return p.add(at, 'required', 'card {title, actions} is required');
  if (typeof card.title !== 'string' || card.title === '') p.add(`${at}.title`, 'required', 'is required');
  for (const k of ['description', 'image', 'video'] as const) if (card[k] !== undefined && typeof card[k] !== 'string') p.add(`${at}.${k}`, 'invalid.type', 'must be a string');
  if (card.defaultAction !== undefined) checkAction(card.defaultAction, `${at}.defaultAction`, p, is, buttons);
  if (!Array.isArray(card.actions)) return p.add(`${at}.actions`, 'required', 'actions must be an array');
  card.actions.forEach((a, k) => checkAction(a, `${at}.actions[${k}]`, p, is, buttons));
}

function checkAction(a: unknown, at: string, p: Problems, is: Is, buttons: Set<string>): void {
  if (!isRecord(a)) return p.add(at, 'invalid.type', 'must be an object');
  if (typeof a.text !== 'string' || a.text === '') p.add(`${at}.text`, 'required', 'is required');
  if (is(a.type, 'Link')) {
    if (typeof a.url !== 'string' || !/^https?:\/\//i.test(a.url)) p.add(`${at}.url`, 'required', 'a Link action needs an http(s) url');
  } else if (is(a.type, 'Postback')) {
    if (typeof a.payload !== 'string' || a.payload === '') p.add(`${at}.payload`, 'required', 'a Postback action needs a payload');
    const key = `${String(a.text)}\u0000${String(a.payload)}`;
    if (buttons.has(key)) p.add(at, 'duplicate', 'text+payload must be unique across the card or carousel, or Genesys cannot tell which button was clicked');
    buttons.add(key);
  } else {
    p.add(`${at}.type`, 'invalid.value', `must be "Link" or "Postback", got ${JSON.stringify(a.type)}`);
  }
}

function checkCarousel(c: unknown, at: string, p: Problems, is: Is): void {
  if (!isRecord(c) || !Array.isArray(c.cards) || c.cards.length === 0) return p.add(`${at}.cards`, 'required', 'a carousel needs at least one card');
  if (c.cards.length > MAX_CAROUSEL_CARDS) p.add(`${at}.cards`, 'max.items', `at most ${MAX_CAROUSEL_CARDS} cards, got ${c.cards.length}`);
  const buttons = new Set<string>();
  c.cards.forEach((card, k) => checkCard(card, `${at}.cards[${k}]`, p, is, buttons));
}

function checkAttachment(a: unknown, at: string, p: Problems, oneOf: (v: unknown, options: string[]) => string | undefined): void {
  if (!isRecord(a)) return p.add(at, 'required', 'attachment {mediaType, url} is required');
  if (!oneOf(a.mediaType, MEDIA_TYPES)) p.add(`${at}.mediaType`, 'invalid.value', `must be one of ${MEDIA_TYPES.join(', ')}`);
  // The bot connector has no upload step, so a reply attachment is only usable by URL.
  if (typeof a.url !== 'string' || !/^https?:\/\//i.test(a.url)) p.add(`${at}.url`, 'required', 'a reply attachment needs an http(s) url');
}
