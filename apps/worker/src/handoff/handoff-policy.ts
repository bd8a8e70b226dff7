import type { BotResult, CanonicalUserInput, HandoffReason } from '@app/bot-providers';
import type { ChannelHandoffPolicy } from '@app/channels';

export type Decision =
  | { kind: 'continue' }
  | { kind: 'handoff'; reason: HandoffReason; queue?: string; summary?: string; detail?: string }
  | { kind: 'end'; intent?: string };

/** Case, accents and punctuation do not matter: "I'd like an AGENT!" reads as "i d like an agent". */
const fold = (s: string) =>
  s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N} ]/gu, ' ').replace(/\s+/g, ' ').trim();

/**
 * Before the bot: did the customer ask for a human? Phrases are configured per primary language;
 * English phrases also apply to every language, since customers often switch to English for this.
 */
export function customerAsksForHuman(input: CanonicalUserInput, language: string, policy: ChannelHandoffPolicy): boolean {
  if (input.kind !== 'text' || !input.text) return false;
  const said = ` ${fold(input.text)} `;
  const primary = language.split('-')[0]!;
  const phrases = [...(policy.phrases[primary] ?? []), ...(primary !== 'en' ? policy.phrases.en ?? [] : [])];
  return phrases.some((p) => {
    const phrase = fold(p);
    return phrase.length > 0 && said.includes(` ${phrase} `);
  });
}

/** After the bot: its own request, N fallbacks in a row, or the end of the conversation. */
export function decideAfterBot(result: BotResult, consecutiveFallbacks: number, policy: ChannelHandoffPolicy): Decision {
  if (result.handoff) return { kind: 'handoff', reason: 'bot_request', queue: result.handoff.queue, summary: result.handoff.summary, detail: result.handoff.reason };
  if (result.fallback && policy.maxConsecutiveFallbacks > 0 && consecutiveFallbacks >= policy.maxConsecutiveFallbacks) {
    return { kind: 'handoff', reason: 'repeated_fallback' };
  }
  if (result.end) return { kind: 'end', intent: result.end.intent };
  return { kind: 'continue' };
}
