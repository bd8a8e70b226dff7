import type { BotResult, CanonicalButton, CanonicalCard, CanonicalMessage } from '../canonical.types.js';
import {
  ContentLimits,
  attachment,
  buttons,
  card,
  carousel,
  degrade,
  handoffOf,
  htmlUnescape,
  isObj,
  list,
  postback,
  quickReplies,
  str,
  text,
  urlButton,
} from '../kit/content.js';

/** What the messages of one Kore answer (`data[]`) say to the customer, and whether one asked for an agent. */
export interface KoreMapped {
  messages: CanonicalMessage[];
  /** Set by the gateway's `agent_transfer` template convention (bot-backends §1 [G]). */
  handoff?: NonNullable<BotResult['handoff']>;
}

type Obj = Record<string, unknown>;

/** Nested arrays and JSON-in-JSON are followed this deep; a deeper `val` is someone's bug, not content. */
const MAX_DEPTH = 4;

/** Kore's samples carry stray whitespace in `type` and `template_type` (`" postback"`). */
const kind = (v: unknown): string => (typeof v === 'string' ? v.trim().toLowerCase() : '');

/** A human string from an answer: trimmed, HTML entities decoded (Kore escapes text as well as JSON). */
const human = (v: unknown): string | undefined => {
  const s = str(v);
  if (s === undefined) return undefined;
  const t = htmlUnescape(s).trim();
  return t || undefined;
};

const items = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, 100) : []);

/**
 * Maps Kore's `data[]` (the synchronous answer's or a poll's) to canonical messages. Items of type
 * `event` are acknowledgements (SESSION_CLOSURE_SUCCESS …) and never shown; every other item is
 * judged by the shape of its `val`, not by its `type` (bot-backends §1 [U]).
 */
export function mapKoreData(data: unknown, into: KoreMapped = { messages: [] }): KoreMapped {
  const list = Array.isArray(data) ? data : isObj(data) ? [data] : [];
  for (const item of list) {
    if (!isObj(item)) continue;
    if (kind(item.type) === 'event') continue;
    if (item.val !== undefined && item.val !== null) mapKoreVal(item.val, into);
    else if (isObj(item.payload)) mapTemplateObject(item, into);
  }
  return into;
}

/**
 * One `val`: a plain string, a template object, the same as a JSON string (bots print
 * `JSON.stringify(message)`), as an HTML-escaped JSON string, or an array of any of these.
 */
export function mapKoreVal(val: unknown, into: KoreMapped, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(val)) {
    for (const v of val.slice(0, 100)) mapKoreVal(v, into, depth + 1);
    return;
  }
  if (isObj(val)) return mapTemplateObject(val, into, depth);
  if (typeof val === 'number' || typeof val === 'boolean') return void into.messages.push(text(String(val)));
  if (typeof val !== 'string') return;
  const s = val.trim();
  if (!s) return;
  const parsed = parseJson(s) ?? parseJson(htmlUnescape(s));
  if (parsed !== undefined) return mapKoreVal(parsed, into, depth + 1);
  into.messages.push(text(htmlUnescape(s)));
}

