import type { BotResult, CanonicalUserInput } from '@app/bot-providers';
import type { ChannelHandoffPolicy } from '@app/channels';
import { customerAsksForHuman, decideAfterBot } from './handoff-policy.js';

const policy = (over: Partial<ChannelHandoffPolicy> = {}): ChannelHandoffPolicy => ({
  intent: 'AgentHandoff',
  endIntent: 'EndConversation',
  maxConsecutiveFallbacks: 2,
  phrases: {
    en: ['talk to a human', 'human please', 'representative', 'live agent'],
    de: ['mitarbeiter', 'mensch sprechen'],
    fr: ['conseiller', 'parler à un humain'],
  },
  onBotError: 'handoff',
  farewell: { default: 'Connecting you to an agent, one moment please.' },
  summaryTurns: 5,
  ...over,
});

const text = (t: string): CanonicalUserInput => ({ kind: 'text', text: t, attachments: [] });
const result = (over: Partial<BotResult> = {}): BotResult => ({ messages: [{ type: 'text', text: 'hi' }], ...over });

describe('customerAsksForHuman', () => {
  it.each([
    ['talk to a human', 'en-us'],
    ['Can I talk to a human?', 'en-us'],
    ['I want a REPRESENTATIVE!!!', 'en-gb'],
    ['live   agent', 'en'],
    ['human, please', 'en-us'],
  ])('matches the English phrase in %j (%s)', (said, language) => {
    expect(customerAsksForHuman(text(said), language, policy())).toBe(true);
  });

  it('uses the phrases of the primary language of a regional tag', () => {
    expect(customerAsksForHuman(text('Bitte einen Mitarbeiter'), 'de-de', policy())).toBe(true);
    expect(customerAsksForHuman(text('Ich will mit einem Mensch sprechen'), 'de-at', policy())).toBe(true);
    expect(customerAsksForHuman(text('je veux un conseiller'), 'fr-fr', policy())).toBe(true);
  });

  it('does not apply the phrases of another non-English language', () => {
    expect(customerAsksForHuman(text('mitarbeiter'), 'fr-fr', policy())).toBe(false);
    expect(customerAsksForHuman(text('conseiller'), 'de-de', policy())).toBe(false);
    // An English speaker is not matched by the German phrases either.
    expect(customerAsksForHuman(text('mitarbeiter'), 'en-us', policy())).toBe(false);
  });

  it('applies the English phrases to every other language', () => {
    expect(customerAsksForHuman(text('Live agent bitte'), 'de-de', policy())).toBe(true);
    expect(customerAsksForHuman(text('representative'), 'ja-jp', policy())).toBe(true);
  });

  it('works when the language has no phrases and there are no English phrases', () => {
    expect(customerAsksForHuman(text('mitarbeiter'), 'it-it', policy({ phrases: { de: ['mitarbeiter'] } }))).toBe(false);
    expect(customerAsksForHuman(text('anything'), 'en-us', policy({ phrases: {} }))).toBe(false);
  });

  it('matches whole words only', () => {
    expect(customerAsksForHuman(text('humanity please'), 'en-us', policy())).toBe(false);
    expect(customerAsksForHuman(text('superhuman please'), 'en-us', policy())).toBe(false);
    expect(customerAsksForHuman(text('representatives of the company'), 'en-us', policy())).toBe(false);
    expect(customerAsksForHuman(text('mitarbeiterin'), 'de-de', policy())).toBe(false);
    expect(customerAsksForHuman(text('deliver agent'), 'en-us', policy())).toBe(false);
  });

  it('folds accents and case on both sides', () => {
    expect(customerAsksForHuman(text('Parler a un HUMAIN'), 'fr-fr', policy())).toBe(true);
    expect(customerAsksForHuman(text('PARLER À UN HUMAIN'), 'fr-fr', policy())).toBe(true);
    expect(customerAsksForHuman(text('je veux un conséiller'), 'fr-fr', policy())).toBe(true);
    expect(customerAsksForHuman(text('TALK TO A HUMAN'), 'en-us', policy({ phrases: { en: ['Talk To A Húman'] } }))).toBe(true);
  });

  it('never matches buttons, attachments or empty input', () => {
    const button: CanonicalUserInput = { kind: 'button', text: 'human please', payload: 'human please', attachments: [] };
    expect(customerAsksForHuman(button, 'en-us', policy())).toBe(false);
    const attachment: CanonicalUserInput = { kind: 'attachment', text: 'human please', attachments: [{ kind: 'image', url: 'https://x.test/a.png' }] };
    expect(customerAsksForHuman(attachment, 'en-us', policy())).toBe(false);
    expect(customerAsksForHuman(text(''), 'en-us', policy())).toBe(false);
  });

  it('ignores empty or whitespace-only configured phrases', () => {
    expect(customerAsksForHuman(text('hello there'), 'en-us', policy({ phrases: { en: ['', '   '] } }))).toBe(false);
  });
});

