import { createHash } from 'node:crypto';
import type { BotResult, CanonicalButton, CanonicalCard, CanonicalMessage } from '../canonical.types.js';
import { InvalidBotResultError, validateBotResult } from '../bot-result.validator.js';
import { PermanentBotError } from '../bot-provider.interface.js';

/**
 * What a provider keeps of a backend's rich content (bot-backends §0 "Degrade, never dump"):
 * longer values are clipped and extra items dropped, so a turn never fails because a platform
 * sent a 21st quick reply or a 5000-character text. `summary` is the result validator's limit on
 * `handoff.summary`: a longer one would fail the whole turn.
 */
export const ContentLimits = { title: 200, text: 4000, payload: 1000, items: 20, url: 2048, summary: 2000 } as const;

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
/** A string or number, trimmed; blank → undefined. */
export const trimmed = (v: unknown): string | undefined => str(v)?.trim() || undefined;

export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1).trimEnd()}…`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };

/** `&quot;` `&amp;` `&#39;` `&#x27;` `&#NN;` → characters (Kore sends HTML-escaped JSON and text). */
export function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, e: string) => {
    const named = ENTITIES[e] ?? ENTITIES[e.toLowerCase()];
    if (named) return named;
    const code = e[0] === '#' ? (e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : NaN;
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/** Markdown (Direct Line, LLMs) to plain text: links keep their target, emphasis marks go. */
export function stripMarkdown(s: string): string {
  return s
    .replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, '$1 $2')
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_m, label: string, href: string) => (label === href ? href : `${label} (${href})`))
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[^*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)/g, '$1$2')
    .replace(/`{1,3}([^`]+)`{1,3}/g, '$1')
    .replace(/^\s*[-*+]\s+/gm, '• ')
    .trim();
}

/** SSML to the words it speaks. */
export function stripTags(s: string): string {
  return htmlUnescape(s.replace(/<[^>]*>/g, ' ')).replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim();
}

const httpUrl = (v: unknown): string | undefined => {
  const s = str(v)?.trim();
  return s && s.length <= ContentLimits.url && /^https?:\/\/\S+$/i.test(s) ? s : undefined;
};
export { httpUrl };

export const text = (t: string): CanonicalMessage => ({ type: 'text', text: clip(t, ContentLimits.text) });

export function postback(title: unknown, payload?: unknown): CanonicalButton | undefined {
  const t = str(title)?.trim();
  const p = str(payload) ?? t;
  if (!t && !p) return undefined;
  return { type: 'postback', title: clip(t || p!, ContentLimits.title), payload: clip(p || t!, ContentLimits.payload) };
}

export function urlButton(title: unknown, url: unknown): CanonicalButton | undefined {
  const u = httpUrl(url);
  if (!u) return undefined;
  return { type: 'url', title: clip(str(title)?.trim() || u, ContentLimits.title), url: u };
}

const defined = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);

export function quickReplies(body: string, replies: { title: unknown; payload?: unknown; imageUrl?: unknown }[]): CanonicalMessage {
  const kept = defined(
    replies.map((r) => {
      const b = postback(r.title, r.payload);
      if (!b || b.type !== 'postback') return undefined;
      const imageUrl = httpUrl(r.imageUrl);
      return { title: b.title, payload: b.payload, ...(imageUrl ? { imageUrl } : {}) };
    }),
  ).slice(0, ContentLimits.items);
  if (!kept.length) return text(body);
  return { type: 'quickReplies', text: clip(body, ContentLimits.text), replies: kept };
}

export function buttons(body: string, list: (CanonicalButton | undefined)[]): CanonicalMessage {
  const kept = defined(list).slice(0, ContentLimits.items);
  if (!kept.length) return text(body);
  return { type: 'buttons', text: clip(body, ContentLimits.text), buttons: kept };
}

export function card(c: { title?: unknown; subtitle?: unknown; imageUrl?: unknown; defaultAction?: CanonicalButton; buttons?: (CanonicalButton | undefined)[] }): CanonicalCard {
  const subtitle = str(c.subtitle)?.trim();
  const imageUrl = httpUrl(c.imageUrl);
  const list = defined(c.buttons ?? []).slice(0, ContentLimits.items);
  return {
    title: clip(str(c.title)?.trim() || subtitle || ' ', ContentLimits.title),
    ...(subtitle && str(c.title)?.trim() ? { subtitle: clip(subtitle, ContentLimits.text) } : {}),
    ...(imageUrl ? { imageUrl } : {}),
    ...(c.defaultAction ? { defaultAction: c.defaultAction } : {}),
    ...(list.length ? { buttons: list } : {}),
  };
}

export function carousel(cards: CanonicalCard[], body?: string): CanonicalMessage {
  const kept = cards.slice(0, ContentLimits.items);
  if (kept.length === 1 && !body) return { type: 'card', card: kept[0]! };
  return { type: 'carousel', ...(body ? { text: clip(body, ContentLimits.text) } : {}), cards: kept };
}

export function list(items: string[], title?: string): CanonicalMessage | undefined {
  const kept = items.map((i) => i.trim()).filter(Boolean).slice(0, ContentLimits.items).map((i) => clip(i, ContentLimits.title));
  if (!kept.length) return title ? text(title) : undefined;
  return { type: 'list', ...(title ? { title: clip(title, ContentLimits.title) } : {}), items: kept };
}

export function attachmentKind(mime: string | undefined, fallback: 'image' | 'video' | 'audio' | 'file' = 'file'): 'image' | 'video' | 'audio' | 'file' {
  const m = (mime ?? '').toLowerCase();
  if (m.startsWith('image')) return 'image';
  if (m.startsWith('video')) return 'video';
  if (m.startsWith('audio')) return 'audio';
  return m ? 'file' : fallback;
}

export function attachment(kind: 'image' | 'video' | 'audio' | 'file', url: unknown, extra: { filename?: unknown; mime?: unknown } = {}): CanonicalMessage | undefined {
  const u = httpUrl(url);
  if (!u) return undefined;
  const filename = str(extra.filename)?.trim();
  const mime = str(extra.mime)?.trim();
  return { type: 'attachment', attachment: { kind, url: u, ...(filename ? { filename: clip(filename, ContentLimits.title) } : {}), ...(mime && mime.length <= 200 ? { mime } : {}) } };
}

/** The human fields of something that could not be mapped, as one text (never raw JSON). */
export function degrade(v: unknown): CanonicalMessage | undefined {
  if (!isObj(v)) return typeof v === 'string' && v.trim() ? text(v.trim()) : undefined;
  const payload = isObj(v.payload) ? v.payload : {};
  const parts = defined([str(v.text), str(v.title), str(v.subtitle), str(payload.text), str(payload.heading), str(payload.title)]).map((s) => s.trim()).filter(Boolean);
  const unique = [...new Set(parts)];
  return unique.length ? text(unique.join('\n')) : undefined;
}

/**
 * A handoff from the reason, queue and summary a backend gave: each left out when empty, and
 * clipped to the result's limits (the summary to `summaryMax`).
 */
export function handoffOf(h: { reason?: string; queue?: string; summary?: string }, summaryMax: number = ContentLimits.summary): NonNullable<BotResult['handoff']> {
  return {
    ...(h.reason ? { reason: clip(h.reason, ContentLimits.title) } : {}),
    ...(h.queue ? { queue: clip(h.queue, ContentLimits.title) } : {}),
    ...(h.summary ? { summary: clip(h.summary, summaryMax) } : {}),
  };
}

/**
 * The gateway's own signal convention for backends without native ones (bot-backends [G]: Rasa
 * `custom`, Lex `CustomPayload`, Dialogflow `payload.gateway`): `{handoff}`, `{end}`, `{fallback}`,
 * `{messages}` (canonical messages, validated like an `http` result). Anything else: undefined.
 */
export function gatewaySignals(v: unknown): Partial<BotResult> | undefined {
  if (!isObj(v)) return undefined;
  const out: Partial<BotResult> = {};
  if (isObj(v.handoff) || v.handoff === true) {
    const h = isObj(v.handoff) ? v.handoff : {};
    out.handoff = handoffOf({ reason: str(h.reason), queue: str(h.queue), summary: str(h.summary) });
  }
  if (v.end === true || isObj(v.end)) out.end = {};
  if (v.fallback === true) out.fallback = true;
  if (Array.isArray(v.messages)) {
    try {
      out.messages = validateBotResult({ messages: v.messages }).messages;
    } catch (e) {
      if (e instanceof InvalidBotResultError) throw new PermanentBotError(`the bot's gateway messages are invalid: ${e.problems.slice(0, 3).join('; ')}`);
      throw e;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The backend's user/session id for a Genesys bot session (bot-backends §0 "Identity"): the same for
 * every turn of the session, within the backend's limits, else a hash of it.
 */
export function sessionKey(sessionId: string, limits: { prefix?: string; maxLength: number; pattern?: RegExp }): string {
  const candidate = `${limits.prefix ?? ''}${sessionId}`;
  if (candidate.length <= limits.maxLength && (!limits.pattern || limits.pattern.test(candidate))) return candidate;
  const hash = createHash('sha256').update(sessionId).digest('hex');
  return `${limits.prefix ?? ''}${hash}`.slice(0, limits.maxLength);
}

/** What the customer's turn says to a backend: the payload of a click, else the typed text (bot-backends §0 "Clicks"). */
export const userText = (input: { kind: string; text: string; payload?: string }): string => (input.kind === 'button' && input.payload ? input.payload : input.text);
