import { PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalButton, CanonicalMessage } from '../canonical.types.js';
import { BotResultLimits } from '../bot-result.validator.js';
import { attachment, buttons, card, carousel, degrade, gatewaySignals, isObj, postback, quickReplies, str, text, urlButton } from '../kit/content.js';

type Obj = Record<string, unknown>;
type Kind = 'image' | 'video' | 'audio' | 'file';

const KINDS = new Set<Kind>(['image', 'video', 'audio', 'file']);

/** A bare attachment URL says what it is only through its extension. */
function kindOfUrl(url: string): Kind {
  const path = url.split(/[?#]/)[0]!.toLowerCase();
  if (/\.(png|jpe?g|gif|webp|bmp|svg)$/.test(path)) return 'image';
  if (/\.(mp4|webm|mov|m4v)$/.test(path)) return 'video';
  if (/\.(mp3|wav|ogg|oga|m4a|aac)$/.test(path)) return 'audio';
  return 'file';
}

/** A payload is sent back verbatim as the next message; a non-string one (rare) as its JSON. */
const payloadOf = (v: unknown): string | undefined => str(v) ?? (isObj(v) || Array.isArray(v) ? JSON.stringify(v) : undefined);

/** Rasa `{title, payload}`; other channels' `{type: web_url, url}` / `{content_type, title, payload}`. */
function button(b: unknown): CanonicalButton | undefined {
  if (!isObj(b)) return typeof b === 'string' ? postback(b) : undefined;
  const payload = payloadOf(b.payload);
  if (payload !== undefined && payload.trim()) return postback(b.title, payload);
  if (str(b.url)) return urlButton(b.title, b.url);
  return postback(b.title);
}

/** Buttons with only postbacks are quick replies; a url button among them makes it a buttons message. */
function withButtons(body: string, list: unknown[]): CanonicalMessage {
  const mapped = list.map(button).filter((b): b is CanonicalButton => !!b);
  if (mapped.some((b) => b.type === 'url')) return buttons(body, mapped);
  return quickReplies(
    body,
    mapped.map((b) => ({ title: b.title, payload: (b as Extract<CanonicalButton, { type: 'postback' }>).payload })),
  );
}

/** `elements` (Messenger-style generic template) → cards. */
function elements(list: unknown[], body?: string): CanonicalMessage | undefined {
  const cards = list.filter(isObj).map((e) =>
    card({
      title: e.title,
      subtitle: e.subtitle,
      imageUrl: e.image_url ?? e.imageUrl ?? e.image,
      defaultAction: button(e.default_action),
      buttons: Array.isArray(e.buttons) ? e.buttons.map(button) : [],
    }),
  );
  return cards.length ? carousel(cards, body) : undefined;
}

/** `attachment`: a URL string, or `{type, payload: {src | url}}` ([U] both exist). */
function attachmentOf(a: unknown): CanonicalMessage | undefined {
  if (typeof a === 'string') return attachment(kindOfUrl(a.trim()), a);
  if (!isObj(a)) return undefined;
  const payload = isObj(a.payload) ? a.payload : {};
  if (Array.isArray(payload.elements)) return elements(payload.elements, str(payload.text));
  const url = payload.src ?? payload.url ?? a.url ?? a.src;
  const type = str(a.type)?.trim().toLowerCase() as Kind | undefined;
  const kind = type && KINDS.has(type) ? type : typeof url === 'string' ? kindOfUrl(url) : 'file';
  return attachment(kind, url, { filename: payload.name ?? payload.filename ?? payload.title }) ?? degrade(a);
}

/** The gateway's extra `custom` keys for analytics and Architect ([G], documented in docs/providers/rasa.md). */
function customExtras(custom: Obj, out: BotResult): void {
  const intent = str(custom.intent)?.trim();
  if (intent && intent.length <= 100) out.intent = intent;
  if (typeof custom.confidence === 'number' && custom.confidence >= 0 && custom.confidence <= 1) out.confidence = custom.confidence;
  if (isObj(custom.parameters)) {
    const params = { ...(out.parameters ?? {}) };
    for (const [k, v] of Object.entries(custom.parameters)) {
      if (Object.keys(params).length >= BotResultLimits.maxParameters && !(k in params)) break;
      if (!k || k.length > 256) continue;
      if ((typeof v === 'string' && v.length <= 1024) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) params[k] = v;
    }
    if (Object.keys(params).length) out.parameters = params;
  }
}

/** One utterance: its text / buttons / image / attachment / elements, then its `custom` signals. */
function mapUtterance(u: unknown, out: BotResult): void {
  if (typeof u === 'string') {
    if (u.trim()) out.messages.push(text(u.trim()));
    return;
  }
  if (!isObj(u)) return;
  const before = out.messages.length;
  const body = str(u.text)?.trim() ?? '';
  const choices = Array.isArray(u.buttons) && u.buttons.length ? u.buttons : Array.isArray(u.quick_replies) && u.quick_replies.length ? u.quick_replies : undefined;
  if (Array.isArray(u.elements) && u.elements.length) {
    const m = elements(u.elements, body || undefined);
    if (m) out.messages.push(m);
    if (choices) out.messages.push(withButtons('', choices));
  } else if (choices) out.messages.push(withButtons(body, choices));
  else if (body) out.messages.push(text(body));
  if (u.image !== undefined) {
    const m = attachment('image', u.image);
    if (m) out.messages.push(m);
  }
  if (u.attachment !== undefined) {
    const m = attachmentOf(u.attachment);
    if (m) out.messages.push(m);
  }
  const signals = gatewaySignals(u.custom);
  if (signals) {
    if (signals.handoff && !out.handoff) out.handoff = signals.handoff;
    if (signals.end) out.end = {};
    if (signals.fallback) out.fallback = true;
    if (signals.messages) out.messages.push(...signals.messages);
  }
  // Any other `custom` is for other channels: never shown (bot-backends §3).
  if (isObj(u.custom)) customExtras(u.custom, out);
  if (out.messages.length === before && u.custom === undefined && !body) {
    const human = degrade({ title: u.title, subtitle: u.subtitle });
    if (human) out.messages.push(human);
  }
}

/**
 * Rasa's REST answer (a JSON array of utterances, `[]` = nothing to say) → a BotResult
 * (bot-backends §3). An answer that is not an array is the backend's permanent fault.
 */
export function mapRasaAnswer(body: unknown): BotResult {
  if (body === undefined || body === null) return { messages: [] };
  if (!Array.isArray(body)) throw new PermanentBotError('Rasa answered something that is not a list of messages');
  const out: BotResult = { messages: [] };
  for (const u of body.slice(0, BotResultLimits.maxMessages)) mapUtterance(u, out);
  out.messages = out.messages.slice(0, BotResultLimits.maxMessages);
  return out;
}
