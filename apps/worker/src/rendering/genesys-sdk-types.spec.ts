/**
 * Holds our hand-written Genesys wire types to the official SDK models. The assignments below are
 * the real test and only `tsc --noEmit` checks them (ts-jest does not type-check); the runtime
 * assertions cover what the SDK types cannot say, such as which keys a content type requires.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type { CanonicalMessage } from '@app/bot-providers/canonical.types.js';
import type {
  GenesysAttachment,
  GenesysCard,
  GenesysCardAction,
  GenesysQuickReply,
  ReplyContent,
  ReplyMessage,
} from '@app/genesys';
import { capabilitiesFor } from './capability-profiles.js';
import { StructuredMessageRenderer } from './structured-message.renderer.js';

/** Compiles only when `Actual` can be sent where the SDK expects `Expected`. */
type AssignableTo<Actual extends Expected, Expected> = Actual extends Expected ? true : never;

const wireTypesFitTheSdk: [
  AssignableTo<ReplyMessage, Models.ReplyMessage>,
  AssignableTo<ReplyContent, Models.ConversationMessageContent>,
  AssignableTo<GenesysQuickReply, Models.ConversationContentQuickReply>,
  AssignableTo<GenesysCard, Models.ConversationContentCard>,
  AssignableTo<GenesysCardAction, Models.ConversationContentCardAction>,
  AssignableTo<{ cards: GenesysCard[] }, Models.ConversationContentCarousel>,
  AssignableTo<GenesysAttachment, Models.ConversationContentAttachment>,
] = [true, true, true, true, true, true, true];

/** Enum values the SDK documents as strings (reference genesys-protocol.md §7). */
const MESSAGE_TYPES = ['Text', 'Structured', 'Receipt', 'Event', 'Message', 'Unknown'];
const BOT_CONNECTOR_CONTENT_TYPES = ['QuickReply', 'Card', 'Carousel', 'Attachment'];
const CARD_ACTION_TYPES = ['Link', 'Postback'];
const MEDIA_TYPES = ['Image', 'Video', 'Audio', 'File', 'Link'];

const everyKind: CanonicalMessage[] = [
  { type: 'text', text: 'Hello' },
  { type: 'quickReplies', text: 'Pick one:', replies: [{ title: 'Yes', payload: 'yes', imageUrl: 'https://cdn.example.com/y.png' }] },
  { type: 'buttons', text: 'Need help?', buttons: [{ type: 'postback', title: 'Agent', payload: 'agent' }] },
  { type: 'list', title: 'Steps', items: ['One', 'Two'], ordered: true },
  {
    type: 'card',
    card: {
      title: 'Shoes',
      subtitle: 'Blue',
      imageUrl: 'https://cdn.example.com/s.png',
      defaultAction: { type: 'url', title: 'Open', url: 'https://example.com/s' },
      buttons: [
        { type: 'postback', title: 'Buy', payload: 'buy' },
        { type: 'url', title: 'Details', url: 'https://example.com/d' },
      ],
    },
  },
  {
    type: 'carousel',
    text: 'Pick a plan',
    cards: [1, 2].map((n) => ({ title: `Plan ${n}`, buttons: [{ type: 'postback' as const, title: 'Choose', payload: 'choose' }] })),
  },
  { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.example.com/f.pdf', filename: 'f.pdf', mime: 'application/pdf', caption: 'Invoice', sizeBytes: 1024 } },
  { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/i.png' } },
];

const { replyMessages } = new StructuredMessageRenderer().render(everyKind, capabilitiesFor('webmessaging'));

function expectSdkAction(action: Models.ConversationContentCardAction): void {
  expect(CARD_ACTION_TYPES).toContain(action.type);
  expect(action.text).toEqual(expect.any(String));
  if (action.type === 'Postback') {
    expect(action.payload).toEqual(expect.any(String));
    expect(action.url).toBeUndefined();
  } else {
    expect(action.url).toEqual(expect.any(String));
    expect(action.payload).toBeUndefined();
  }
}

function expectSdkCard(card: Models.ConversationContentCard): void {
  expect(card.title).toEqual(expect.any(String));
  expect(Array.isArray(card.actions)).toBe(true);
  card.actions.forEach(expectSdkAction);
  if (card.defaultAction) {
    expectSdkAction(card.defaultAction);
  }
}

function expectSdkContent(content: Models.ConversationMessageContent): void {
  expect(BOT_CONNECTOR_CONTENT_TYPES).toContain(content.contentType);
  const keys = Object.keys(content).filter((key) => key !== 'contentType');
  switch (content.contentType) {
    case 'QuickReply':
      expect(keys).toEqual(['quickReply']);
      expect(content.quickReply?.text).toEqual(expect.any(String));
      expect(content.quickReply?.payload).toEqual(expect.any(String));
      break;
    case 'Card':
      expect(keys).toEqual(['card']);
      expectSdkCard(content.card as Models.ConversationContentCard);
      break;
    case 'Carousel':
      expect(keys).toEqual(['carousel']);
      expect(content.carousel?.cards.length).toBeGreaterThan(0);
      content.carousel?.cards.forEach(expectSdkCard);
      break;
    case 'Attachment':
      expect(keys).toEqual(['attachment']);
      expect(MEDIA_TYPES).toContain(content.attachment?.mediaType);
      expect(content.attachment?.url).toEqual(expect.any(String));
      break;
  }
}

describe('rendered replies against the Genesys SDK models', () => {
  it('type-check as the SDK wire types', () => {
    expect(wireTypesFitTheSdk.every(Boolean)).toBe(true);
  });

  it('fit OutgoingMessageRequest.replyMessages, the Digital Bot Connector push body', () => {
    const request: Models.OutgoingMessageRequest = {
      botId: 'bot',
      botVersion: '1',
      botSessionId: 'session',
      botState: 'MoreData',
      languageCode: 'en-us',
      replyMessages,
    };

    expect(request.replyMessages).toHaveLength(replyMessages.length);
  });

  it('fit PostTextResponse.replyMessages, the shape textbots execute answers with', () => {
    const response: Models.PostTextResponse = { botState: 'MoreData', replyMessages };

    expect(response.replyMessages).toBe(replyMessages);
  });

  it('render every canonical kind', () => {
    const shapes = replyMessages.map((message) => [message.type, ...(message.content ?? []).map((c) => c.contentType)].join(':'));

    expect(shapes).toEqual([
      'Text',
      'Structured:QuickReply',
      'Structured:Card',
      'Text',
      'Structured:Card',
      'Text',
      'Structured:Carousel',
      'Text:Attachment',
      'Structured:Attachment',
    ]);
  });

  it.each(replyMessages.map((message, i) => [i, message] as const))(
    'message %i carries the fields the SDK requires',
    (_, message) => {
      const sdkMessage: Models.ReplyMessage = message;

      expect(MESSAGE_TYPES).toContain(sdkMessage.type);
      if (sdkMessage.type === 'Text') {
        expect(sdkMessage.text).toEqual(expect.any(String));
      } else {
        expect(sdkMessage.content?.length).toBeGreaterThan(0);
      }
      const content: Models.ConversationMessageContent[] = sdkMessage.content ?? [];
      content.forEach(expectSdkContent);
    },
  );
});
