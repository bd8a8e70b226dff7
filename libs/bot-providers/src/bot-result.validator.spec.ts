import { BotResultLimits, InvalidBotResultError, validateBotResult } from './bot-result.validator.js';
import type { CanonicalMessage } from './canonical.types.js';

/** Runs the validator and returns its problems (fails the test when it does not throw). */
function problemsOf(raw: unknown): string[] {
  try {
    validateBotResult(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidBotResultError);
    return (e as InvalidBotResultError).problems;
  }
  throw new Error('expected InvalidBotResultError, but the result was accepted');
}

const every: CanonicalMessage[] = [
  { type: 'text', text: 'Hello' },
  { type: 'quickReplies', text: 'Pick one', replies: [{ title: 'A', payload: 'a' }, { title: 'B', payload: 'b', imageUrl: 'https://img.test/b.png' }] },
  {
    type: 'buttons',
    text: 'Choose',
    buttons: [
      { type: 'postback', title: 'Yes', payload: 'YES' },
      { type: 'url', title: 'Docs', url: 'https://docs.test/' },
    ],
  },
  { type: 'list', title: 'Steps', items: ['one', 'two'], ordered: true },
  { type: 'list', items: ['plain'] },
  {
    type: 'card',
    card: {
      title: 'Card',
      subtitle: 'sub',
      imageUrl: 'http://img.test/c.png',
      defaultAction: { type: 'url', title: 'Open', url: 'https://x.test' },
      buttons: [{ type: 'postback', title: 'Buy', payload: 'BUY' }],
    },
  },
  { type: 'carousel', text: 'Our picks', cards: [{ title: 'One' }, { title: 'Two', buttons: [{ type: 'url', title: 'See', url: 'https://x.test/2' }] }] },
  { type: 'carousel', cards: [{ title: 'Solo' }] },
  { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.test/a.png', filename: 'a.png', mime: 'image/png', caption: 'pic', sizeBytes: 10 } },
  { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.test/a.pdf' } },
];

describe('validateBotResult', () => {
  it('accepts every message type unchanged', () => {
    expect(validateBotResult({ messages: every })).toEqual({ messages: every });
  });

  it.each(every.map((m) => [m.type, m] as const))('accepts a lone %s message (#%#)', (_, m) => {
    expect(validateBotResult({ messages: [m] }).messages).toEqual([m]);
  });

  it('accepts and copies every top-level field, dropping unknown ones', () => {
    const raw = {
      messages: [{ type: 'text', text: 'bye', color: 'red' }],
      handoff: { reason: 'angry', queue: 'Billing', summary: 'refund', extra: 1 },
      end: { intent: 'Done' },
      fallback: true,
      intent: 'Refund',
      confidence: 0.75,
      parameters: { a: 'x', n: 3, b: false },
      state: { step: 2, nested: { ok: true } },
      debug: 'dropped',
    };
    expect(validateBotResult(raw)).toEqual({
      messages: [{ type: 'text', text: 'bye' }],
      handoff: { reason: 'angry', queue: 'Billing', summary: 'refund' },
      end: { intent: 'Done' },
      fallback: true,
      intent: 'Refund',
      confidence: 0.75,
      parameters: { a: 'x', n: 3, b: false },
      state: { step: 2, nested: { ok: true } },
    });
  });

  it('treats missing messages as none', () => {
    expect(validateBotResult({})).toEqual({ messages: [] });
    expect(validateBotResult({ handoff: null, end: null })).toEqual({ messages: [] });
  });

  it.each([null, undefined, 'text', 42, [], [{ type: 'text', text: 'x' }]])('rejects a non-object result %j', (raw) => {
    expect(problemsOf(raw)).toEqual(['result must be a JSON object']);
  });

  it('rejects an unknown message type, naming its path', () => {
    const problems = problemsOf({ messages: [{ type: 'text', text: 'ok' }, { type: 'hologram' }] });
    expect(problems).toEqual(['messages[1].type "hologram" is not a known message type']);
  });

  it('rejects messages that are not objects and messages that are not an array', () => {
    expect(problemsOf({ messages: ['hi'] })).toEqual(['messages[0] must be an object']);
    expect(problemsOf({ messages: 'hi' })).toEqual(['messages must be an array']);
  });

  it('rejects missing or mistyped required strings', () => {
    expect(problemsOf({ messages: [{ type: 'text' }] })).toEqual(['messages[0].text is required']);
    expect(problemsOf({ messages: [{ type: 'text', text: 5 }] })).toEqual(['messages[0].text must be a string']);
    expect(problemsOf({ messages: [{ type: 'list', items: ['a', 7] }] })).toEqual(['messages[0].items[1] must be a string']);
  });

  it.each([
    ['javascript:alert(1)'],
    ['ftp://files.test/a'],
    ['//no-scheme.test/a'],
    ['https://has space.test'],
    ['data:text/html,hi'],
  ])('rejects the non-http URL %j with its path', (url) => {
    expect(problemsOf({ messages: [{ type: 'buttons', text: 't', buttons: [{ type: 'url', title: 'x', url }] }] })).toEqual([
      'messages[0].buttons[0].url must be an http(s) URL',
    ]);
  });

  it('checks URLs everywhere: card image, default action, quick reply image, attachment', () => {
    const problems = problemsOf({
      messages: [
        { type: 'card', card: { title: 't', imageUrl: 'file:///etc/passwd', defaultAction: { type: 'url', title: 'o', url: 'javascript:x' } } },
        { type: 'quickReplies', text: 't', replies: [{ title: 'a', payload: 'a', imageUrl: 'mailto:x@y.z' }] },
        { type: 'attachment', attachment: { kind: 'image', url: 'ssh://host' } },
        { type: 'carousel', cards: [{ title: 'c', buttons: [{ type: 'url', title: 'b', url: 'tel:123' }] }] },
      ],
    });
    expect(problems).toEqual([
      'messages[0].card.imageUrl must be an http(s) URL',
      'messages[0].card.defaultAction.url must be an http(s) URL',
      'messages[1].replies[0].imageUrl must be an http(s) URL',
      'messages[2].attachment.url must be an http(s) URL',
      'messages[3].cards[0].buttons[0].url must be an http(s) URL',
    ]);
  });

  it('rejects a URL over the length limit', () => {
    const url = `https://x.test/${'a'.repeat(BotResultLimits.maxUrlLength)}`;
    expect(problemsOf({ messages: [{ type: 'attachment', attachment: { kind: 'file', url } }] })).toEqual([
      `messages[0].attachment.url is longer than ${BotResultLimits.maxUrlLength}`,
    ]);
  });

  it('rejects bad button and attachment kinds', () => {
    expect(problemsOf({ messages: [{ type: 'buttons', text: 't', buttons: [{ type: 'call', title: 'x' }] }] })).toEqual([
      'messages[0].buttons[0].type must be "postback" or "url"',
    ]);
    expect(problemsOf({ messages: [{ type: 'attachment', attachment: { kind: 'sticker', url: 'https://x.test' } }] })).toEqual([
      'messages[0].attachment.kind is not one of image, video, audio, file, link',
    ]);
    expect(problemsOf({ messages: [{ type: 'attachment' }] })).toEqual(
      expect.arrayContaining(['messages[0].attachment must be an object', 'messages[0].attachment.url is required']),
    );
  });

  it('rejects oversize text at the limit boundary', () => {
    const max = BotResultLimits.maxTextLength;
    expect(validateBotResult({ messages: [{ type: 'text', text: 'x'.repeat(max) }] }).messages).toHaveLength(1);
    expect(problemsOf({ messages: [{ type: 'text', text: 'x'.repeat(max + 1) }] })).toEqual([`messages[0].text is longer than ${max}`]);
  });

  it('rejects oversize titles and payloads', () => {
    const long = 'p'.repeat(BotResultLimits.maxPayloadLength + 1);
    expect(problemsOf({ messages: [{ type: 'quickReplies', text: 't', replies: [{ title: 'a', payload: long }] }] })).toEqual([
      `messages[0].replies[0].payload is longer than ${BotResultLimits.maxPayloadLength}`,
    ]);
    expect(problemsOf({ messages: [{ type: 'card', card: { title: 't'.repeat(BotResultLimits.maxTitleLength + 1) } }] })).toEqual([
      `messages[0].card.title is longer than ${BotResultLimits.maxTitleLength}`,
    ]);
  });

  it('rejects too many messages', () => {
    const msgs = Array.from({ length: BotResultLimits.maxMessages + 1 }, () => ({ type: 'text', text: 'x' }));
    expect(problemsOf({ messages: msgs })).toEqual([`messages has more than ${BotResultLimits.maxMessages} items`]);
    expect(validateBotResult({ messages: msgs.slice(1) }).messages).toHaveLength(BotResultLimits.maxMessages);
  });

  it('rejects too many buttons, in a buttons message and in a card', () => {
    const buttons = Array.from({ length: BotResultLimits.maxButtons + 1 }, (_, i) => ({ type: 'postback', title: `b${i}`, payload: `p${i}` }));
    expect(problemsOf({ messages: [{ type: 'buttons', text: 't', buttons }] })).toEqual([`messages[0].buttons has more than ${BotResultLimits.maxButtons} items`]);
    expect(problemsOf({ messages: [{ type: 'carousel', cards: [{ title: 'a' }, { title: 'c', buttons }] }] })).toEqual([
      `messages[0].cards[1].buttons has more than ${BotResultLimits.maxButtons} items`,
    ]);
  });

  it('rejects too many cards and list items', () => {
    const cards = Array.from({ length: BotResultLimits.maxCards + 1 }, () => ({ title: 'c' }));
    expect(problemsOf({ messages: [{ type: 'carousel', cards }] })).toEqual([`messages[0].cards has more than ${BotResultLimits.maxCards} items`]);
    const items = Array.from({ length: BotResultLimits.maxListItems + 1 }, () => 'i');
    expect(problemsOf({ messages: [{ type: 'list', items }] })).toEqual([`messages[0].items has more than ${BotResultLimits.maxListItems} items`]);
  });

  it('rejects parameters with nested values, naming the key', () => {
    expect(problemsOf({ messages: [], parameters: { ok: 'x', nested: { a: 1 }, list: [1] } })).toEqual([
      'parameters.nested must be a string, number or boolean',
      'parameters.list must be a string, number or boolean',
    ]);
    expect(problemsOf({ parameters: { none: null } })).toEqual(['parameters.none must be a string, number or boolean']);
    expect(problemsOf({ parameters: 'a=b' })).toEqual(['parameters must be an object']);
  });

  it('rejects more parameters than the limit', () => {
    const params = Object.fromEntries(Array.from({ length: BotResultLimits.maxParameters + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsOf({ parameters: params })).toEqual([`parameters has more than ${BotResultLimits.maxParameters} keys`]);
  });

  it('rejects a state larger than the limit, and a non-object state', () => {
    const big = { blob: 'x'.repeat(BotResultLimits.maxStateBytes) };
    expect(problemsOf({ state: big })).toEqual([`state is larger than ${BotResultLimits.maxStateBytes} bytes`]);
    expect(problemsOf({ state: [1, 2] })).toEqual(['state must be an object']);
    expect(validateBotResult({ state: { blob: 'x'.repeat(1000) } }).state).toEqual({ blob: 'x'.repeat(1000) });
  });

  it('rejects confidence outside 0..1 and non-object handoff/end', () => {
    expect(problemsOf({ confidence: 1.5 })).toEqual(['confidence must be a number from 0 to 1']);
    expect(problemsOf({ confidence: '0.5' })).toEqual(['confidence must be a number from 0 to 1']);
    expect(problemsOf({ handoff: true })).toEqual(['handoff must be an object']);
    expect(problemsOf({ end: 'now' })).toEqual(['end must be an object']);
  });

  it('collects every problem and summarises the first ones in the message', () => {
    try {
      validateBotResult({ messages: [{ type: 'nope' }, { type: 'text' }], confidence: -1, state: 'x' });
      throw new Error('accepted');
    } catch (e) {
      const err = e as InvalidBotResultError;
      expect(err).toBeInstanceOf(InvalidBotResultError);
      expect(err.name).toBe('InvalidBotResultError');
      expect(err.problems).toHaveLength(4);
      expect(err.message).toBe(`invalid bot result: ${err.problems.join('; ')}`);
    }
  });
});
