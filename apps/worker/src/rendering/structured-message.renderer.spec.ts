import type { CanonicalButton, CanonicalCard, CanonicalMessage } from '@app/bot-providers/canonical.types.js';
import type { MessengerProfile, TemplateFeature } from '@app/channels/channel.types.js';
import type { GenesysCard, ReplyContent, ReplyMessage } from '@app/genesys';
import { capabilitiesFor, type TemplateCapabilities } from './capability-profiles.js';
import { StructuredMessageRenderer, type RenderResult } from './structured-message.renderer.js';

const renderer = new StructuredMessageRenderer();

/** Renders and checks the invariants every reply must hold, whatever the input. */
function render(messages: CanonicalMessage[], profile: MessengerProfile, disable: TemplateFeature[] = []): RenderResult {
  const caps = capabilitiesFor(profile, disable);
  const result = renderer.render(messages, caps);
  result.replyMessages.forEach((message) => expectWellFormed(message, caps));
  expect(result.choices.map((choice) => choice.number)).toEqual(result.choices.map((_, i) => i + 1));
  return result;
}

function expectWellFormed(message: ReplyMessage, caps: TemplateCapabilities): void {
  expect(['Text', 'Structured']).toContain(message.type);
  if (message.type === 'Text') {
    expect(message.text?.trim()).toBeTruthy();
  } else {
    expect(message.content?.length).toBeGreaterThan(0);
  }
  if (message.text !== undefined) {
    expect(message.text.length).toBeLessThanOrEqual(caps.maxTextLength);
    expect(message.text.trim()).not.toBe('');
  }
  const payloads = (message.content ?? []).flatMap(payloadsOf);
  expect(new Set(payloads).size).toBe(payloads.length);
}

function payloadsOf(content: ReplyContent): string[] {
  const ofCard = (card: GenesysCard) =>
    [card.defaultAction, ...card.actions].flatMap((action) => (action?.payload === undefined ? [] : [action.payload]));
  switch (content.contentType) {
    case 'QuickReply':
      return [content.quickReply.payload];
    case 'Card':
      return ofCard(content.card);
    case 'Carousel':
      return content.carousel.cards.flatMap(ofCard);
    default:
      return [];
  }
}

/** Every value under a `type`, `contentType` or `mediaType` key, at any depth. */
function enumValues(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(enumValues);
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  return Object.entries(value).flatMap(([key, inner]) =>
    ['type', 'contentType', 'mediaType'].includes(key) && typeof inner === 'string' ? [inner] : enumValues(inner),
  );
}

function contentOf(message: ReplyMessage | undefined): ReplyContent[] {
  return message?.content ?? [];
}

function cardOf(message: ReplyMessage | undefined): GenesysCard {
  const [content] = contentOf(message);
  if (content?.contentType !== 'Card') {
    throw new Error(`expected a Card, got ${JSON.stringify(message)}`);
  }
  return content.card;
}

function carouselCardsOf(message: ReplyMessage | undefined): GenesysCard[] {
  const [content] = contentOf(message);
  if (content?.contentType !== 'Carousel') {
    throw new Error(`expected a Carousel, got ${JSON.stringify(message)}`);
  }
  return content.carousel.cards;
}

const postback = (title: string, payload = title.toLowerCase()): CanonicalButton => ({ type: 'postback', title, payload });
const link = (title: string, url: string): CanonicalButton => ({ type: 'url', title, url });

const pickOne: CanonicalMessage = {
  type: 'quickReplies',
  text: 'Pick one:',
  replies: [
    { title: 'Track order', payload: 'track' },
    { title: 'Talk to agent', payload: 'agent' },
  ],
};

const productCard = (n: number, buttons: CanonicalButton[] = [postback(`Buy ${n}`, `buy-${n}`)]): CanonicalCard => ({
  title: `Product ${n}`,
  subtitle: `Description ${n}`,
  imageUrl: `https://cdn.example.com/${n}.png`,
  buttons,
});

const carouselOf = (count: number): Extract<CanonicalMessage, { type: 'carousel' }> => ({
  type: 'carousel',
  cards: Array.from({ length: count }, (_, i) => productCard(i + 1)),
});

