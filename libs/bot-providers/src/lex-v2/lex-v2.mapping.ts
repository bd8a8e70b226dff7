import { PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalMessage } from '../canonical.types.js';
import { card, clip, ContentLimits, gatewaySignals, handoffOf, isObj, postback, str, stripTags, text, trimmed } from '../kit/content.js';
import type { LexV2Config } from './lex-v2.config.js';

/** Lex shows at most 5 buttons on a response card. */
const MAX_CARD_BUTTONS = 5;
const SUMMARY_MAX = 2000;
const MAX_PARAMETERS = 50;
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

const named = (list: string[], name: string | undefined) => !!name && list.some((n) => n.trim().toLowerCase() === name.trim().toLowerCase());

function mapMessage(m: Record<string, unknown>, out: CanonicalMessage[], signals: Partial<BotResult>): void {
  const content = str(m.content);
  switch (m.contentType) {
    case 'PlainText':
      if (content?.trim()) out.push(text(content.trim()));
      return;
    case 'SSML': {
      // Tags become spaces; an emphasised last word must not leave one before its full stop.
      const words = content ? stripTags(content).replace(/ +(?=[.,!?;:])/g, '') : '';
      if (words) out.push(text(words));
      return;
    }
    case 'ImageResponseCard': {
      const c = isObj(m.imageResponseCard) ? m.imageResponseCard : {};
      const buttons = (Array.isArray(c.buttons) ? c.buttons : []).filter(isObj).slice(0, MAX_CARD_BUTTONS).map((b) => postback(b.text, b.value));
      if (!trimmed(c.title) && !trimmed(c.subtitle) && !buttons.some(Boolean)) return;
      out.push({ type: 'card', card: card({ title: c.title, subtitle: c.subtitle, imageUrl: c.imageUrl, buttons }) });
      return;
    }
    case 'CustomPayload': {
      // [G] the gateway's JSON convention; any other custom payload is for another channel: not shown.
      let parsed: unknown;
      try {
        parsed = content ? JSON.parse(content) : undefined;
      } catch {
        return;
      }
      const g = gatewaySignals(parsed);
      if (g?.messages) out.push(...g.messages);
      if (g?.handoff) signals.handoff = g.handoff;
      if (g?.end) signals.end = g.end;
      if (g?.fallback) signals.fallback = true;
      return;
    }
    default:
      // A content type newer than this mapping: its words, unless they are data.
      if (content?.trim() && !/^\s*[[{]/.test(content)) out.push(text(content.trim()));
  }
}

/** Slot values (`interpretedValue`, list slots joined) as string parameters for Architect. */
function slotParameters(slots: unknown): Record<string, string> | undefined {
  if (!isObj(slots)) return undefined;
  const valueOf = (slot: unknown): string | undefined => {
    if (!isObj(slot)) return undefined;
    if (Array.isArray(slot.values) && slot.values.length) {
      const parts = slot.values.map(valueOf).filter((v): v is string => !!v);
      return parts.length ? parts.join(', ') : undefined;
    }
    const v = isObj(slot.value) ? slot.value : {};
    return trimmed(v.interpretedValue) ?? trimmed(v.originalValue);
  };
  const out: Record<string, string> = {};
  for (const [name, slot] of Object.entries(slots)) {
    if (Object.keys(out).length >= MAX_PARAMETERS) break;
    const value = PARAM_NAME.test(name) ? valueOf(slot) : undefined;
    if (value) out[name] = clip(value, ContentLimits.payload);
  }
  return Object.keys(out).length ? out : undefined;
}

/** A RecognizeText answer in the canonical model (bot-backends §6), with the gateway's handoff/end conventions. */
export function mapRecognizeText(body: unknown, config: Pick<LexV2Config, 'handoff' | 'end'>): BotResult {
  if (!isObj(body)) throw new PermanentBotError('Amazon Lex answered something that is not a RecognizeText result');
  const messages: CanonicalMessage[] = [];
  const signals: Partial<BotResult> = {};
  for (const m of Array.isArray(body.messages) ? body.messages : []) if (isObj(m)) mapMessage(m, messages, signals);

  const state = isObj(body.sessionState) ? body.sessionState : {};
  const intent = isObj(state.intent) ? state.intent : {};
  const interpretation = Array.isArray(body.interpretations) && isObj(body.interpretations[0]) ? body.interpretations[0] : {};
  const intentName = trimmed(intent.name) ?? trimmed(isObj(interpretation.intent) ? interpretation.intent.name : undefined);
  const attributes = isObj(state.sessionAttributes) ? state.sessionAttributes : {};
  const action = isObj(state.dialogAction) ? state.dialogAction : {};

  const result: BotResult = { messages, ...signals };
  if (intentName) result.intent = clip(intentName, 100);
  if (intentName === 'FallbackIntent') result.fallback = true;
  const nlu = interpretation.nluConfidence;
  const score = isObj(nlu) ? nlu.score : nlu;
  if (typeof score === 'number' && Number.isFinite(score)) result.confidence = Math.min(1, Math.max(0, score));

  if (named(config.handoff.intentNames, intentName) || str(attributes.handoff)?.trim().toLowerCase() === 'true') {
    result.handoff = {
      ...result.handoff,
      ...handoffOf({ reason: trimmed(attributes.handoffReason), queue: trimmed(attributes.handoffQueue), summary: trimmed(attributes.handoffSummary) }, SUMMARY_MAX),
    };
  }
  if (result.handoff?.summary) result.handoff.summary = clip(result.handoff.summary, SUMMARY_MAX);
  // A plain Close only ends the intent; the conversation ends when the bot builder says which intents end it.
  if (action.type === 'Close' && named(config.end.intentNames, intentName)) result.end = {};

  const parameters = slotParameters(intent.slots);
  if (parameters) result.parameters = parameters;
  return result;
}