describe('decideAfterBot', () => {
  it('hands off when the bot asks, with its queue and summary', () => {
    expect(decideAfterBot(result({ handoff: { queue: 'Billing', summary: 'wants a refund' } }), 0, policy())).toEqual({
      kind: 'handoff',
      reason: 'bot_request',
      queue: 'Billing',
      summary: 'wants a refund',
    });
  });

  it('a bot handoff wins over end and fallback', () => {
    const d = decideAfterBot(result({ handoff: {}, end: { intent: 'Done' }, fallback: true }), 5, policy());
    expect(d).toMatchObject({ kind: 'handoff', reason: 'bot_request' });
  });

  it('hands off on the Nth fallback in a row, not before', () => {
    expect(decideAfterBot(result({ fallback: true }), 1, policy({ maxConsecutiveFallbacks: 2 }))).toEqual({ kind: 'continue' });
    expect(decideAfterBot(result({ fallback: true }), 2, policy({ maxConsecutiveFallbacks: 2 }))).toEqual({
      kind: 'handoff',
      reason: 'repeated_fallback',
    });
    expect(decideAfterBot(result({ fallback: true }), 3, policy({ maxConsecutiveFallbacks: 2 }))).toMatchObject({ reason: 'repeated_fallback' });
    expect(decideAfterBot(result({ fallback: true }), 1, policy({ maxConsecutiveFallbacks: 1 }))).toMatchObject({ reason: 'repeated_fallback' });
  });

  it('does not count toward handoff when this turn was no fallback', () => {
    expect(decideAfterBot(result({ fallback: false }), 10, policy({ maxConsecutiveFallbacks: 2 }))).toEqual({ kind: 'continue' });
    expect(decideAfterBot(result(), 10, policy({ maxConsecutiveFallbacks: 2 }))).toEqual({ kind: 'continue' });
  });

  it('never hands off on fallbacks when maxConsecutiveFallbacks is 0', () => {
    expect(decideAfterBot(result({ fallback: true }), 0, policy({ maxConsecutiveFallbacks: 0 }))).toEqual({ kind: 'continue' });
    expect(decideAfterBot(result({ fallback: true }), 1000, policy({ maxConsecutiveFallbacks: 0 }))).toEqual({ kind: 'continue' });
  });

  it('ends when the bot ends, with its intent', () => {
    expect(decideAfterBot(result({ end: { intent: 'OrderPlaced' } }), 0, policy())).toEqual({ kind: 'end', intent: 'OrderPlaced' });
    expect(decideAfterBot(result({ end: {} }), 0, policy())).toEqual({ kind: 'end', intent: undefined });
  });

  it('a repeated-fallback handoff wins over end', () => {
    expect(decideAfterBot(result({ fallback: true, end: {} }), 2, policy())).toMatchObject({ kind: 'handoff', reason: 'repeated_fallback' });
  });

  it('continues otherwise', () => {
    expect(decideAfterBot(result(), 0, policy())).toEqual({ kind: 'continue' });
  });
});
