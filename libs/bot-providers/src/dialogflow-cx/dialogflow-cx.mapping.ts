import { PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalButton, CanonicalMessage } from '../canonical.types.js';
import {
  attachment,
  buttons,
  card,
  clip,
  ContentLimits,
  degrade,
  gatewaySignals,
  handoffOf,
  isObj,
  list,
  postback,
  quickReplies,
  str,
  text,
  trimmed,
  urlButton,
} from '../kit/content.js';

type Obj = Record<string, unknown>;

/** Response messages meant for voice, analytics or telephony: nothing to show in a chat (bot-backends §5). */
const NOT_SHOWN = new Set(['conversationSuccess', 'outputAudioText', 'playAudio', 'mixedAudio', 'telephonyTransferCall', 'knowledgeInfoCard', 'endInteraction', 'liveAgentHandoff']);
/** Fields beside the message's kind. */
const META = new Set(['channel', 'responseType', 'source']);
/** The result validator's limit for a handoff summary. */
const SUMMARY_MAX = 2000;
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_PARAMETERS = 50;


/**
 * Chips and buttons come after the text that asks the question: that text becomes their prompt, so
 * Genesys shows one message with choices rather than a text followed by a bare row of buttons.
 */
function takePrompt(out: CanonicalMessage[]): string {
  const last = out.at(-1);
  if (last?.type !== 'text') return '';
  out.pop();
  return last.text;
}

const imageUrlOf = (item: Obj): unknown => (isObj(item.image) && isObj(item.image.src) ? item.image.src.rawUrl : undefined);

/** One `richContent` group (an inner array): consecutive buttons and list items become one message each. */
function mapRichGroup(group: unknown[], out: CanonicalMessage[]): void {
  let pendingButtons: (CanonicalButton | undefined)[] = [];
  let pendingList: string[] = [];
  const flush = () => {
    if (pendingButtons.length) out.push(buttons(takePrompt(out), pendingButtons));
    if (pendingList.length) {
      const m = list(pendingList);
      if (m) out.push(m);
    }
    pendingButtons = [];
    pendingList = [];
  };
  for (const item of group) {
    if (!isObj(item)) continue;
    const type = str(item.type);
    if (type === 'button') {
      if (pendingList.length) flush();
      pendingButtons.push(item.link !== undefined ? urlButton(item.text, item.link) : postback(item.text));
      continue;
    }
    if (type === 'list') {
      if (pendingButtons.length) flush();
      const title = trimmed(item.title);
      const subtitle = trimmed(item.subtitle);
      const entry = title && subtitle ? `${title}: ${subtitle}` : (title ?? subtitle);
      if (entry) pendingList.push(entry);
      continue;
    }
    // Messenger separates list entries with dividers: they do not end the list.
    if (type === 'divider') continue;
    flush();
    switch (type) {
      case 'chips': {
        const options = Array.isArray(item.options) ? item.options.filter(isObj) : [];
        const replies = options.filter((o) => o.link === undefined).map((o) => ({ title: o.text, payload: o.text, imageUrl: imageUrlOf(o) }));
        const links = options.filter((o) => o.link !== undefined).map((o) => urlButton(o.text, o.link));
        const prompt = takePrompt(out);
        if (replies.length) out.push(quickReplies(prompt, replies));
        if (links.some(Boolean)) out.push(buttons(replies.length ? '' : prompt, links));
        else if (!replies.length && prompt) out.push(text(prompt));
        break;
      }
      case 'info': {
        const action = urlButton(item.title, item.actionLink);
        out.push({ type: 'card', card: card({ title: item.title, subtitle: item.subtitle, imageUrl: imageUrlOf(item), ...(action ? { defaultAction: action } : {}) }) });
        break;
      }
      case 'accordion': {
        const details = [trimmed(item.subtitle), trimmed(item.text)].filter(Boolean).join('\n');
        out.push({ type: 'card', card: card({ title: item.title ?? details, subtitle: details || undefined, imageUrl: imageUrlOf(item) }) });
        break;
      }
      case 'image': {
        const m = attachment('image', item.rawUrl);
        if (m) out.push(m);
        else if (trimmed(item.accessibilityText)) out.push(text(trimmed(item.accessibilityText)!));
        break;
      }
      case 'description': {
        const lines = [trimmed(item.title), ...(Array.isArray(item.text) ? item.text.map(trimmed) : [trimmed(item.text)])].filter(Boolean);
        if (lines.length) out.push(text(lines.join('\n')));
        break;
      }
      default: {
        // An item type this gateway does not know (Messenger grows): its human words, never its JSON.
        const m = degrade(item);
        if (m) out.push(m);
      }
    }
  }
  flush();
}

