import fc from 'fast-check';
import { IBAN_LENGTHS } from './checksums.js';
import { redactorFor } from './redactor.js';

/**
 * For generated texts with cards, IBANs, emails and phone numbers embedded in ordinary words, the
 * redacted text holds none of the values (compared digits-only for cards and phones, so a
 * regrouped number still counts) and everything around them is kept, token for value.
 */

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (min: number, max: number) => fc.array(digit, { minLength: min, maxLength: max }).map((d) => d.join(''));

function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function grouped(s: string, sizes: number[], sep: string): string {
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= s.length) break;
    out.push(s.slice(at, at + n));
    at += n;
  }
  if (at < s.length) out.push(s.slice(at));
  return out.join(sep);
}

interface Pii {
  kind: 'card' | 'iban' | 'email' | 'phone';
  written: string;
  /** What must not appear in the output: digits only for cards and phones, compact for IBANs. */
  secret: string;
}

const card: fc.Arbitrary<Pii> = fc
  .tuple(fc.constantFrom('4', '51', '37', '6011', '35', '62'), fc.integer({ min: 13, max: 19 }), digits(19, 19), fc.constantFrom('plain', ' ', '-'))
  .filter(([, , body]) => !/^(\d)\1*$/.test(body))
  .map(([prefix, length, body, style]) => {
    const partial = (prefix + body).slice(0, length - 1);
    const number = partial + luhnCheckDigit(partial);
    const written = style === 'plain' ? number : grouped(number, [4, 4, 4, 4, 4], style);
    return { kind: 'card' as const, written, secret: number };
  });

function ibanOf(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let rest = 0;
  for (const c of rearranged) rest = (rest * (/\d/.test(c) ? 10 : 100) + parseInt(c, 36)) % 97;
  return `${country}${String(98 - rest).padStart(2, '0')}${bban}`;
}

const iban: fc.Arbitrary<Pii> = fc
  .tuple(fc.constantFrom(...Object.keys(IBAN_LENGTHS)), fc.array(fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), { minLength: 30, maxLength: 30 }), fc.boolean(), fc.boolean())
  .map(([country, chars, spaced, lower]) => {
    const compact = ibanOf(country, chars.join('').slice(0, IBAN_LENGTHS[country]! - 4));
    let written = spaced ? grouped(compact, Array(9).fill(4), ' ') : compact;
    if (lower) written = written.toLowerCase();
    return { kind: 'iban' as const, written, secret: compact };
  });

const email: fc.Arbitrary<Pii> = fc.emailAddress().map((e) => ({ kind: 'email' as const, written: e, secret: e }));

const e164: fc.Arbitrary<Pii> = fc
  .tuple(fc.integer({ min: 1, max: 9 }), digits(7, 14), fc.constantFrom('', ' ', '-', '.'), fc.boolean())
  .map(([cc, rest, sep, spaceAfterPlus]) => {
    const number = `${cc}${rest}`.slice(0, 15);
    return { kind: 'phone' as const, written: `+${spaceAfterPlus && sep ? ' ' : ''}${grouped(number, [2, 3, 3, 3, 3], sep)}`, secret: number };
  });

const national: fc.Arbitrary<Pii> = fc
  .tuple(fc.constantFrom('(ddd) ddd-dddd', 'ddd-ddd-dddd', 'ddd.ddd.dddd', '0dd dddd dddd', '0d dd dd dd dd', '0ddddddddd', '0ddd/ddddddd', '0dddd dddddd'), digits(12, 12), fc.integer({ min: 2, max: 9 }))
  .map(([shape, ds, first]) => {
    let k = 0;
    // A US area code does not start with 0 or 1; the others carry their trunk 0.
    const written = shape.replace(/d/g, () => (k === 0 && !shape.startsWith('0') ? (k++, String(first)) : ds[k++]!));
    return { kind: 'phone' as const, written, secret: written.replace(/\D/g, '') };
  });

const pii = fc.oneof(card, iban, email, e164, national);

/** Ordinary words, some with punctuation, and short numbers never next to one another. */
const word = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-zäöüéè]{1,10}[,.!?]?$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[1-9]\d{0,2}$/) },
);
const filler = fc.array(word, { maxLength: 8 }).map((ws) => ws.filter((w, i) => i === 0 || !(/^\d/.test(w) && /^\d/.test(ws[i - 1]!))));
const letters = fc.stringMatching(/^[A-Za-z]{1,8}$/);

/** A text as segments: fillers and PII alternating, each PII between two words of letters. */
const text = fc.array(fc.tuple(filler, letters, pii, fc.constantFrom('', ',', '.', '!', '?'), letters), { minLength: 1, maxLength: 4 });

const TOKEN = /^\[(?:card ••••\d{4}|iban|email|phone)\]$/;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('redaction property', () => {
  const redactor = redactorFor(undefined);

  it('removes every embedded value and keeps the text around it', () => {
    fc.assert(
      fc.property(text, (parts) => {
        // `glue`: punctuation sticks to the value before it; everything else is one space apart.
        const segments: { pii?: Pii; text: string; glue?: boolean }[] = [];
        for (const [fill, before, p, punct, after] of parts) {
          for (const w of fill) segments.push({ text: w });
          segments.push({ text: before }, { pii: p, text: p.written });
          if (punct) segments.push({ text: punct, glue: true });
          segments.push({ text: after });
        }
        const input = segments.map((s, i) => (i > 0 && !s.glue ? ' ' : '') + s.text).join('');
        const output = redactor.text('transcript.input', input);

        const outDigits = output.replace(/\D/g, '');
        const outCompact = output.replace(/ /g, '').toUpperCase();
        for (const { pii: p } of segments) {
          if (!p) continue;
          if (p.kind === 'card' || p.kind === 'phone') expect(outDigits).not.toContain(p.secret);
          else if (p.kind === 'iban') expect(outCompact).not.toContain(p.secret);
          else expect(output).not.toContain(p.secret);
        }

        const pattern = segments
          .map((s, i) => (i > 0 && !s.glue ? ' ' : '') + (s.pii ? '(\\[[^\\]]+\\])' : escape(s.text)))
          .join('');
        const m = new RegExp(`^${pattern}$`, 'u').exec(output);
        expect(m).not.toBeNull();
        const tokens = m!.slice(1);
        for (const t of tokens) expect(t).toMatch(TOKEN);
        // Each card keeps its own last four digits, and nothing more.
        segments.filter((s) => s.pii).forEach((s, i) => {
          if (s.pii!.kind === 'card') expect(tokens[i]).toBe(`[card ••••${s.pii!.secret.slice(-4)}]`);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves texts without any of them unchanged', () => {
    fc.assert(
      fc.property(filler, (ws) => {
        const input = ws.join(' ');
        expect(redactor.text('transcript.input', input)).toBe(input);
      }),
      { numRuns: 1000 },
    );
  });
});
