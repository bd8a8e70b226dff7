import type { BotResult, CanonicalButton, CanonicalCard, CanonicalMessage } from '../canonical.types.js';
import {
  attachment,
  attachmentKind,
  buttons,
  card,
  carousel,
  clip,
  degrade,
  handoffOf,
  isObj,
  postback,
  quickReplies,
  str,
  stripMarkdown,
  stripTags,
  text,
  urlButton,
} from '../kit/content.js';

type Obj = Record<string, unknown>;

/** Activities that end the bot's turn at once (bot-backends §2). */
export const isTerminal = (a: Obj): boolean => a.type === 'endOfConversation' || (a.type === 'event' && a.name === 'handoff.initiate');

/** Activities that are the bot saying something (typing, trace, conversationUpdate and other events are not). */
export const isContent = (a: Obj): boolean => a.type === 'message' || isTerminal(a);

/** A value sent back when a button is clicked: strings as they are, anything else as its JSON (bot-backends §2). */
function payloadOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isObj(value) || Array.isArray(value)) return JSON.stringify(value);
  return undefined;
}

/** Actions that open something by URL; their `value` is the URL. */
const URL_ACTIONS = new Set(['openUrl', 'downloadFile', 'showImage', 'playAudio', 'playVideo', 'signin']);

/** A Bot Framework CardAction as a canonical button; undefined for kinds we cannot offer (call, unknown). */
export function cardAction(v: unknown): CanonicalButton | undefined {
  if (!isObj(v)) return undefined;
  const type = str(v.type);
  const title = str(v.title)?.trim() || str(v.displayText)?.trim();
  if (type === 'imBack' || type === 'postBack') return postback(title ?? payloadOf(v.value), payloadOf(v.value) ?? title);
  if (type === 'messageBack') {
    const payload = str(v.text) ?? payloadOf(v.value) ?? str(v.displayText);
    return postback(title ?? payload, payload);
  }
  if (type && URL_ACTIONS.has(type)) return urlButton(title, v.value);
  return undefined;
}

const plain = (s: string | undefined, format?: unknown): string => {
  if (!s) return '';
  if (format === 'plain') return s.trim();
  if (format === 'xml') return stripTags(s);
  return stripMarkdown(s);
};

/** Hero and thumbnail cards (same shape): title, or the text when there is no title. */
function richCard(content: Obj): CanonicalCard | undefined {
  const title = plain(str(content.title));
  const subtitle = plain(str(content.subtitle));
  const body = plain(str(content.text));
  const image = Array.isArray(content.images) ? content.images.find(isObj) : undefined;
  const actions = Array.isArray(content.buttons) ? content.buttons.map(cardAction) : [];
  const tap = cardAction(content.tap);
  if (!title && !subtitle && !body && !image && !actions.some(Boolean)) return undefined;
  const heading = title || body || subtitle;
  const rest = title ? [subtitle, body] : body ? [subtitle] : [];
  return card({
    title: heading || ' ',
    subtitle: rest.filter(Boolean).join('\n') || undefined,
    imageUrl: image?.url,
    defaultAction: tap,
    buttons: actions,
  });
}

interface AdaptiveParts {
  texts: string[];
  buttons: (CanonicalButton | undefined)[];
  images: CanonicalMessage[];
}