/** Prose with paragraphs, sentences and words of varied length, and no word longer than 12. */
function prose(length: number): string {
  const words = ['order', 'shipping', 'is', 'on', 'its', 'way', 'today', 'tracking', 'number', 'warehouse', 'a', 'the'];
  let text = '';
  for (let i = 0; text.length < length; i += 1) {
    const word = words[(i * 7) % words.length];
    const separator = i === 0 ? '' : i % 97 === 0 ? '.\n\n' : i % 13 === 0 ? '. ' : ' ';
    text += separator + word;
  }
  return text.slice(0, length).trimEnd();
}

describe('StructuredMessageRenderer', () => {
  describe('on web messaging, every canonical kind', () => {
    it('renders text as a Text message', () => {
      const result = render([{ type: 'text', text: 'Hello there' }], 'webmessaging');

      expect(result).toEqual({ replyMessages: [{ type: 'Text', text: 'Hello there' }], degradations: [], choices: [], payloadAliases: {} });
    });

    it('renders quick replies as a Structured message with the prompt as text', () => {
      const result = render(
        [
          {
            type: 'quickReplies',
            text: 'What would you like to do?',
            replies: [
              { title: 'Track order', payload: 'track', imageUrl: 'https://cdn.example.com/t.png' },
              { title: 'Talk to agent', payload: 'agent' },
            ],
          },
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([
        {
          type: 'Structured',
          text: 'What would you like to do?',
          content: [
            {
              contentType: 'QuickReply',
              quickReply: { text: 'Track order', payload: 'track', image: 'https://cdn.example.com/t.png' },
            },
            { contentType: 'QuickReply', quickReply: { text: 'Talk to agent', payload: 'agent' } },
          ],
        },
      ]);
      expect(result.degradations).toEqual([]);
      expect(result.choices).toEqual([]);
    });

    it('renders buttons as a card titled with the text, with Postback and Link actions', () => {
      const result = render(
        [
          {
            type: 'buttons',
            text: 'How can I help?',
            buttons: [postback('Track order', 'track'), link('Open FAQ', 'https://example.com/faq')],
          },
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([
        {
          type: 'Structured',
          content: [
            {
              contentType: 'Card',
              card: {
                title: 'How can I help?',
                actions: [
                  { type: 'Postback', text: 'Track order', payload: 'track' },
                  { type: 'Link', text: 'Open FAQ', url: 'https://example.com/faq' },
                ],
              },
            },
          ],
        },
      ]);
      expect(result.degradations).toEqual([]);
    });

    it('shortens a long button prompt into the title and keeps it whole in the description', () => {
      const text = 'Thanks for waiting. I found three orders on your account, which one do you want to hear about?';

      const card = cardOf(render([{ type: 'buttons', text, buttons: [postback('Latest')] }], 'webmessaging').replyMessages[0]);

      expect(card.title.length).toBeLessThanOrEqual(80);
      expect(card.title).toMatch(/^Thanks for waiting\. I found three orders .*\S…$/);
      expect(text.startsWith(card.title.slice(0, -1))).toBe(true);
      expect(card.description).toBe(text);
    });

    it('renders a card with description, image, default action and actions', () => {
      const result = render(
        [
          {
            type: 'card',
            card: {
              title: 'Blue shoes',
              subtitle: 'Size 42, in stock',
              imageUrl: 'https://cdn.example.com/shoes.png',
              defaultAction: link('View', 'https://example.com/shoes'),
              buttons: [postback('Buy', 'buy-shoes'), link('Details', 'https://example.com/shoes/details')],
            },
          },
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([
        {
          type: 'Structured',
          content: [
            {
              contentType: 'Card',
              card: {
                title: 'Blue shoes',
                description: 'Size 42, in stock',
                image: 'https://cdn.example.com/shoes.png',
                defaultAction: { type: 'Link', text: 'View', url: 'https://example.com/shoes' },
                actions: [
                  { type: 'Postback', text: 'Buy', payload: 'buy-shoes' },
                  { type: 'Link', text: 'Details', url: 'https://example.com/shoes/details' },
                ],
              },
            },
          ],
        },
      ]);
      expect(result.degradations).toEqual([]);
    });

    it("gives an untitled default action the card's title", () => {
      const card = cardOf(
        render([{ type: 'card', card: { title: 'Shoes', defaultAction: link('', 'https://example.com/s') } }], 'webmessaging')
          .replyMessages[0],
      );

      expect(card.defaultAction).toEqual({ type: 'Link', text: 'Shoes', url: 'https://example.com/s' });
      expect(card.actions).toEqual([]);
    });

    it('renders a carousel as one Structured Carousel, after its intro text', () => {
      const result = render([{ ...carouselOf(3), text: 'Our best sellers:' }], 'webmessaging');

      expect(result.replyMessages).toHaveLength(2);
      expect(result.replyMessages[0]).toEqual({ type: 'Text', text: 'Our best sellers:' });
      expect(result.replyMessages[1]?.type).toBe('Structured');
      expect(carouselCardsOf(result.replyMessages[1])).toEqual([1, 2, 3].map((n) => ({
        title: `Product ${n}`,
        description: `Description ${n}`,
        image: `https://cdn.example.com/${n}.png`,
        actions: [{ type: 'Postback', text: `Buy ${n}`, payload: `buy-${n}` }],
      })));
      expect(result.degradations).toEqual([]);
    });

    it('renders a list as bulleted text with the title on the first line', () => {
      const result = render([{ type: 'list', title: 'Opening hours', items: ['Mon–Fri 9–18', '', 'Sat 10–14'] }], 'webmessaging');

      expect(result.replyMessages).toEqual([{ type: 'Text', text: 'Opening hours\n• Mon–Fri 9–18\n• Sat 10–14' }]);
      expect(result.degradations).toEqual([]);
    });

    it('renders an ordered list with numbers, which are not choices', () => {
      const result = render([{ type: 'list', items: ['Unplug it', 'Wait', 'Plug it in'], ordered: true }], 'webmessaging');

      expect(result.replyMessages).toEqual([{ type: 'Text', text: '1. Unplug it\n2. Wait\n3. Plug it in' }]);
      expect(result.choices).toEqual([]);
    });

    it.each([
      ['image', 'Image'],
      ['video', 'Video'],
      ['audio', 'Audio'],
      ['file', 'File'],
      ['link', 'Link'],
    ] as const)('renders kind %s as a Text message with %s content and the caption', (kind, mediaType) => {
      const result = render(
        [
          {
            type: 'attachment',
            attachment: { kind, url: 'https://cdn.example.com/x', filename: 'x', mime: 'application/x', caption: 'Here it is', sizeBytes: 42 },
          },
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([
        {
          type: 'Text',
          text: 'Here it is',
          content: [
            {
              contentType: 'Attachment',
              attachment: { mediaType, url: 'https://cdn.example.com/x', filename: 'x', mime: 'application/x', contentSizeBytes: 42 },
            },
          ],
        },
      ]);
    });

    it('sends an attachment without caption as Structured content, since a Text message needs text', () => {
      const result = render([{ type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/a.png' } }], 'webmessaging');

      expect(result.replyMessages).toEqual([
        { type: 'Structured', content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://cdn.example.com/a.png' } }] },
      ]);
    });

    it('keeps the order of mixed messages and uses only canonical Genesys casing', () => {
      const result = render(
        [
          { type: 'text', text: 'Hi' },
          pickOne,
          { type: 'card', card: productCard(1, [postback('Buy'), link('Web', 'https://example.com')]) },
          carouselOf(2),
          { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.example.com/f.pdf', caption: 'Invoice' } },
        ],
        'webmessaging',
      );

      expect(result.replyMessages.map((m) => [m.type, ...contentOf(m).map((c) => c.contentType)])).toEqual([
        ['Text'],
        ['Structured', 'QuickReply', 'QuickReply'],
        ['Structured', 'Card'],
        ['Structured', 'Carousel'],
        ['Text', 'Attachment'],
      ]);
      expect(new Set(enumValues(result.replyMessages))).toEqual(
        new Set(['Text', 'Structured', 'QuickReply', 'Card', 'Carousel', 'Attachment', 'Postback', 'Link', 'File']),
      );
    });
  });

  describe('dropping what cannot be sent', () => {
    it('drops empty and whitespace-only text and records it', () => {
      const result = render(
        [
          { type: 'text', text: '' },
          { type: 'text', text: '  \n ' },
          { type: 'list', items: [] },
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'text', to: 'none', reason: 'empty text' },
        { messageIndex: 1, from: 'text', to: 'none', reason: 'empty text' },
        { messageIndex: 2, from: 'list', to: 'none', reason: 'empty text' },
      ]);
    });

    it('skips buttons and quick replies without title or payload, recording why', () => {
      const result = render(
        [
          {
            type: 'quickReplies',
            text: 'Choose',
            replies: [
              { title: '', payload: 'x' },
              { title: 'Yes', payload: '' },
              { title: 'No', payload: 'no' },
            ],
          },
          {
            type: 'buttons',
            text: 'Go',
            buttons: [postback(' ', 'x'), { type: 'postback', title: 'A', payload: '' }, link('Site', ''), postback('Ok', 'ok')],
          },
        ],
        'webmessaging',
      );

      expect(contentOf(result.replyMessages[0])).toEqual([{ contentType: 'QuickReply', quickReply: { text: 'No', payload: 'no' } }]);
      expect(cardOf(result.replyMessages[1]).actions).toEqual([{ type: 'Postback', text: 'Ok', payload: 'ok' }]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'quickReply', to: 'none', reason: 'quick reply without a title' },
        { messageIndex: 0, from: 'quickReply', to: 'none', reason: 'quick reply without a payload' },
        { messageIndex: 1, from: 'button', to: 'none', reason: 'button without a title' },
        { messageIndex: 1, from: 'button', to: 'none', reason: 'postback button without a payload' },
        { messageIndex: 1, from: 'button', to: 'none', reason: 'link button without a URL' },
      ]);
    });

    it('falls back to the prompt alone when no quick reply or button is usable', () => {
      const result = render(
        [
          { type: 'quickReplies', text: 'Choose', replies: [{ title: '', payload: '' }] },
          { type: 'buttons', text: 'Go', buttons: [] },
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([
        { type: 'Text', text: 'Choose' },
        { type: 'Text', text: 'Go' },
      ]);
      expect(result.degradations.map((d) => [d.messageIndex, d.from, d.to])).toEqual([
        [0, 'quickReply', 'none'],
        [0, 'quickReplies', 'text'],
        [1, 'buttons', 'text'],
      ]);
    });

    it('drops attachments without URL, empty carousels and unknown types', () => {
      const unknown = { type: 'hologram', text: 'hi' } as unknown as CanonicalMessage;

      const result = render(
        [
          { type: 'attachment', attachment: { kind: 'image', url: ' ' } },
          { type: 'carousel', cards: [] },
          unknown,
        ],
        'webmessaging',
      );

      expect(result.replyMessages).toEqual([]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'attachment', to: 'none', reason: 'attachment without a URL' },
        { messageIndex: 1, from: 'carousel', to: 'none', reason: 'carousel without cards' },
        { messageIndex: 2, from: 'hologram', to: 'none', reason: 'unknown message type' },
      ]);
    });

    it('degrades a card without a title to text', () => {
      const result = render([{ type: 'card', card: { title: '', subtitle: 'Just a note', buttons: [postback('Ok')] } }], 'webmessaging');

      expect(result.replyMessages).toEqual([{ type: 'Text', text: 'Just a note\n1. Ok' }]);
      expect(result.degradations).toEqual([{ messageIndex: 0, from: 'card', to: 'numberedText', reason: 'card without a title' }]);
    });
  });

  describe('on WhatsApp', () => {
    it('degrades a carousel into one card message per card', () => {
      const result = render([carouselOf(3)], 'whatsapp');

      expect(result.replyMessages.map((m) => cardOf(m).title)).toEqual(['Product 1', 'Product 2', 'Product 3']);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'carousel', to: 'card', reason: 'carousels are off for this profile' },
      ]);
    });

    it('degrades a card with more than 3 buttons to numbered text, keeping links unnumbered', () => {
      const buttons = [postback('Small'), postback('Medium'), postback('Large'), link('Size guide', 'https://example.com/sizes')];

      const result = render([{ type: 'card', card: { title: 'Which size?', subtitle: 'All in stock', buttons } }], 'whatsapp');

      expect(result.replyMessages).toEqual([
        { type: 'Text', text: 'Which size?\nAll in stock\n1. Small\n2. Medium\n3. Large\nSize guide: https://example.com/sizes' },
      ]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'card', to: 'numberedText', reason: 'too many buttons for profile' },
      ]);
      expect(result.choices).toEqual([
        { number: 1, title: 'Small', payload: 'small' },
        { number: 2, title: 'Medium', payload: 'medium' },
        { number: 3, title: 'Large', payload: 'large' },
      ]);
    });

    it('keeps a card with exactly 3 buttons', () => {
      const result = render([{ type: 'card', card: productCard(1, [postback('A'), postback('B'), postback('C')]) }], 'whatsapp');

      expect(cardOf(result.replyMessages[0]).actions).toHaveLength(3);
      expect(result.degradations).toEqual([]);
    });

    it('degrades only the oversized card when a carousel becomes cards', () => {
      const cards = [productCard(1), productCard(2, ['A', 'B', 'C', 'D'].map((t) => postback(t))), productCard(3)];

      const result = render([{ type: 'carousel', cards }], 'whatsapp');

      expect(result.replyMessages.map((m) => contentOf(m)[0]?.contentType ?? m.type)).toEqual(['Card', 'Text', 'Card']);
      expect(result.replyMessages[1]?.text).toBe('Product 2\nDescription 2\n1. A\n2. B\n3. C\n4. D');
      expect(result.degradations.map((d) => `${d.from}->${d.to}: ${d.reason}`)).toEqual([
        'carousel->card: carousels are off for this profile',
        'card->numberedText: too many buttons for profile',
      ]);
    });

    it('keeps 10 quick replies and numbers 11', () => {
      const replies = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `Option ${i + 1}`, payload: `o${i + 1}` }));

      const ten = render([{ type: 'quickReplies', text: 'Pick', replies: replies(10) }], 'whatsapp');
      const eleven = render([{ type: 'quickReplies', text: 'Pick', replies: replies(11) }], 'whatsapp');

      expect(contentOf(ten.replyMessages[0])).toHaveLength(10);
      expect(eleven.replyMessages).toHaveLength(1);
      expect(eleven.replyMessages[0]?.type).toBe('Text');
      expect(eleven.choices).toHaveLength(11);
      expect(eleven.degradations).toEqual([
        { messageIndex: 0, from: 'quickReplies', to: 'numberedText', reason: '11 quick replies exceed the profile limit of 10' },
      ]);
    });
  });

  describe('on SMS (text only)', () => {
    it('writes quick replies as numbered text under the prompt', () => {
      const result = render([pickOne], 'sms');

      expect(result.replyMessages).toEqual([{ type: 'Text', text: 'Pick one:\n1. Track order\n2. Talk to agent' }]);
      expect(result.choices).toEqual([
        { number: 1, title: 'Track order', payload: 'track' },
        { number: 2, title: 'Talk to agent', payload: 'agent' },
      ]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'quickReplies', to: 'numberedText', reason: 'quick replies are off for this profile' },
      ]);
    });

    it('writes buttons as numbered text, with URL buttons as "title: url" without a number', () => {
      const result = render(
        [{ type: 'buttons', text: 'Need help?', buttons: [postback('Call me', 'call'), link('Help centre', 'https://example.com/help'), postback('Chat', 'chat')] }],
        'sms',
      );

      expect(result.replyMessages).toEqual([
        { type: 'Text', text: 'Need help?\n1. Call me\nHelp centre: https://example.com/help\n2. Chat' },
      ]);
      expect(result.choices.map((c) => c.payload)).toEqual(['call', 'chat']);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'buttons', to: 'numberedText', reason: 'cards are off for this profile' },
      ]);
    });

    it('walks a carousel down the whole chain: carousel → cards → numbered text', () => {
      const result = render([carouselOf(2)], 'sms');

      expect(result.replyMessages).toEqual([
        { type: 'Text', text: 'Product 1\nDescription 1\n1. Buy 1' },
        { type: 'Text', text: 'Product 2\nDescription 2\n2. Buy 2' },
      ]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'carousel', to: 'card', reason: 'carousels are off for this profile' },
        { messageIndex: 0, from: 'card', to: 'numberedText', reason: 'cards are off for this profile' },
        { messageIndex: 0, from: 'card', to: 'numberedText', reason: 'cards are off for this profile' },
      ]);
      expect(result.choices).toEqual([
        { number: 1, title: 'Buy 1', payload: 'buy-1' },
        { number: 2, title: 'Buy 2', payload: 'buy-2' },
      ]);
    });

    it("numbers a card's default action, unless a button already does the same", () => {
      const result = render(
        [
          { type: 'card', card: { title: 'Shoes', defaultAction: postback('See shoes', 'shoes'), buttons: [postback('Buy', 'buy')] } },
          { type: 'card', card: { title: 'Hats', defaultAction: link('', 'https://example.com/hats'), buttons: [link('Hats', 'https://example.com/hats')] } },
        ],
        'sms',
      );

      expect(result.replyMessages.map((m) => m.text)).toEqual([
        'Shoes\n1. See shoes\n2. Buy',
        'Hats\nHats: https://example.com/hats',
      ]);
    });

    it('writes an attachment as its caption and URL', () => {
      const result = render(
        [
          { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/map.png', caption: 'Our store' } },
          { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.example.com/terms.pdf' } },
        ],
        'sms',
      );

      expect(result.replyMessages).toEqual([
        { type: 'Text', text: 'Our store\nhttps://cdn.example.com/map.png' },
        { type: 'Text', text: 'https://cdn.example.com/terms.pdf' },
      ]);
      expect(result.degradations.map((d) => [d.messageIndex, d.from, d.to, d.reason])).toEqual([
        [0, 'attachment', 'text', 'attachments are off for this profile'],
        [1, 'attachment', 'text', 'attachments are off for this profile'],
      ]);
    });

    it('splits text at the 765-character limit', () => {
      const text = prose(2000);

      const result = render([{ type: 'text', text }], 'sms');
      const parts = result.replyMessages.length;

      expect(parts).toBeGreaterThanOrEqual(3);
      expect(result.replyMessages.map((m) => m.text).join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'text', to: 'text', reason: `${text.length} characters split into ${parts} messages (limit 765)` },
      ]);
    });

    it('still renders lists as text', () => {
      const result = render([{ type: 'list', items: ['a', 'b'] }], 'sms');

      expect(result.replyMessages).toEqual([{ type: 'Text', text: '• a\n• b' }]);
      expect(result.degradations).toEqual([]);
    });
  });

  describe('on Instagram', () => {
    it('splits text at 1000 characters', () => {
      const text = prose(2500);

      const result = render([{ type: 'text', text }], 'instagram');

      expect(result.replyMessages.length).toBeGreaterThanOrEqual(3);
      expect(result.replyMessages.map((m) => m.text).join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
    });

    it('keeps 13 quick replies and numbers 14', () => {
      const replies = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `Q${i + 1}`, payload: `q${i + 1}` }));

      const thirteen = render([{ type: 'quickReplies', text: 'Pick', replies: replies(13) }], 'instagram');
      const fourteen = render([{ type: 'quickReplies', text: 'Pick', replies: replies(14) }], 'instagram');

      expect(contentOf(thirteen.replyMessages[0])).toHaveLength(13);
      expect(fourteen.replyMessages[0]?.text).toMatch(/^Pick\n1\. Q1\n2\. Q2\n[\s\S]*\n14\. Q14$/);
      expect(fourteen.degradations[0]?.reason).toBe('14 quick replies exceed the profile limit of 13');
    });

    it('degrades a card with 4 buttons but keeps the carousel around it', () => {
      const cards = [productCard(1), productCard(2, ['A', 'B', 'C', 'D'].map((t) => postback(t))), productCard(3)];

      const result = render([{ type: 'carousel', cards }], 'instagram');

      expect(result.replyMessages).toHaveLength(3);
      expect(carouselCardsOf(result.replyMessages[0]).map((c) => c.title)).toEqual(['Product 1']);
      expect(result.replyMessages[1]).toEqual({ type: 'Text', text: 'Product 2\nDescription 2\n1. A\n2. B\n3. C\n4. D' });
      expect(carouselCardsOf(result.replyMessages[2]).map((c) => c.title)).toEqual(['Product 3']);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'card', to: 'numberedText', reason: 'too many buttons for profile' },
      ]);
    });

    it('splits a carousel of 12 cards into 10 and 2', () => {
      const result = render([carouselOf(12)], 'instagram');

      expect(result.replyMessages.map((m) => carouselCardsOf(m).length)).toEqual([10, 2]);
    });
  });

  describe('with features a channel turns off', () => {
    it('writes URL buttons into the card description when link buttons are off', () => {
      const result = render(
        [
          {
            type: 'card',
            card: {
              title: 'Shoes',
              subtitle: 'Comfortable',
              defaultAction: link('Shop', 'https://example.com/shop'),
              buttons: [postback('Buy', 'buy'), link('Reviews', 'https://example.com/reviews')],
            },
          },
        ],
        'webmessaging',
        ['linkButtons'],
      );

      expect(cardOf(result.replyMessages[0])).toEqual({
        title: 'Shoes',
        description: 'Comfortable\nReviews: https://example.com/reviews\nShop: https://example.com/shop',
        actions: [{ type: 'Postback', text: 'Buy', payload: 'buy' }],
      });
      expect(result.degradations.map((d) => `${d.from}->${d.to}`)).toEqual(['linkButton->text', 'defaultAction->text']);
    });

    it('does not count URL buttons written as text against the card button limit', () => {
      const buttons = [postback('A'), postback('B'), postback('C'), link('Web', 'https://example.com')];

      const result = render([{ type: 'card', card: productCard(1, buttons) }], 'whatsapp', ['linkButtons']);

      expect(cardOf(result.replyMessages[0]).actions).toHaveLength(3);
    });

    it('degrades cards with postback buttons to numbered text when buttons are off', () => {
      const result = render(
        [
          { type: 'card', card: productCard(1) },
          { type: 'card', card: { title: 'Info only', buttons: [link('Web', 'https://example.com')] } },
        ],
        'webmessaging',
        ['buttons'],
      );

      expect(result.replyMessages[0]).toEqual({ type: 'Text', text: 'Product 1\nDescription 1\n1. Buy 1' });
      expect(cardOf(result.replyMessages[1]).actions).toEqual([{ type: 'Link', text: 'Web', url: 'https://example.com' }]);
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'card', to: 'numberedText', reason: 'buttons are off for this profile' },
      ]);
    });

    it('turns a carousel into cards when carousels are off but cards are on', () => {
      const result = render([carouselOf(2)], 'facebook', ['carousels']);

      expect(result.replyMessages.map((m) => cardOf(m).title)).toEqual(['Product 1', 'Product 2']);
    });
  });

  describe('limits', () => {
    it('splits a carousel of 23 cards into carousels of 10, 10 and 3, in order', () => {
      const result = render([carouselOf(23)], 'webmessaging');

      expect(result.replyMessages.map((m) => carouselCardsOf(m).length)).toEqual([10, 10, 3]);
      expect(result.replyMessages.flatMap((m) => carouselCardsOf(m).map((c) => c.title))).toEqual(
        Array.from({ length: 23 }, (_, i) => `Product ${i + 1}`),
      );
      expect(result.degradations).toEqual([
        { messageIndex: 0, from: 'carousel', to: 'carousel', reason: '23 cards split into 3 carousels (limit 10)' },
      ]);
    });

    it('splits 9000 characters of text into messages of at most 4000 without losing a character', () => {
      const text = prose(9000);

      const result = render([{ type: 'text', text }], 'webmessaging');
      const parts = result.replyMessages.map((m) => m.text ?? '');

      expect(parts).toHaveLength(3);
      parts.forEach((part) => expect(part.length).toBeLessThanOrEqual(4000));
      expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      // Same words in the same order: no word was cut in two.
      expect(parts.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
    });

    it('cuts a single word longer than the limit, and only then', () => {
      const word = 'x'.repeat(9000);

      const result = render([{ type: 'text', text: `Hi ${word} bye` }], 'webmessaging');

      expect(result.replyMessages.map((m) => m.text?.length)).toEqual([2, 4000, 4000, 1004]);
      expect(result.replyMessages.map((m) => m.text).join('')).toBe(`Hi${word} bye`);
    });

    it('sends the beginning of an overlong prompt as text and keeps the end with the quick replies', () => {
      const text = prose(1800);

      const result = render([{ ...pickOne, text }], 'instagram');
      const last = result.replyMessages.at(-1);

      expect(result.replyMessages.slice(0, -1).every((m) => m.type === 'Text' && m.content === undefined)).toBe(true);
      expect(last?.type).toBe('Structured');
      expect(contentOf(last)).toHaveLength(2);
      expect(result.replyMessages.map((m) => m.text).join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
    });

    it('degrades 1000 quick replies to numbered text over several messages without throwing', () => {
      const replies = Array.from({ length: 1000 }, (_, i) => ({ title: `Option number ${i + 1}`, payload: `p${i + 1}` }));

      const result = render([{ type: 'quickReplies', text: 'So many options:', replies }], 'webmessaging');

      expect(result.replyMessages.length).toBeGreaterThan(1);
      expect(result.replyMessages.every((m) => m.type === 'Text')).toBe(true);
      expect(result.choices).toHaveLength(1000);
      expect(result.choices[999]).toEqual({ number: 1000, title: 'Option number 1000', payload: 'p1000' });
      // Cut between lines only, so every numbered line survives whole.
      const lines = result.replyMessages.flatMap((m) => (m.text ?? '').split('\n'));
      expect(lines).toEqual(['So many options:', ...replies.map((r, i) => `${i + 1}. ${r.title}`)]);
      expect(result.degradations.map((d) => `${d.from}->${d.to}`)).toEqual(['quickReplies->numberedText', 'numberedText->text']);
    });
  });

  describe('payloads', () => {
    it('makes repeated payloads unique within a message by suffixing, recording nothing', () => {
      const result = render(
        [
          {
            type: 'quickReplies',
            text: 'Rate us',
            replies: [
              { title: 'Good', payload: 'rate' },
              { title: 'Fine', payload: 'rate' },
              { title: 'Bad', payload: 'rate#2' },
              { title: 'Awful', payload: 'rate' },
            ],
          },
        ],
        'webmessaging',
      );

      expect(contentOf(result.replyMessages[0]).map((c) => (c.contentType === 'QuickReply' ? c.quickReply.payload : ''))).toEqual([
        'rate',
        'rate#2',
        'rate#2#2',
        'rate#3',
      ]);
      expect(result.degradations).toEqual([]);
      // Each renamed payload maps back to what the bot wrote, so a click reaches the bot unchanged.
      expect(result.payloadAliases).toEqual({ 'rate#2': 'rate', 'rate#2#2': 'rate#2', 'rate#3': 'rate' });
    });

    it('makes payloads unique across all cards of a carousel, including default actions', () => {
      const card = (n: number): CanonicalCard => ({ title: `Plan ${n}`, defaultAction: postback('Pick', 'pick'), buttons: [postback('Pick', 'pick')] });

      const cards = carouselCardsOf(render([{ type: 'carousel', cards: [card(1), card(2)] }], 'webmessaging').replyMessages[0]);

      // Buttons claim first, so the visible buttons keep the bot's payload where they can.
      expect(cards.flatMap((c) => [...c.actions, c.defaultAction].map((a) => a?.payload))).toEqual([
        'pick',
        'pick#2',
        'pick#3',
        'pick#4',
      ]);
    });

    it('lets separate messages reuse the same payload', () => {
      const result = render([{ type: 'card', card: productCard(1) }, { type: 'card', card: productCard(1) }], 'webmessaging');

      expect(result.replyMessages.map((m) => cardOf(m).actions[0]?.payload)).toEqual(['buy-1', 'buy-1']);
    });

    it("returns the bot's own payload in numbered choices", () => {
      const result = render(
        [{ type: 'quickReplies', text: 'Again?', replies: [{ title: 'Yes', payload: 'same' }, { title: 'Sure', payload: 'same' }] }],
        'sms',
      );

      expect(result.choices.map((c) => c.payload)).toEqual(['same', 'same']);
    });
  });

  describe('numbered choices', () => {
    it('continue across messages of one render call', () => {
      const result = render(
        [
          pickOne,
          { type: 'text', text: 'Or look at these:' },
          { type: 'card', card: { title: 'Returns', buttons: [postback('Start a return', 'return'), postback('Policy', 'policy')] } },
          { type: 'buttons', text: 'Anything else?', buttons: [postback('No', 'no')] },
        ],
        'sms',
      );

      expect(result.replyMessages.map((m) => m.text)).toEqual([
        'Pick one:\n1. Track order\n2. Talk to agent',
        'Or look at these:',
        'Returns\n3. Start a return\n4. Policy',
        'Anything else?\n5. No',
      ]);
      expect(result.choices).toEqual([
        { number: 1, title: 'Track order', payload: 'track' },
        { number: 2, title: 'Talk to agent', payload: 'agent' },
        { number: 3, title: 'Start a return', payload: 'return' },
        { number: 4, title: 'Policy', payload: 'policy' },
        { number: 5, title: 'No', payload: 'no' },
      ]);
    });

    it('start again at 1 on the next render call', () => {
      render([pickOne], 'sms');

      expect(render([pickOne], 'sms').choices[0]?.number).toBe(1);
    });
  });
});
