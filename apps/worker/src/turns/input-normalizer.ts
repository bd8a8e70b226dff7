import type { InputMessage } from '@app/genesys';
import type { CanonicalAttachment, CanonicalUserInput } from '@app/bot-providers';
import type { NumberedChoice } from '../rendering/structured-message.renderer.js';

const KINDS: Record<string, CanonicalAttachment['kind']> = { image: 'image', video: 'video', audio: 'audio', file: 'file', link: 'link' };

/**
 * Turns whatever Genesys sent into one canonical user input: a button click (either Structured
 * shape of reference §2.3), text, or attachments. A number typed in answer to options we had to
 * render as numbered text counts as clicking that option.
 */
export function normalizeInput(msg: InputMessage | undefined, choices: NumberedChoice[], payloadAliases: Record<string, string> = {}): CanonicalUserInput {
  const text = (msg?.text ?? '').trim();
  const content = Array.isArray(msg?.content) ? msg!.content : [];
  const button = content.find((c) => c?.buttonResponse && (c.contentType ?? 'ButtonResponse').toLowerCase() === 'buttonresponse')?.buttonResponse ?? msg?.buttonResponse;
  const attachments: CanonicalAttachment[] = content
    .filter((c) => c?.attachment?.url)
    .map((c) => {
      const a = c.attachment!;
      const att: CanonicalAttachment = { kind: KINDS[(a.mediaType ?? '').toLowerCase()] ?? 'file', url: a.url! };
      if (a.filename) att.filename = a.filename;
      if (a.mime) att.mime = a.mime;
      if (a.text) att.caption = a.text;
      if (typeof a.contentSizeBytes === 'number') att.sizeBytes = a.contentSizeBytes;
      return att;
    });

  if (button && (button.payload || button.text)) {
    const payload = (button.payload ?? button.text ?? '').trim();
    return { kind: 'button', text: (button.text ?? text).trim(), payload: Object.hasOwn(payloadAliases, payload) ? payloadAliases[payload]! : payload, attachments };
  }
  const picked = /^\d{1,3}$/.test(text) ? choices.find((c) => c.number === Number(text)) : undefined;
  if (picked) return { kind: 'button', text: picked.title, payload: picked.payload, attachments };
  if (text) return { kind: 'text', text, attachments };
  if (attachments.length) return { kind: 'attachment', text: '', attachments };
  return { kind: 'empty', text: '', attachments };
}
