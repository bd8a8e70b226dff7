import { IBAN_LENGTHS, ibanChecksumValid, luhnValid } from './checksums.js';

/**
 * The built-in recognizers. Each is a plain function from text to text with its finds replaced by
 * a token that keeps what an agent needs (the last four digits of a card) and nothing else.
 *
 * Every regex here is linear in its input: no quantified group contains another quantifier over
 * the same characters, and the lookbehinds keep a match from starting inside a run it already
 * rejected. The structural checks (Luhn, mod 97, digit counts) run in code, on each candidate.
 */

export const TOKENS = {
  email: '[email]',
  iban: '[iban]',
  phone: '[phone]',
  card: (last4: string) => `[card ••••${last4}]`,
} as const;

// ---- email ----------------------------------------------------------------------------------

/**
 * RFC 5322 atext in the local part (the characters real addresses use, and what generators
 * produce), ASCII domain labels and a letter TLD. The lookbehind starts a match only where a
 * run of local-part characters starts, so a long run without `@` is scanned once.
 */
const LOCAL = "A-Za-z0-9!#$%&'*+/=?^_`{|}~.-";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL = new RegExp(`(?<![${LOCAL}])[${LOCAL}]{1,64}@${LABEL}(?:\\.${LABEL})*\\.[A-Za-z]{2,63}(?![A-Za-z0-9-])`, 'g');

export function redactEmails(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(EMAIL, TOKENS.email);
}

// ---- IBAN -----------------------------------------------------------------------------------

/**
 * Country code, two check digits, then letters and digits, optionally in space-separated groups.
 * The candidate is longer than any IBAN on purpose; the country's length decides where it ends.
 */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/g;
const isAlnum = (c: string | undefined) => !!c && /[A-Za-z0-9]/.test(c);

