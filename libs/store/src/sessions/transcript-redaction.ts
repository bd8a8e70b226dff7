import type { TextRedactor } from '@app/privacy';
import type { TranscriptRecord } from './transcript-store.js';

/**
 * A transcript record as it may be stored: the customer's text and payload, every string of the
 * bot's replies (texts, card titles, button labels and payloads, links) and the error under the
 * channel's policy. Ids, timings and outcomes are the gateway's own and stay as they are.
 */
export function redactTranscript<T extends TranscriptRecord>(redactor: TextRedactor, record: T): T {
  const out: T = { ...record };
  if (record.input) {
    const input = { ...record.input, text: redactor.text('transcript.input', record.input.text) };
    if (record.input.payload !== undefined) input.payload = redactor.text('transcript.input', record.input.payload);
    out.input = input;
  }
  if (record.replies) out.replies = redactor.deep('transcript.replies', record.replies);
  if (record.error !== undefined) out.error = redactor.text('transcript.error', record.error);
  return out;
}