/** Walks an Adaptive Card's elements for what a messenger can show ([U] degrade, bot-backends §2). */
function walkAdaptive(node: unknown, parts: AdaptiveParts, depth = 0): void {
  if (depth > 12 || parts.texts.length > 100) return;
  if (Array.isArray(node)) return node.forEach((n) => walkAdaptive(n, parts, depth + 1));
  if (!isObj(node)) return;
  switch (node.type) {
    case 'TextBlock':
      if (str(node.text)?.trim()) parts.texts.push(stripMarkdown(str(node.text)!));
      break;
    case 'RichTextBlock':
      if (Array.isArray(node.inlines)) {
        const line = node.inlines.map((i) => (typeof i === 'string' ? i : isObj(i) ? str(i.text) ?? '' : '')).join('').trim();
        if (line) parts.texts.push(line);
      }
      break;
    case 'FactSet':
      if (Array.isArray(node.facts))
        for (const f of node.facts.filter(isObj)) {
          const line = [str(f.title)?.trim(), str(f.value)?.trim()].filter(Boolean).join(': ');
          if (line) parts.texts.push(line);
        }
      break;
    case 'Image': {
      const img = attachment('image', node.url, { filename: str(node.altText) });
      if (img) parts.images.push(img);
      break;
    }
    case 'Action.OpenUrl':
      parts.buttons.push(urlButton(node.title, node.url));
      break;
    case 'Action.Submit':
      // Object data needs the Adaptive Card's inputs, which a messenger cannot render.
      if (typeof node.data === 'string') parts.buttons.push(postback(node.title, node.data));
      break;
  }
  for (const key of ['body', 'items', 'columns', 'actions', 'selectAction', 'images']) if (key in node) walkAdaptive(node[key], parts, depth + 1);
}

function adaptiveCard(content: unknown): CanonicalMessage[] {
  let c = content;
  if (typeof c === 'string') {
    try {
      c = JSON.parse(c);
    } catch {
      return [];
    }
  }
  if (!isObj(c)) return [];
  const parts: AdaptiveParts = { texts: [], buttons: [], images: [] };
  walkAdaptive(c.body, parts);
  walkAdaptive(c.actions, parts);
  const body = parts.texts.join('\n') || plain(str(c.fallbackText)) || plain(str(c.speak));
  const out: CanonicalMessage[] = [];
  if (parts.buttons.some(Boolean)) out.push(buttons(body, parts.buttons));
  else if (body) out.push(text(body));
  return [...out, ...parts.images];
}

/** Audio, video and animation cards: the media itself, its words as text. */
function mediaCard(kind: 'image' | 'video' | 'audio', content: Obj): CanonicalMessage[] {
  const media = Array.isArray(content.media) ? content.media.find(isObj) : undefined;
  const words = degrade({ title: plain(str(content.title)), subtitle: plain(str(content.subtitle)), text: plain(str(content.text)) });
  const att = media ? attachment(kind, media.url, { filename: str(content.title) }) : undefined;
  return [words, att].filter((m): m is CanonicalMessage => !!m);
}

const CARD = 'application/vnd.microsoft.card.';

/** One attachment: a card for carousels, or messages. Unmappable content degrades to its human words. */
function mapAttachment(a: unknown): { card?: CanonicalCard; messages: CanonicalMessage[] } {
  if (!isObj(a)) return { messages: [] };
  const type = (str(a.contentType) ?? '').toLowerCase();
  const content = isObj(a.content) ? a.content : {};
  if (type === `${CARD}hero` || type === `${CARD}thumbnail`) {
    const c = richCard(content);
    return c ? { card: c, messages: [{ type: 'card', card: c }] } : { messages: [] };
  }
  if (type === `${CARD}adaptive`) return { messages: adaptiveCard(a.content) };
  if (type === `${CARD}video`) return { messages: mediaCard('video', content) };
  if (type === `${CARD}audio`) return { messages: mediaCard('audio', content) };
  if (type === `${CARD}animation`) return { messages: mediaCard('image', content) };
  if (type === `${CARD}signin` || type === `${CARD}oauth`) {
    const body = plain(str(content.text)) || plain(str(content.title));
    const list = Array.isArray(content.buttons) ? content.buttons.map(cardAction) : [];
    return { messages: [buttons(body, list)] };
  }
  if (a.contentUrl !== undefined) {
    const m = attachment(attachmentKind(type || undefined), a.contentUrl, { filename: a.name, mime: type || undefined });
    if (m) return { messages: [m] };
  }
  // Receipt cards, unknown cards, media without an http(s) URL: their words only, never raw JSON.
  const words = degrade({ title: str(content.title) ?? str(a.name), subtitle: str(content.subtitle), text: str(content.text) });
  return { messages: words ? [words] : [] };
}

/**
 * A message activity as canonical messages: its text first (with the suggested actions when there
 * are no attachments), then its attachments (several cards in a carousel layout as one carousel),
 * then the suggested actions.
 */