function mapPayload(payload: Obj, out: CanonicalMessage[], signals: Partial<BotResult>): void {
  let understood = false;
  if (Array.isArray(payload.richContent)) {
    understood = true;
    for (const group of payload.richContent) mapRichGroup(Array.isArray(group) ? group : [group], out);
  }
  if (payload.gateway !== undefined) {
    understood = true;
    const g = gatewaySignals(payload.gateway);
    if (g?.messages) out.push(...g.messages);
    if (g?.handoff) signals.handoff = g.handoff;
    if (g?.end) signals.end = g.end;
    if (g?.fallback) signals.fallback = true;
  }
  if (!understood) {
    const m = degrade(payload);
    if (m) out.push(m);
  }
}

/** Slot values for Architect: strings, lists joined, composite values (dates, amounts) as compact JSON. */
function parametersOf(raw: unknown): Record<string, string> | undefined {
  if (!isObj(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (Object.keys(out).length >= MAX_PARAMETERS) break;
    if (!PARAM_NAME.test(name) || v === null || v === undefined) continue;
    let value: string;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') value = String(v);
    else if (Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) value = v.join(', ');
    else value = JSON.stringify(v);
    out[name] = clip(value, ContentLimits.payload);
  }
  return Object.keys(out).length ? out : undefined;
}

/** A detectIntent answer (`{responseId, queryResult}`) in the canonical model (bot-backends §5). */
export function mapDetectIntent(body: unknown): BotResult {
  if (!isObj(body) || !isObj(body.queryResult)) throw new PermanentBotError('Dialogflow CX answered without a queryResult');
  const qr = body.queryResult;
  const messages: CanonicalMessage[] = [];
  const signals: Partial<BotResult> = {};
  for (const rm of Array.isArray(qr.responseMessages) ? qr.responseMessages : []) {
    if (!isObj(rm)) continue;
    if (isObj(rm.text)) {
      const parts = Array.isArray(rm.text.text) ? rm.text.text : [rm.text.text];
      for (const t of parts) if (trimmed(t)) messages.push(text(trimmed(t)!));
    } else if (isObj(rm.payload)) {
      mapPayload(rm.payload, messages, signals);
    } else {
      // A kind newer than this mapping: its human words, if it has any.
      for (const [kind, inner] of Object.entries(rm)) {
        if (META.has(kind) || NOT_SHOWN.has(kind) || !isObj(inner)) continue;
        const m = degrade(inner);
        if (m) messages.push(m);
      }
    }
    if (rm.liveAgentHandoff !== undefined) {
      const meta = isObj(rm.liveAgentHandoff) && isObj(rm.liveAgentHandoff.metadata) ? rm.liveAgentHandoff.metadata : {};
      signals.handoff = handoffOf({ reason: trimmed(meta.reason), queue: trimmed(meta.queue), summary: trimmed(meta.summary) }, SUMMARY_MAX);
    }
    if (rm.endInteraction !== undefined) signals.end = {};
  }
  if (signals.handoff?.summary) signals.handoff.summary = clip(signals.handoff.summary, SUMMARY_MAX);

  const result: BotResult = { messages, ...signals };
  const match = isObj(qr.match) ? qr.match : {};
  if (match.matchType === 'NO_MATCH' || match.matchType === 'NO_INPUT') result.fallback = true;
  const intent = trimmed(isObj(qr.intent) ? qr.intent.displayName : undefined) ?? trimmed(isObj(match.intent) ? match.intent.displayName : undefined);
  if (intent) result.intent = clip(intent, 100);
  const confidence = typeof qr.intentDetectionConfidence === 'number' ? qr.intentDetectionConfidence : match.confidence;
  if (typeof confidence === 'number' && Number.isFinite(confidence)) result.confidence = Math.min(1, Math.max(0, confidence));
  const parameters = parametersOf(qr.parameters);
  if (parameters) result.parameters = parameters;
  return result;
}
