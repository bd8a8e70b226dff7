import { DirectLineFake, dl } from '../../../../test/fakes/directline.fake.js';
import { validateBotResult } from '../bot-result.validator.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { BackendClient } from '../kit/backend-client.js';
import { DirectLineBotProvider } from './directline.provider.js';

type Obj = Record<string, unknown>;

const client = new BackendClient({ allowPrivateNetworks: true });
const provider = new DirectLineBotProvider(client);
let fake: DirectLineFake;

beforeAll(async () => {
  fake = await new DirectLineFake().start();
});
afterAll(async () => {
  await fake.close();
  client.close();
});

let n = 0;
/** What the provider makes of the bot's activities (sent 50 ms after the customer's message), validated like any result. */
async function mapped(...activities: Obj[]): Promise<BotResult> {
  fake.script = () => activities.map((activity, i) => ({ afterMs: i === 0 ? 50 : 0, activity }));
  const turn: CanonicalTurn = {
    turnId: `t${++n}`,
    channelId: 'c1',
    bot: { id: 'b', name: 'B', version: '1' },
    session: { id: `s${n}`, turnIndex: 0, state: {}, parameters: {} },
    language: 'en-us',
    input: { kind: 'text', text: 'show me', attachments: [] },
    seq: 1,
  };
  const config = { secret: fake.secret, baseUrl: fake.origin, quietMs: 150, pollIntervalMs: 100 };
  const r = await provider.handleTurn(turn, { signal: AbortSignal.timeout(3000), timeoutMs: 3000, config });
  return validateBotResult(r);
}

const IMG = 'https://cdn.example.com/shoe.png';

