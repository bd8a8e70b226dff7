import type { BotResult, CanonicalButton, CanonicalCard, CanonicalMessage } from './canonical.types.js';

/**
 * Bounds on what a bot backend may return. A bot is external input like any other: a buggy or
 * hostile backend must not be able to make the worker build megabyte replies or crash it.
 */
export const BotResultLimits = {
  maxMessages: 100,
  maxTextLength: 20000,
  maxTitleLength: 1000,
  maxPayloadLength: 1000,
  maxUrlLength: 2048,
  maxButtons: 20,
  maxQuickReplies: 1000,
  maxCards: 50,
  maxListItems: 100,
  maxParameters: 50,
  maxStateBytes: 64 * 1024,
} as const;

export class InvalidBotResultError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid bot result: ${problems.slice(0, 5).join('; ')}`);
    this.name = 'InvalidBotResultError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

class Checker {
  readonly problems: string[] = [];

  str(v: unknown, path: string, max: number, required = true): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.problems.push(`${path} is required`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.problems.push(`${path} must be a string`);
      return undefined;
    }
    if (v.length > max) this.problems.push(`${path} is longer than ${max}`);
    return v;
  }

  url(v: unknown, path: string, required = true): string | undefined {
    const s = this.str(v, path, BotResultLimits.maxUrlLength, required);
    if (s !== undefined && !/^https?:\/\/\S+$/i.test(s)) this.problems.push(`${path} must be an http(s) URL`);
    return s;
  }

  arr(v: unknown, path: string, max: number): unknown[] {
    if (!Array.isArray(v)) {
      this.problems.push(`${path} must be an array`);
      return [];
    }
    if (v.length > max) this.problems.push(`${path} has more than ${max} items`);
    return v.slice(0, max);
  }

  button(v: unknown, path: string): CanonicalButton | undefined {
    if (!isObj(v)) return void this.problems.push(`${path} must be an object`);
    const title = this.str(v.title, `${path}.title`, BotResultLimits.maxTitleLength) ?? '';
    if (v.type === 'postback') {
      return { type: 'postback', title, payload: this.str(v.payload, `${path}.payload`, BotResultLimits.maxPayloadLength) ?? '' };
    }
    if (v.type === 'url') return { type: 'url', title, url: this.url(v.url, `${path}.url`) ?? '' };
    this.problems.push(`${path}.type must be "postback" or "url"`);
    return undefined;
  }

  card(v: unknown, path: string): CanonicalCard {
    if (!isObj(v)) {
      this.problems.push(`${path} must be an object`);
      return { title: '' };
    }
    const card: CanonicalCard = { title: this.str(v.title, `${path}.title`, BotResultLimits.maxTitleLength) ?? '' };
    const subtitle = this.str(v.subtitle, `${path}.subtitle`, BotResultLimits.maxTextLength, false);
    if (subtitle !== undefined) card.subtitle = subtitle;
    const imageUrl = this.url(v.imageUrl, `${path}.imageUrl`, false);
    if (imageUrl !== undefined) card.imageUrl = imageUrl;
    if (v.defaultAction !== undefined) card.defaultAction = this.button(v.defaultAction, `${path}.defaultAction`);
    if (v.buttons !== undefined) {
      card.buttons = this.arr(v.buttons, `${path}.buttons`, BotResultLimits.maxButtons)
        .map((b, i) => this.button(b, `${path}.buttons[${i}]`))
        .filter((b): b is CanonicalButton => !!b);
    }
    return card;
  }

  message(v: unknown, path: string): CanonicalMessage | undefined {
    if (!isObj(v)) return void this.problems.push(`${path} must be an object`);
    const L = BotResultLimits;
    switch (v.type) {
      case 'text':
        return { type: 'text', text: this.str(v.text, `${path}.text`, L.maxTextLength) ?? '' };
      case 'quickReplies':
        return {
          type: 'quickReplies',
          text: this.str(v.text, `${path}.text`, L.maxTextLength) ?? '',
          replies: this.arr(v.replies, `${path}.replies`, L.maxQuickReplies).map((r, i) => {
            const p = `${path}.replies[${i}]`;
            const o = isObj(r) ? r : {};
            if (!isObj(r)) this.problems.push(`${p} must be an object`);
            const reply: { title: string; payload: string; imageUrl?: string } = {
              title: this.str(o.title, `${p}.title`, L.maxTitleLength) ?? '',
              payload: this.str(o.payload, `${p}.payload`, L.maxPayloadLength) ?? '',
            };
            const img = this.url(o.imageUrl, `${p}.imageUrl`, false);
            if (img) reply.imageUrl = img;
            return reply;
          }),
        };
      case 'buttons':
        return {
          type: 'buttons',
          text: this.str(v.text, `${path}.text`, L.maxTextLength) ?? '',
          buttons: this.arr(v.buttons, `${path}.buttons`, L.maxButtons)
            .map((b, i) => this.button(b, `${path}.buttons[${i}]`))
            .filter((b): b is CanonicalButton => !!b),
        };
      case 'list': {
        const msg: CanonicalMessage = {
          type: 'list',
          items: this.arr(v.items, `${path}.items`, L.maxListItems).map((it, i) => this.str(it, `${path}.items[${i}]`, L.maxTextLength) ?? ''),
        };
        const title = this.str(v.title, `${path}.title`, L.maxTitleLength, false);
        if (title !== undefined) msg.title = title;
        if (v.ordered !== undefined) msg.ordered = v.ordered === true;
        return msg;
      }
      case 'card':
        return { type: 'card', card: this.card(v.card, `${path}.card`) };
      case 'carousel': {
        const msg: CanonicalMessage = {
          type: 'carousel',
          cards: this.arr(v.cards, `${path}.cards`, L.maxCards).map((c, i) => this.card(c, `${path}.cards[${i}]`)),
        };
        const text = this.str(v.text, `${path}.text`, L.maxTextLength, false);
        if (text !== undefined) msg.text = text;
        return msg;
      }
      case 'attachment': {
        const a = isObj(v.attachment) ? v.attachment : {};
        if (!isObj(v.attachment)) this.problems.push(`${path}.attachment must be an object`);
        const kind = a.kind;
        if (!['image', 'video', 'audio', 'file', 'link'].includes(kind as string)) this.problems.push(`${path}.attachment.kind is not one of image, video, audio, file, link`);
        const att: Extract<CanonicalMessage, { type: 'attachment' }>['attachment'] = {
          kind: kind as 'image',
          url: this.url(a.url, `${path}.attachment.url`) ?? '',
        };
        const filename = this.str(a.filename, `${path}.attachment.filename`, 255, false);
        if (filename) att.filename = filename;
        const mime = this.str(a.mime, `${path}.attachment.mime`, 255, false);
        if (mime) att.mime = mime;
        const caption = this.str(a.caption, `${path}.attachment.caption`, L.maxTextLength, false);
        if (caption) att.caption = caption;
        if (typeof a.sizeBytes === 'number' && Number.isFinite(a.sizeBytes) && a.sizeBytes >= 0) att.sizeBytes = a.sizeBytes;
        return { type: 'attachment', attachment: att };
      }
      default:
        this.problems.push(`${path}.type "${String(v.type).slice(0, 40)}" is not a known message type`);
        return undefined;
    }
  }
}

/** Checks and copies a bot result, keeping only known fields; throws with every problem found. */
export function validateBotResult(raw: unknown): BotResult {
  const c = new Checker();
  if (!isObj(raw)) throw new InvalidBotResultError(['result must be a JSON object']);
  const messages = (raw.messages === undefined ? [] : c.arr(raw.messages, 'messages', BotResultLimits.maxMessages))
    .map((m, i) => c.message(m, `messages[${i}]`))
    .filter((m): m is CanonicalMessage => !!m);
  const result: BotResult = { messages };
  if (raw.handoff !== undefined && raw.handoff !== null) {
    if (!isObj(raw.handoff)) c.problems.push('handoff must be an object');
    else {
      result.handoff = {};
      const reason = c.str(raw.handoff.reason, 'handoff.reason', 200, false);
      if (reason) result.handoff.reason = reason;
      const queue = c.str(raw.handoff.queue, 'handoff.queue', 200, false);
      if (queue) result.handoff.queue = queue;
      const summary = c.str(raw.handoff.summary, 'handoff.summary', 2000, false);
      if (summary) result.handoff.summary = summary;
    }
  }
  if (raw.end !== undefined && raw.end !== null) {
    if (!isObj(raw.end)) c.problems.push('end must be an object');
    else {
      result.end = {};
      const intent = c.str(raw.end.intent, 'end.intent', 100, false);
      if (intent) result.end.intent = intent;
    }
  }
  if (raw.fallback !== undefined) result.fallback = raw.fallback === true;
  const intent = c.str(raw.intent, 'intent', 100, false);
  if (intent) result.intent = intent;
  if (raw.confidence !== undefined) {
    if (typeof raw.confidence !== 'number' || !(raw.confidence >= 0 && raw.confidence <= 1)) c.problems.push('confidence must be a number from 0 to 1');
    else result.confidence = raw.confidence;
  }
  if (raw.parameters !== undefined) {
    if (!isObj(raw.parameters)) c.problems.push('parameters must be an object');
    else {
      const entries = Object.entries(raw.parameters);
      if (entries.length > BotResultLimits.maxParameters) c.problems.push(`parameters has more than ${BotResultLimits.maxParameters} keys`);
      result.parameters = {};
      for (const [k, v] of entries.slice(0, BotResultLimits.maxParameters)) {
        if (['string', 'number', 'boolean'].includes(typeof v)) result.parameters[k.slice(0, 256)] = v as string;
        else c.problems.push(`parameters.${k.slice(0, 40)} must be a string, number or boolean`);
      }
    }
  }
  if (raw.state !== undefined) {
    if (!isObj(raw.state)) c.problems.push('state must be an object');
    else if (Buffer.byteLength(JSON.stringify(raw.state), 'utf8') > BotResultLimits.maxStateBytes) c.problems.push(`state is larger than ${BotResultLimits.maxStateBytes} bytes`);
    else result.state = raw.state;
  }
  if (c.problems.length) throw new InvalidBotResultError(c.problems);
  return result;
}