/** JSON objects and arrays only: `"42"` or `"true"` from a bot are words to show, not values. */
function parseJson(s: string): Obj | unknown[] | undefined {
  const first = s[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    const v: unknown = JSON.parse(s);
    return isObj(v) || Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function mapTemplateObject(o: Obj, into: KoreMapped, depth = 0): void {
  const payload = isObj(o.payload) ? o.payload : undefined;
  const templateType = kind(payload?.template_type ?? o.template_type);
  if (templateType) return mapTemplate(templateType, payload ?? o, into);
  const type = kind(o.type);
  switch (type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'file': {
      const m = attachment(type, payload?.url ?? o.url, { filename: payload?.name ?? payload?.filename });
      return pushOr(into, m, o);
    }
    case 'message': {
      // Kore's audio/video message: a caption and one media URL.
      const p = payload ?? o;
      const caption = human(p.text);
      if (caption) into.messages.push(text(caption));
      const media = p.audioUrl !== undefined ? attachment('audio', p.audioUrl) : p.videoUrl !== undefined ? attachment('video', p.videoUrl) : undefined;
      if (media) into.messages.push(media);
      else if (!caption) pushOr(into, undefined, o);
      return;
    }
    case 'text':
    case '':
      // A nested message item (`{type:"text", val}`) or a template-less object: its val, else its words.
      if (o.val !== undefined && o.val !== null) return mapKoreVal(o.val, into, depth + 1);
      return pushOr(into, undefined, o);
    default:
      return pushOr(into, undefined, o);
  }
}

function pushOr(into: KoreMapped, m: CanonicalMessage | undefined, source: Obj): void {
  const out = m ?? degradeHuman(source);
  if (out) into.messages.push(out);
}

/** The human fields of an object we cannot map, entities decoded; nothing when it has none (never raw JSON). */
function degradeHuman(o: Obj): CanonicalMessage | undefined {
  const m = degrade(o);
  return m && m.type === 'text' ? text(htmlUnescape(m.text)) : m;
}

function koreButton(b: unknown): CanonicalButton | undefined {
  if (!isObj(b)) return undefined;
  const type = kind(b.type);
  if (type === 'web_url' || type === 'url') return urlButton(human(b.title), b.url);
  if (type === 'postback') return postback(human(b.title), str(b.payload)?.trim() || undefined);
  // phone_number, user_intent and anything newer have no Genesys equivalent.
  return undefined;
}

function koreCard(e: Obj): CanonicalCard {
  return card({
    title: human(e.title),
    subtitle: human(e.subtitle),
    imageUrl: e.image_url ?? e.imageUrl,
    defaultAction: koreButton(e.default_action),
    buttons: items(e.buttons).map(koreButton),
  });
}

function mapTemplate(templateType: string, p: Obj, into: KoreMapped): void {
  const body = human(p.text) ?? human(p.heading) ?? '';
  const elements = items(p.elements).filter(isObj);
  switch (templateType) {
    case 'quick_replies': {
      const replies = items(p.quick_replies ?? p.quickReplies)
        .filter(isObj)
        // Facebook-style location/phone/email replies have no Genesys equivalent.
        .filter((r) => r.content_type === undefined || kind(r.content_type) === 'text')
        .map((r) => ({ title: human(r.title), payload: str(r.payload)?.trim() || undefined, imageUrl: r.image_url }));
      return void into.messages.push(quickReplies(body, replies));
    }
    case 'button':
      return void into.messages.push(buttons(body, items(p.buttons).map(koreButton)));
    case 'carousel': {
      const cards = elements.map(koreCard);
      if (!cards.length) return pushOr(into, body ? text(body) : undefined, {});
      return void into.messages.push(carousel(cards, body || undefined));
    }
    case 'list':
      return mapList(body, elements, items(p.buttons).map(koreButton), into);
    case 'agent_transfer': {
      if (body) into.messages.push(text(body));
      into.handoff = handoffOf({ queue: human(p.queue), reason: human(p.reason), summary: human(p.summary) }, ContentLimits.text);
      return;
    }
    default: {
      // table, mini_table, charts, forms, feedback, dropdown …: the words, then element titles as a list.
      if (body) into.messages.push(text(body));
      const titles = elements.map((e) => human(e.title) ?? human(e.label) ?? human(e.value)).filter((t): t is string => !!t);
      const l = list(titles);
      if (l) into.messages.push(l);
      if (!body && !l) pushOr(into, undefined, p);
    }
  }
}

/**
 * Kore's list: plain rows become a bullet list; rows with images or buttons read better as cards
 * (the reference allows either). The list's own buttons follow as one buttons message.
 */
function mapList(body: string, elements: Obj[], listButtons: (CanonicalButton | undefined)[], into: KoreMapped): void {
  const rich = elements.some((e) => e.image_url !== undefined || Array.isArray(e.buttons) || isObj(e.default_action));
  if (rich) {
    into.messages.push(carousel(elements.map(koreCard), body || undefined));
  } else {
    const rows = elements.map((e) => [human(e.title), human(e.subtitle)].filter(Boolean).join(': ')).filter(Boolean);
    const l = list(rows, body || undefined);
    if (l) into.messages.push(l);
  }
  const kept = listButtons.filter((b): b is CanonicalButton => !!b);
  if (kept.length) into.messages.push(buttons(body, kept));
}
