import type { ReplyMessage, TranscriptEntry } from '../types.js';

/** Reply messages as the gateway's renderer emits them (apps/worker/src/rendering), plus the odd ones a messenger may carry. */
export const replies = {
  text: { type: 'Text', text: 'Hello!\nHow can I help?' },
  quickReplies: {
    type: 'Structured',
    text: 'What would you like to do?',
    content: [
      { contentType: 'QuickReply', quickReply: { text: 'Track order', payload: 'track' } },
      { contentType: 'QuickReply', quickReply: { text: 'Talk to agent', payload: 'agent' } },
    ],
  },
  card: {
    type: 'Structured',
    content: [
      {
        contentType: 'Card',
        card: {
          title: 'Trail runner',
          description: 'Light shoe\n€89',
          image: 'https://cdn.example.com/shoe.png',
          defaultAction: { type: 'Link', text: 'Open', url: 'https://example.com/shoe' },
          actions: [
            { type: 'Postback', text: 'Buy now', payload: 'buy' },
            { type: 'Link', text: 'Details', url: 'https://example.com/shoe' },
          ],
        },
      },
    ],
  },
  buttons: {
    type: 'Structured',
    content: [{ contentType: 'Card', card: { title: 'How can I help with your order?', actions: [{ type: 'Postback', text: 'Track it', payload: 'track' }, { type: 'Postback', text: 'Return it', payload: 'return' }] } }],
  },
  carousel: {
    type: 'Structured',
    content: [
      {
        contentType: 'Carousel',
        carousel: {
          cards: [
            { title: 'One', image: 'https://cdn.example.com/1.png', actions: [{ type: 'Postback', text: 'Pick', payload: 'p1' }] },
            { title: 'Two', actions: [{ type: 'Postback', text: 'Pick', payload: 'p2' }] },
            { title: 'Three', actions: [{ type: 'Link', text: 'More', url: 'https://example.com/3' }] },
          ],
        },
      },
    ],
  },
  imageAttachment: { type: 'Text', text: 'Our store map', content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://cdn.example.com/map.png', filename: 'map.png' } }] },
  fileAttachment: { type: 'Structured', content: [{ contentType: 'Attachment', attachment: { mediaType: 'File', url: 'https://cdn.example.com/terms.pdf', filename: 'terms.pdf', mime: 'application/pdf', contentSizeBytes: 2048 } }] },
  list: { type: 'Structured', text: 'Pick a size', content: [{ contentType: 'List', list: { title: 'Sizes', items: [{ title: 'EU 40', subtitle: '3 left' }, { title: 'EU 42' }] } }] },
  listPicker: { type: 'Structured', content: [{ contentType: 'ListPicker', listPicker: { sections: [{ title: 'Stores', items: [{ id: 'a', title: 'Dublin', subtitle: 'Grafton St' }] }] } }] },
  unknown: { type: 'Structured', content: [{ contentType: 'DatePicker', datePicker: { title: 'When?' } }] },
  hostile: {
    type: 'Structured',
    text: '<img src=x onerror=alert(1)>',
    content: [
      { contentType: 'Card', card: { title: 'Click me', image: 'javascript:alert(1)', actions: [{ type: 'Link', text: 'Evil', url: 'javascript:alert(document.cookie)' }] } },
      { contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'data:text/html,<script>alert(1)</script>', filename: 'x.png' } },
    ],
  },
} satisfies Record<string, ReplyMessage>;

const base = { degradations: [], late: false, deliveredLate: 0, botState: 'MoreData', outcome: 'reply' as const, timings: { queueWaitMs: 2, botMs: 120, renderMs: 1, totalMs: 130 } };

export const entries: Record<string, TranscriptEntry> = {
  textTurn: { ...base, turnId: 't1', seq: 1, at: '2026-11-25T10:00:00.000Z', input: { kind: 'text', text: 'hi', attachments: 0 }, replies: [replies.text, replies.quickReplies] },
  clickTurn: { ...base, turnId: 't2', seq: 2, at: '2026-11-25T10:00:05.000Z', input: { kind: 'button', text: 'Track order', payload: 'track', attachments: 0 }, replies: [replies.card] },
  handoffTurn: {
    ...base,
    turnId: 't3',
    seq: 3,
    at: '2026-11-25T10:00:10.000Z',
    input: { kind: 'text', text: 'talk to a human', attachments: 0 },
    replies: [{ type: 'Text', text: 'Connecting you to an agent…' }],
    botState: 'Complete',
    intent: 'AgentHandoff',
    outcome: 'handoff',
    handoffReason: 'customer_request',
  },
  lateTurn: {
    ...base,
    turnId: 't4',
    seq: 4,
    at: '2026-11-25T10:00:15.000Z',
    input: { kind: 'attachment', text: '', attachments: 2 },
    replies: [replies.carousel],
    late: true,
    deliveredLate: 1,
    degradations: [{ from: 'carousel', to: 'card', reason: 'carousels are off for this profile' }],
  },
  notification: { kind: 'notification', turnId: 'n1', at: '2026-11-25T10:01:00.000Z', replies: [{ type: 'Text', text: 'Your order has shipped.' }] },
  outgoingFailed: { kind: 'outgoing_failed', turnId: 'o1', at: '2026-11-25T10:02:00.000Z', replies: [{ type: 'Text', text: 'Anything else?' }], error: '409 session closed' },
  failedTurn: { ...base, turnId: 't5', seq: 5, at: '2026-11-25T10:03:00.000Z', input: { kind: 'text', text: 'order?', attachments: 0 }, replies: [], outcome: 'failed', botState: 'Failed', error: 'bot timed out' },
  endTurn: { ...base, turnId: 't6', seq: 6, at: '2026-11-25T10:04:00.000Z', input: { kind: 'text', text: 'bye', attachments: 0 }, replies: [{ type: 'Text', text: 'Goodbye' }], outcome: 'end', botState: 'Complete', intent: 'EndConversation' },
};
