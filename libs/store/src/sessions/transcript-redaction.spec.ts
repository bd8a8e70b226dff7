import { redactorFor } from '@app/privacy';
import { redactTranscript } from './transcript-redaction.js';
import type { TranscriptEntry } from './transcript.types.js';

const entry: TranscriptEntry = {
  turnId: 't1',
  seq: 1,
  at: '2026-01-01T00:00:00.000Z',
  channelId: 'c1',
  botSessionId: 's1',
  correlationId: '0612345678',
  language: 'en-us',
  input: { kind: 'button', text: 'pay with 4111 1111 1111 1111', payload: 'iban DE89370400440532013000', attachments: 0 },
  replies: [{ type: 'Structured', text: 'Mail x@y.io?', content: [{ contentType: 'QuickReply', quickReply: { text: 'Call +33 6 12 34 56 78', payload: 'call' } }] }],
  botState: 'MoreData',
  outcome: 'reply',
  degradations: [],
  deliveredLate: 0,
  late: false,
  timings: { queueWaitMs: 1, botMs: 2, renderMs: 0, totalMs: 3 },
  error: 'bot said 020 7946 0958',
};

describe('redactTranscript', () => {
  it("redacts the customer's input, every string of the replies and the error; ids and numbers stay", () => {
    const out = redactTranscript(redactorFor(undefined), entry);
    expect(out).toEqual({
      ...entry,
      input: { kind: 'button', text: 'pay with [card ••••1111]', payload: 'iban [iban]', attachments: 0 },
      replies: [{ type: 'Structured', text: 'Mail [email]?', content: [{ contentType: 'QuickReply', quickReply: { text: 'Call [phone]', payload: 'call' } }] }],
      error: 'bot said [phone]',
    });
    // The record given is not changed (the turn's result still carries the replies the customer gets).
    expect(entry.replies[0]!.text).toBe('Mail x@y.io?');
  });

  it('keeps what the policy leaves alone, and adds no field a record did not have', () => {
    const out = redactTranscript(redactorFor({ redact: true, patterns: [], leaveAlone: ['transcript.replies'] }), entry);
    expect(out.replies).toEqual(entry.replies);
    expect(out.input.text).toBe('pay with [card ••••1111]');
    const bare = redactTranscript(redactorFor(undefined), { turnId: 't', at: 'x', channelId: 'c', botSessionId: 's', outcome: 'failed' as const });
    expect(bare).toEqual({ turnId: 't', at: 'x', channelId: 'c', botSessionId: 's', outcome: 'failed' });
  });
});