export function redactIbans(text: string): string {
  const re = new RegExp(IBAN_CANDIDATE);
  let out = '';
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2).toUpperCase()];
    const end = length ? ibanEnd(m[0], length) : -1;
    const compact = end > 0 ? m[0].slice(0, end).replace(/ /g, '').toUpperCase() : '';
    if (end > 0 && !isAlnum(text[m.index + end]) && ibanChecksumValid(compact)) {
      out += text.slice(last, m.index) + TOKENS.iban;
      last = m.index + end;
      re.lastIndex = last;
    } else {
      re.lastIndex = m.index + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Where the `length`-th letter or digit of `candidate` ends, or -1 if it has fewer. */
function ibanEnd(candidate: string, length: number): number {
  let n = 0;
  for (let i = 0; i < candidate.length; i++) {
    if (candidate[i] !== ' ' && ++n === length) return i + 1;
  }
  return -1;
}

// ---- digit runs (cards and phones) ----------------------------------------------------------

/** A run of digit groups, each separated by exactly one separator. */
interface Run {
  groups: string[];
  /** `seps[i]` follows `groups[i]`; '' where a parenthesised group touches its neighbour. */
  seps: string[];
}

function digitsOf(groups: string[], from: number, to: number): string {
  let s = '';
  for (let k = from; k <= to; k++) s += groups[k]!.replace(/\D/g, '');
  return s;
}

/** Joins groups `from..to` back with their separators (for the parts that are kept). */
function join(run: Run, from: number, to: number): string {
  let s = '';
  for (let k = from; k <= to; k++) s += run.groups[k]! + (k < to ? run.seps[k]! : '');
  return s;
}

/**
 * Chooses windows of consecutive groups, longest first from the left, that `accept` takes; the
 * rest of the run is kept as it was. `order` lists the passes: a window found in an earlier pass
 * wins, so a strong candidate (a leading `0` or `+`) is not pre-empted by a weaker one next to it.
 */
function replaceWindows(
  run: Run,
  passes: ((i: number) => boolean)[],
  maxGroups: number,
  accept: (i: number, j: number) => string | undefined,
): string {
  const n = run.groups.length;
  const taken: (string | undefined)[] = new Array(n);
  const end: number[] = new Array(n).fill(-1);
  const used = new Uint8Array(n);
  for (const startsHere of passes) {
    for (let i = 0; i < n; i++) {
      if (used[i] || !startsHere(i)) continue;
      let limit = Math.min(n - 1, i + maxGroups - 1);
      for (let k = i; k <= limit; k++) if (used[k]) limit = k - 1;
      for (let j = limit; j >= i; j--) {
        const token = accept(i, j);
        if (token === undefined) continue;
        taken[i] = token;
        end[i] = j;
        for (let k = i; k <= j; k++) used[k] = 1;
        i = j;
        break;
      }
    }
  }
  let out = '';
  for (let i = 0; i < n; ) {
    if (taken[i] !== undefined) {
      out += taken[i];
      i = end[i]! + 1;
    } else {
      out += run.groups[i];
      i++;
    }
    if (i < n) out += run.seps[i - 1];
  }
  return out;
}

// ---- payment cards --------------------------------------------------------------------------

/** Digits in groups separated by one space or dash ("4111 1111 1111 1111", "4111-1111-…"). */
const CARD_RUN = /(?<!\d)\d+(?:[ -]\d+)*/g;

/**
 * 13–19 digits that pass Luhn, written whole or in groups whose first has at least four digits
 * (every issuer's grouping does). Inside a longer run ("4111 1111 1111 1111 12/25") the card
 * part is found on its own. All-same-digit runs (0000 0000 …) pass Luhn but are no card.
 */
export function redactCards(text: string): string {
  return text.replace(CARD_RUN, (whole: string, offset: number) => {
    if (whole.length < 13) return whole;
    // "+4930…": an international phone number, the phone recognizer's.
    if (text[offset - 1] === '+') return whole;
    const groups = whole.split(/[ -]/);
    const run: Run = { groups, seps: whole.match(/[ -]/g) ?? [] };
    return replaceWindows(run, [(i) => groups[i]!.length >= 4], 19, (i, j) => {
      const digits = digitsOf(groups, i, j);
      if (digits.length < 13 || digits.length > 19 || /^(\d)\1*$/.test(digits) || !luhnValid(digits)) return undefined;
      return TOKENS.card(digits.slice(-4));
    });
  });
}

// ---- phone numbers --------------------------------------------------------------------------

/**
 * An optional `+`, then digit groups separated by one space, dot, dash or slash; a group may be
 * parenthesised ("(555)", "(0)30"). Colons, commas and other characters end a run, so times
 * (12:30) and amounts with a decimal comma are never one.
 */
const PHONE_RUN = /(?<!\d)(?:\+ ?)?(?:\(\d{1,5}\)\d*|\d+)(?:[ ./-](?:\(\d{1,5}\)\d*|\d+)|\(\d{1,5}\)\d*)*/g;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const CURRENCY_BEFORE = /[$€£¥₹]\s?$/;
const CURRENCY_OR_DECIMAL_AFTER = /^(?:\s?(?:[$€£¥₹]|EUR\b|USD\b|GBP\b|CHF\b)|,\d)/;

/**
 * E.164 (`+` and 8–15 digits, any of the separators) and the common national formats: a
 * number with a trunk `0` (10–11 digits whole, "0612345678"; 9–12 in groups, "020 7946 0958",
 * "06 12 34 56 78", "030/1234567"), a parenthesised area code ("(555) 123-4567") or 9–12 digits in
 * groups of two or more with one kind of separator ("555-123-4567", "612 345 678"). Left alone:
 * dates (8 digits at most, or mixed separators as in "15.01.2024 10"), times, short numbers,
 * dotted IPv4 addresses, digits that are part of a word (ids), and amounts next to a currency
 * sign or a decimal comma.
 */
export function redactPhones(text: string): string {
  return text.replace(PHONE_RUN, (whole: string, offset: number) => {
    const plus = whole.startsWith('+');
    const body = plus ? whole.slice(whole[1] === ' ' ? 2 : 1) : whole;
    if (body.replace(/\D/g, '').length < (plus ? 8 : 9)) return whole;
    // Part of a word ("turn-0612345678ab", "id0612345678"): an identifier, not a number someone wrote.
    if (/[A-Za-z]/.test(text[offset - 1] ?? '') || /[A-Za-z]/.test(text[offset + whole.length] ?? '')) return whole;
    if (!plus && IPV4.test(body)) return whole;
    if (CURRENCY_BEFORE.test(text.slice(Math.max(0, offset - 2), offset)) || CURRENCY_OR_DECIMAL_AFTER.test(text.slice(offset + whole.length, offset + whole.length + 4))) return whole;
    const run = phoneRun(body);
    const { groups } = run;
    const strong = (i: number) => (plus && i === 0) || groups[i]![0] === '0' || groups[i]![0] === '(';
    const kept = replaceWindows(run, [strong, (i) => !strong(i)], 8, (i, j) => (isPhone(run, i, j, plus && i === 0) ? TOKENS.phone : undefined));
    // The `+` belongs to the first group: gone with it when that is a phone, kept otherwise.
    const prefix = whole.slice(0, whole.length - body.length);
    return kept.startsWith(TOKENS.phone) && plus ? kept : prefix + kept;
  });
}

function phoneRun(body: string): Run {
  const groups: string[] = [];
  const seps: string[] = [];
  const re = /(\(\d{1,5}\)\d*|\d+)([ ./-]?)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    groups.push(m[1]!);
    if (re.lastIndex < body.length) seps.push(m[2]!);
  }
  return { groups, seps };
}

