import { redactLogArgs } from './log-redaction.js';
import { patternProblem, type PrivacyPolicy } from './privacy-policy.js';
import { MAX_REDACTED_CHARS, TRUNCATED_TOKEN, redactDeep, redactorFor } from './redactor.js';

const policy = (over: Partial<PrivacyPolicy> = {}): PrivacyPolicy => ({ redact: true, patterns: [], leaveAlone: [], ...over });

describe('TextRedactor', () => {
  it('redacts by default and nothing when the channel turns redaction off', () => {
    expect(redactorFor(undefined).text('transcript.input', 'mail x@y.io')).toBe('mail [email]');
    expect(redactorFor(policy({ redact: false, patterns: [{ name: 'order', regex: 'ORD-\\d{6}' }] })).text('transcript.input', 'x@y.io ORD-123456')).toBe('x@y.io ORD-123456');
  });

  it('leaves the fields the channel names alone, and only those', () => {
    const r = redactorFor(policy({ leaveAlone: ['handoff.summary'] }));
    expect(r.text('handoff.summary', 'call 020 7946 0958')).toBe('call 020 7946 0958');
    expect(r.text('handoff.lastUtterance', 'call 020 7946 0958')).toBe('call [phone]');
  });

  it("runs the channel's patterns first, with their name as the token", () => {
    const r = redactorFor(policy({ patterns: [{ name: 'policy', regex: 'POL-\\d{10}' }, { name: 'member', regex: 'member no\\. [a-z]\\d{4}', ignoreCase: true }] }));
    // Without the channel pattern the ten digits after the trunk-0 would read as a phone number.
    expect(r.text('transcript.input', 'POL-0612345678 / MEMBER NO. X1234 / 4111111111111111')).toBe('[policy] / [member] / [card ••••1111]');
  });

  it('gives no token to a zero-length match', () => {
    const r = redactorFor(policy({ patterns: [{ name: 'ahead', regex: '(?=x)x?' }] }));
    expect(r.text('transcript.input', 'axb')).toBe('a[ahead]b');
  });

  it('walks objects and arrays, keeping keys and non-strings', () => {
    const r = redactorFor(undefined);
    expect(r.deep('transcript.replies', [{ type: 'Text', text: 'your card 4111111111111111', n: 3, content: [{ quickReply: { text: 'x@y.io', payload: 'ok' } }] }])).toEqual([
      { type: 'Text', text: 'your card [card ••••1111]', n: 3, content: [{ quickReply: { text: '[email]', payload: 'ok' } }] },
    ]);
    expect(redactDeep({ error: 'bot said 020 7946 0958', ok: false })).toEqual({ error: 'bot said [phone]', ok: false });
  });

  it(`looks at ${MAX_REDACTED_CHARS} characters and cuts the rest instead of keeping it unread`, () => {
    const text = `${'a '.repeat(MAX_REDACTED_CHARS / 2)}4111111111111111`;
    const out = redactorFor(undefined).text('transcript.input', text);
    expect(out.endsWith(TRUNCATED_TOKEN)).toBe(true);
    expect(out).not.toContain('4111111111111111');
    expect(out.length).toBe(MAX_REDACTED_CHARS + TRUNCATED_TOKEN.length);
  });

  it('compiles a policy once', () => {
    const p = policy({ patterns: [{ name: 'x', regex: 'X\\d' }] });
    expect(redactorFor(p)).toBe(redactorFor(JSON.parse(JSON.stringify(p)) as PrivacyPolicy));
  });
});

describe('patternProblem', () => {
  it.each(['ORD-\\d{8}', '[A-Z]{2}\\d{6}', '(?:POL|pol)-\\d+', '(?<year>\\d{4})-\\d{2}', '(?:\\d\\d)+', 'a(?=b)', '\\(\\d+\\)+'])('accepts %j', (src) => {
    expect(patternProblem(src)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(201), /longer than 200/],
    ['(abc', /does not compile/],
    ['a*', /matches the empty text/],
    ['(a+)+b', /exponential/],
    ['(?:\\d|\\w)*x', /exponential/],
    ['((ab)*c)+', /exponential/],
    ['(\\d{1,3}[ -]?)+x', /exponential/],
    ['(a)\\1', /backreference/],
    ['(?<n>a)\\k<n>', /backreference/],
  ])('refuses %j', (src, why) => {
    expect(patternProblem(src)).toMatch(why);
  });
});

describe('redactLogArgs', () => {
  it('redacts the message and free-text fields, and keeps ids untouched', () => {
    const fields = { channelId: 'c1', turnId: '4111111111111111', error: { type: 'Error', message: 'bot echoed x@y.io' }, reason: 'Genesys answered 400: text 020 7946 0958' };
    const [f, msg] = redactLogArgs([fields, 'customer wrote 4111 1111 1111 1111']) as [typeof fields, string];
    expect(msg).toBe('customer wrote [card ••••1111]');
    expect(f).toEqual({ channelId: 'c1', turnId: '4111111111111111', error: { type: 'Error', message: 'bot echoed [email]' }, reason: 'Genesys answered 400: text [phone]' });
    expect(fields.error.message).toBe('bot echoed x@y.io');
  });

  it('returns the same arguments when nothing changes (no copy on the common path)', () => {
    const args = [{ channelId: 'c1', ms: 12 }, 'turn done'];
    expect(redactLogArgs(args)).toBe(args);
  });
});
