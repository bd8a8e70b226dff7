import type { InputMessage } from '@app/genesys';
import type { NumberedChoice } from '../rendering/structured-message.renderer.js';
import { normalizeInput } from './input-normalizer.js';

const choices: NumberedChoice[] = [
  { number: 1, title: 'Track my order', payload: 'TRACK' },
  { number: 2, title: 'Return an item', payload: 'RETURN' },
  { number: 3, title: 'Talk to us', payload: 'CONTACT' },
];

describe('normalizeInput', () => {
  it('turns Text into trimmed text', () => {
    expect(normalizeInput({ type: 'Text', text: '  where is my parcel?  ' }, [])).toEqual({
      kind: 'text',
      text: 'where is my parcel?',
      attachments: [],
    });
  });

  it.each(['QuickReply', 'Button'])('turns a Structured ButtonResponse (%s) into a button click', (type) => {
    const msg: InputMessage = {
      type: 'Structured',
      text: 'Return an item',
      content: [{ contentType: 'ButtonResponse', buttonResponse: { type, text: 'Return an item', payload: 'RETURN' } }],
    };
    expect(normalizeInput(msg, [])).toEqual({ kind: 'button', text: 'Return an item', payload: 'RETURN', attachments: [] });
  });

  it('accepts the contentType in any case and when it is missing', () => {
    const lower: InputMessage = { type: 'Structured', content: [{ contentType: 'buttonresponse', buttonResponse: { text: 'Yes', payload: 'YES' } }] };
    expect(normalizeInput(lower, [])).toMatchObject({ kind: 'button', payload: 'YES' });
    const missing: InputMessage = { type: 'Structured', content: [{ buttonResponse: { text: 'Yes', payload: 'YES' } }] };
    expect(normalizeInput(missing, [])).toMatchObject({ kind: 'button', payload: 'YES' });
  });

  it('ignores a buttonResponse under another contentType', () => {
    const msg: InputMessage = { type: 'Structured', text: 'hello', content: [{ contentType: 'Attachment', buttonResponse: { text: 'Yes', payload: 'YES' } }] };
    expect(normalizeInput(msg, [])).toEqual({ kind: 'text', text: 'hello', attachments: [] });
  });

  it('reads the third-party shape inputMessage.buttonResponse', () => {
    const msg: InputMessage = { type: 'Structured', buttonResponse: { type: 'QuickReply', text: 'Track my order', payload: 'TRACK' } };
    expect(normalizeInput(msg, [])).toEqual({ kind: 'button', text: 'Track my order', payload: 'TRACK', attachments: [] });
  });

  it('uses the button text as payload when the payload is missing, and the message text as title when its text is', () => {
    expect(normalizeInput({ type: 'Structured', content: [{ contentType: 'ButtonResponse', buttonResponse: { text: ' Yes ' } }] }, [])).toEqual({
      kind: 'button',
      text: 'Yes',
      payload: 'Yes',
      attachments: [],
    });
    expect(normalizeInput({ type: 'Structured', text: 'Yes please', buttonResponse: { payload: 'YES' } }, [])).toEqual({
      kind: 'button',
      text: 'Yes please',
      payload: 'YES',
      attachments: [],
    });
  });

  it('falls back to the text when the button response is empty', () => {
    const msg: InputMessage = { type: 'Structured', text: 'fallback text', content: [{ contentType: 'ButtonResponse', buttonResponse: {} }] };
    expect(normalizeInput(msg, [])).toEqual({ kind: 'text', text: 'fallback text', attachments: [] });
  });

  it('keeps attachments, mapping mediaType and copying optional fields', () => {
    const msg: InputMessage = {
      type: 'Structured',
      content: [
        {
          contentType: 'Attachment',
          attachment: { mediaType: 'Image', url: 'https://cdn.test/a.png', filename: 'a.png', mime: 'image/png', text: 'my receipt', contentSizeBytes: 1234 },
        },
        { contentType: 'Attachment', attachment: { mediaType: 'video', url: 'https://cdn.test/b.mp4' } },
        { contentType: 'Attachment', attachment: { mediaType: 'audio', url: 'https://cdn.test/c.ogg' } },
        { contentType: 'Attachment', attachment: { mediaType: 'Link', url: 'https://cdn.test/d' } },
        { contentType: 'Attachment', attachment: { mediaType: 'Sticker', url: 'https://cdn.test/e' } },
        { contentType: 'Attachment', attachment: { url: 'https://cdn.test/f.pdf' } },
        { contentType: 'Attachment', attachment: { mediaType: 'image' } },
      ],
    };
    const input = normalizeInput(msg, []);
    expect(input.kind).toBe('attachment');
    expect(input.text).toBe('');
    expect(input.attachments).toEqual([
      { kind: 'image', url: 'https://cdn.test/a.png', filename: 'a.png', mime: 'image/png', caption: 'my receipt', sizeBytes: 1234 },
      { kind: 'video', url: 'https://cdn.test/b.mp4' },
      { kind: 'audio', url: 'https://cdn.test/c.ogg' },
      { kind: 'link', url: 'https://cdn.test/d' },
      { kind: 'file', url: 'https://cdn.test/e' },
      { kind: 'file', url: 'https://cdn.test/f.pdf' },
    ]);
  });

  it('keeps attachments next to text and next to a button click', () => {
    const att = { contentType: 'Attachment', attachment: { mediaType: 'image', url: 'https://cdn.test/a.png' } };
    expect(normalizeInput({ type: 'Structured', text: 'see photo', content: [att] }, [])).toEqual({
      kind: 'text',
      text: 'see photo',
      attachments: [{ kind: 'image', url: 'https://cdn.test/a.png' }],
    });
    expect(normalizeInput({ type: 'Structured', content: [att, { contentType: 'ButtonResponse', buttonResponse: { text: 'Yes', payload: 'YES' } }] }, [])).toEqual({
      kind: 'button',
      text: 'Yes',
      payload: 'YES',
      attachments: [{ kind: 'image', url: 'https://cdn.test/a.png' }],
    });
  });

  it('maps a typed number to the numbered choice', () => {
    expect(normalizeInput({ type: 'Text', text: '2' }, choices)).toEqual({ kind: 'button', text: 'Return an item', payload: 'RETURN', attachments: [] });
    expect(normalizeInput({ type: 'Text', text: ' 3 ' }, choices)).toMatchObject({ kind: 'button', payload: 'CONTACT' });
  });

  it('keeps numbers outside the choices, and numbers in sentences, as text', () => {
    expect(normalizeInput({ type: 'Text', text: '4' }, choices)).toEqual({ kind: 'text', text: '4', attachments: [] });
    expect(normalizeInput({ type: 'Text', text: '0' }, choices)).toEqual({ kind: 'text', text: '0', attachments: [] });
    expect(normalizeInput({ type: 'Text', text: '2 items' }, choices)).toEqual({ kind: 'text', text: '2 items', attachments: [] });
    expect(normalizeInput({ type: 'Text', text: '-1' }, choices)).toEqual({ kind: 'text', text: '-1', attachments: [] });
    expect(normalizeInput({ type: 'Text', text: '2' }, [])).toEqual({ kind: 'text', text: '2', attachments: [] });
  });

  it('prefers a real button click over a typed number', () => {
    const msg: InputMessage = { type: 'Structured', text: '1', content: [{ contentType: 'ButtonResponse', buttonResponse: { text: 'Talk to us', payload: 'CONTACT' } }] };
    expect(normalizeInput(msg, choices)).toMatchObject({ kind: 'button', payload: 'CONTACT' });
  });

  it.each<[string, InputMessage | undefined]>([
    ['undefined', undefined],
    ['no text', { type: 'Text' }],
    ['whitespace', { type: 'Text', text: '   \n ' }],
    ['empty content', { type: 'Structured', content: [] }],
    ['content not an array', { type: 'Structured', content: 'nope' as unknown as [] }],
    ['null content items', { type: 'Structured', content: [null as unknown as {}] }],
  ])('gives empty input for %s', (_, msg) => {
    expect(normalizeInput(msg, choices)).toEqual({ kind: 'empty', text: '', attachments: [] });
  });

  it('maps a payload the renderer made unique back to the bot’s own payload', () => {
    const msg: InputMessage = { type: 'Structured', text: 'Fine', content: [{ contentType: 'ButtonResponse', buttonResponse: { type: 'QuickReply', text: 'Fine', payload: 'rate#2' } }] };
    expect(normalizeInput(msg, [], { 'rate#2': 'rate' })).toMatchObject({ kind: 'button', payload: 'rate' });
    expect(normalizeInput(msg, [])).toMatchObject({ kind: 'button', payload: 'rate#2' });
  });

  it('treats payloads that are Object.prototype names as plain payloads', () => {
    for (const payload of ['constructor', 'toString', '__proto__']) {
      const msg: InputMessage = { type: 'Structured', text: 'x', content: [{ contentType: 'ButtonResponse', buttonResponse: { type: 'Button', text: 'x', payload } }] };
      expect(normalizeInput(msg, [], {}).payload).toBe(payload);
    }
  });
});