function isPhone(run: Run, i: number, j: number, plus: boolean): boolean {
  const { groups, seps } = run;
  const digits = digitsOf(groups, i, j);
  const d = digits.length;
  if (plus) return d >= 8 && d <= 15;
  // An international call prefix: 00, then a country code (which never starts with 0).
  if (/^00[1-9]/.test(groups[i]!) && d - 2 >= 8 && d - 2 <= 15) return true;
  const parens = groups.slice(i, j + 1).some((g) => g.includes('('));
  if (i === j && !parens) return digits[0] === '0' && d >= 10 && d <= 11;
  if (d < 9 || d > 12) return false;
  // One kind of separator, except right after a parenthesised area code ("(555) 123-4567").
  const between = seps.slice(i, j).filter((s, k) => s !== '' && !(k === 0 && groups[i]!.startsWith('(')));
  if (new Set(between).size > 1) return false;
  const window = groups.slice(i, j + 1);
  if (hasDate(window)) return false;
  const strong = groups[i]![0] === '0' || groups[i]![0] === '(';
  if (strong) return true;
  // Without a trunk 0 or an area code in brackets, only the three-group shapes phone numbers are
  // written in ("555-123-4567", "612 345 678"): two groups are a ZIP+4 or an invoice number, and
  // a row of years is a row of years.
  return window.length >= 3 && window.every((g) => g.length >= 2) && !window.every((g) => /^(?:19|20)\d\d$/.test(g));
}

/** Three groups in a row that read as a date: year-month-day or day-month-year (month ≤ 12). */
function hasDate(groups: string[]): boolean {
  const n = (g: string | undefined) => (g && /^\d{1,4}$/.test(g) ? Number(g) : NaN);
  for (let k = 0; k + 2 < groups.length; k++) {
    const [a, b, c] = [groups[k]!, groups[k + 1]!, groups[k + 2]!];
    const month = n(b) >= 1 && n(b) <= 12 && b.length <= 2;
    if (month && /^(?:19|20)\d\d$/.test(a) && c.length <= 2 && n(c) >= 1 && n(c) <= 31) return true;
    if (month && /^(?:19|20)\d\d$/.test(c) && a.length <= 2 && n(a) >= 1 && n(a) <= 31) return true;
  }
  return false;
}