export function mapMessage(a: Obj): CanonicalMessage[] {
  const body = plain(str(a.text), a.textFormat) || (a.text === undefined && str(a.speak) ? stripTags(str(a.speak)!) : '');
  const atts = Array.isArray(a.attachments) ? a.attachments.slice(0, 50).map(mapAttachment) : [];
  const actions = isObj(a.suggestedActions) && Array.isArray(a.suggestedActions.actions) ? a.suggestedActions.actions.filter(isObj).slice(0, 100) : [];
  const mapped = actions.map((x) => ({ x, b: cardAction(x) }));
  const replies = mapped.flatMap(({ x, b }) => (b?.type === 'postback' ? [{ title: b.title, payload: b.payload, imageUrl: x.image }] : []));
  const links = mapped.flatMap(({ b }) => (b?.type === 'url' ? [b] : []));

  const out: CanonicalMessage[] = [];
  const rest: CanonicalMessage[] = [];
  if (a.attachmentLayout === 'carousel' && atts.filter((x) => x.card).length > 1) {
    rest.push(carousel(atts.filter((x) => x.card).map((x) => x.card!)));
    rest.push(...atts.filter((x) => !x.card).flatMap((x) => x.messages));
  } else rest.push(...atts.flatMap((x) => x.messages));

  const hasLinks = links.length > 0;
  const hasReplies = replies.length > 0;
  if (rest.length === 0 && body) {
    // The text carries the choices: links as a button card titled by it, quick replies under it.
    if (hasLinks) out.push(buttons(body, links));
    if (hasReplies) out.push(quickReplies(hasLinks ? '' : body, replies));
    if (!hasLinks && !hasReplies) out.push(text(body));
    return out;
  }
  if (body) out.push(text(body));
  out.push(...rest);
  if (hasLinks) out.push(buttons('', links));
  if (hasReplies) out.push(quickReplies('', replies));
  return out;
}

const PARAM_VALUE_MAX = 1000;

/** A context variable as the string Architect gets (lists joined, objects as compact JSON, clipped). */
function paramString(v: unknown): string | undefined {
  if (typeof v === 'string') return clip(v, PARAM_VALUE_MAX);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) return clip(v.join(', '), PARAM_VALUE_MAX);
  if (v !== null && v !== undefined) return clip(JSON.stringify(v), PARAM_VALUE_MAX);
  return undefined;
}

/**
 * Copilot Studio's transfer (bot-backends §2): [G] queue = value.queue, reason = value.reason ??
 * value.va_AgentMessage, summary = value.summary; the va_* context variables go to Architect.
 */
export function mapHandoff(a: Obj): Pick<BotResult, 'handoff' | 'parameters'> {
  const value = isObj(a.value) ? a.value : {};
  const reason = str(value.reason)?.trim() || str(value.va_AgentMessage)?.trim();
  const queue = str(value.queue)?.trim();
  const summary = str(value.summary)?.trim();
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^va_[A-Za-z0-9_]{1,100}$/.test(k) || Object.keys(parameters).length >= 30) continue;
    const s = paramString(v);
    if (s !== undefined) parameters[k] = s;
  }
  return {
    handoff: handoffOf({ reason, queue, summary }),
    ...(Object.keys(parameters).length ? { parameters } : {}),
  };
}

/** The bot's activities of one turn, in order, as a BotResult (without state). */
export function mapActivities(activities: Obj[]): BotResult {
  const result: BotResult = { messages: [] };
  for (const a of activities) {
    if (a.type === 'message') result.messages.push(...mapMessage(a));
    else if (a.type === 'endOfConversation') {
      result.end = {};
      // Bots often say goodbye in the endOfConversation's own text.
      if (str(a.text)?.trim()) result.messages.push(text(plain(str(a.text))));
    } else if (a.type === 'event' && a.name === 'handoff.initiate') Object.assign(result, mapHandoff(a));
  }
  // bot-result limits: 100 messages; a chatty turn keeps its first ones.
  result.messages = result.messages.slice(0, 100);
  return result;
}