describe('directline → canonical messages', () => {
  it('markdown text becomes plain text; textFormat plain is left alone; xml loses its tags', async () => {
    const r = await mapped(
      dl.message('**Order** shipped: see [tracking](https://track.example.com/1) and `code`\n- item one'),
      dl.message('2 * 3 = 6 **kept**', { textFormat: 'plain' }),
      dl.message('<speak>Hello &amp; welcome</speak>', { textFormat: 'xml' }),
    );
    expect(r.messages).toEqual([
      { type: 'text', text: 'Order shipped: see tracking (https://track.example.com/1) and code\n• item one' },
      { type: 'text', text: '2 * 3 = 6 **kept**' },
      { type: 'text', text: 'Hello & welcome' },
    ]);
  });

  it('suggested actions: imBack, postBack (string and object value), messageBack → quick replies on the text; openUrl → a url button', async () => {
    const r = await mapped(
      dl.message('Pick a size', {
        suggestedActions: {
          actions: [
            { type: 'imBack', title: 'Small', value: 'small' },
            { type: 'postBack', title: 'Medium', value: { size: 'M' } },
            { type: 'messageBack', title: 'Large', text: 'large', displayText: 'Large please', value: { size: 'L' } },
            { type: 'imBack', value: 'XL' },
            { type: 'call', title: 'Call us', value: 'tel:+3531234567' },
          ],
        },
      }),
      dl.message('More help', { suggestedActions: { actions: [{ type: 'openUrl', title: 'Size guide', value: 'https://example.com/sizes' }, { type: 'imBack', title: 'No thanks', value: 'no' }] } }),
    );
    expect(r.messages).toEqual([
      {
        type: 'quickReplies',
        text: 'Pick a size',
        replies: [
          { title: 'Small', payload: 'small' },
          { title: 'Medium', payload: '{"size":"M"}' },
          { title: 'Large', payload: 'large' },
          { title: 'XL', payload: 'XL' },
        ],
      },
      { type: 'buttons', text: 'More help', buttons: [{ type: 'url', title: 'Size guide', url: 'https://example.com/sizes' }] },
      { type: 'quickReplies', text: '', replies: [{ title: 'No thanks', payload: 'no' }] },
    ]);
  });

  it('21 suggested actions and over-long values are clipped, not a failed turn', async () => {
    const actions = Array.from({ length: 25 }, (_, i) => ({ type: 'imBack', title: `Option ${i} ${'x'.repeat(300)}`, value: `v${i}${'y'.repeat(1200)}` }));
    const r = await mapped(dl.message('Many', { suggestedActions: { actions } }));
    const qr = r.messages[0] as Extract<BotResult['messages'][number], { type: 'quickReplies' }>;
    expect(qr.replies).toHaveLength(20);
    expect(qr.replies[0]!.title.length).toBeLessThanOrEqual(200);
    expect(qr.replies[0]!.payload.length).toBeLessThanOrEqual(1000);
  });

  it('a hero card → card (title, subtitle + text, first image, buttons, tap); a thumbnail without title uses its text', async () => {
    const r = await mapped(
      dl.message('', {
        attachments: [
          dl.hero({
            title: 'Runner 2',
            subtitle: '€89',
            text: 'Light and **fast**',
            images: [{ url: IMG }, { url: 'https://cdn.example.com/other.png' }],
            buttons: [
              { type: 'imBack', title: 'Buy', value: 'buy runner' },
              { type: 'openUrl', title: 'Details', value: 'https://shop.example.com/runner' },
              { type: 'openUrl', title: 'Bad', value: 'javascript:alert(1)' },
            ],
            tap: { type: 'openUrl', value: 'https://shop.example.com/runner' },
          }),
          dl.thumbnail({ text: 'Only text here', images: [{ url: 'not a url' }] }),
        ],
      }),
    );
    expect(r.messages).toEqual([
      {
        type: 'card',
        card: {
          title: 'Runner 2',
          subtitle: '€89\nLight and fast',
          imageUrl: IMG,
          defaultAction: { type: 'url', title: 'https://shop.example.com/runner', url: 'https://shop.example.com/runner' },
          buttons: [
            { type: 'postback', title: 'Buy', payload: 'buy runner' },
            { type: 'url', title: 'Details', url: 'https://shop.example.com/runner' },
          ],
        },
      },
      { type: 'card', card: { title: 'Only text here' } },
    ]);
  });

  it('several cards in a carousel layout → one carousel after the text; in a list layout → one card each', async () => {
    const cards = [1, 2, 3].map((i) => dl.hero({ title: `Shoe ${i}`, images: [{ url: IMG }], buttons: [{ type: 'postBack', title: 'Pick', value: `shoe-${i}` }] }));
    const r = await mapped(dl.message('Our best sellers', { attachmentLayout: 'carousel', attachments: cards }), dl.message('', { attachmentLayout: 'list', attachments: cards.slice(0, 2) }));
    expect(r.messages.map((m) => m.type)).toEqual(['text', 'carousel', 'card', 'card']);
    const carousel = r.messages[1] as Extract<BotResult['messages'][number], { type: 'carousel' }>;
    expect(carousel.cards.map((c) => c.buttons?.[0])).toEqual([1, 2, 3].map((i) => ({ type: 'postback', title: 'Pick', payload: `shoe-${i}` })));
  });

  it('media attachments by content type, with the name as filename; a media type without an http(s) URL degrades to its name', async () => {
    const r = await mapped(
      dl.message('Here you go', {
        attachments: [
          { contentType: 'image/png', contentUrl: IMG, name: 'shoe.png' },
          { contentType: 'video/mp4', contentUrl: 'https://cdn.example.com/v.mp4' },
          { contentType: 'audio/mpeg', contentUrl: 'https://cdn.example.com/a.mp3', name: 'a.mp3' },
          { contentType: 'application/pdf', contentUrl: 'https://cdn.example.com/r.pdf', name: 'receipt.pdf' },
          { contentType: 'image/png', contentUrl: 'data:image/png;base64,AAAA', name: 'inline.png' },
        ],
      }),
    );
    expect(r.messages).toEqual([
      { type: 'text', text: 'Here you go' },
      { type: 'attachment', attachment: { kind: 'image', url: IMG, filename: 'shoe.png', mime: 'image/png' } },
      { type: 'attachment', attachment: { kind: 'video', url: 'https://cdn.example.com/v.mp4', mime: 'video/mp4' } },
      { type: 'attachment', attachment: { kind: 'audio', url: 'https://cdn.example.com/a.mp3', filename: 'a.mp3', mime: 'audio/mpeg' } },
      { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.example.com/r.pdf', filename: 'receipt.pdf', mime: 'application/pdf' } },
      { type: 'text', text: 'inline.png' },
    ]);
  });

  it('an Adaptive Card degrades: TextBlocks → text, OpenUrl → url buttons, Submit with string data → postback, Image → attachment', async () => {
    const card = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: 'Your **booking**', weight: 'Bolder' },
        { type: 'Image', url: IMG, altText: 'hotel.png' },
        { type: 'ColumnSet', columns: [{ type: 'Column', items: [{ type: 'TextBlock', text: 'Check-in: Mon' }] }] },
        { type: 'FactSet', facts: [{ title: 'Room', value: 'Double' }] },
        { type: 'Input.Text', id: 'comment' },
      ],
      actions: [
        { type: 'Action.OpenUrl', title: 'Manage', url: 'https://hotel.example.com/b/1' },
        { type: 'Action.Submit', title: 'Confirm', data: 'confirm booking' },
        { type: 'Action.Submit', title: 'Form', data: { needs: 'inputs' } },
        { type: 'Action.Execute', title: 'Exec' },
      ],
    };
    const r = await mapped(dl.message('', { attachments: [dl.adaptive(card)] }), dl.message('', { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: JSON.stringify({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'From a string' }] }) }] }));
    expect(r.messages).toEqual([
      {
        type: 'buttons',
        text: 'Your booking\nCheck-in: Mon\nRoom: Double',
        buttons: [
          { type: 'url', title: 'Manage', url: 'https://hotel.example.com/b/1' },
          { type: 'postback', title: 'Confirm', payload: 'confirm booking' },
        ],
      },
      { type: 'attachment', attachment: { kind: 'image', url: IMG, filename: 'hotel.png' } },
      { type: 'text', text: 'From a string' },
    ]);
  });

  it('unknown cards degrade to their human fields, never raw JSON; video cards give their media', async () => {
    const r = await mapped(
      dl.message('', {
        attachments: [
          { contentType: 'application/vnd.microsoft.card.receipt', content: { title: 'Receipt', items: [{ title: 'Shoe', price: '€89' }], total: '€89' } },
          { contentType: 'application/vnd.contoso.custom', content: { weird: { nested: true } } },
          { contentType: 'application/vnd.microsoft.card.video', content: { title: 'How to lace', media: [{ url: 'https://cdn.example.com/lace.mp4' }] } },
          { contentType: 'application/vnd.microsoft.card.signin', content: { text: 'Please sign in', buttons: [{ type: 'signin', title: 'Sign in', value: 'https://login.example.com/x' }] } },
        ],
      }),
    );
    expect(r.messages).toEqual([
      { type: 'text', text: 'Receipt' },
      { type: 'text', text: 'How to lace' },
      { type: 'attachment', attachment: { kind: 'video', url: 'https://cdn.example.com/lace.mp4', filename: 'How to lace' } },
      { type: 'buttons', text: 'Please sign in', buttons: [{ type: 'url', title: 'Sign in', url: 'https://login.example.com/x' }] },
    ]);
    expect(JSON.stringify(r.messages)).not.toContain('nested');
  });

  it('activities with fields of the wrong type are degraded or skipped, never a crash', async () => {
    const r = await mapped(
      dl.message(42 as unknown as string),
      { type: 'message', text: ['x'], attachments: 'nope', suggestedActions: { actions: 'nope' } },
      { type: 'message', attachments: [null, 7, { contentType: 5, content: 'x' }, { contentType: 'application/vnd.microsoft.card.hero', content: { title: { a: 1 }, images: 'x', buttons: [null, { type: 'imBack' }] } }] },
      { type: 'message', speak: '<speak>Spoken only</speak>' },
      dl.message('after the garbage'),
    );
    expect(r.messages).toEqual([
      { type: 'text', text: '42' },
      { type: 'text', text: 'Spoken only' },
      { type: 'text', text: 'after the garbage' },
    ]);
  });
});
