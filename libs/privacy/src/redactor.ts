import { Injectable } from '@nestjs/common';
import { DEFAULT_PRIVACY_POLICY, type PrivacyPolicy, type RedactedField } from './privacy-policy.js';
import { redactCards, redactEmails, redactIbans, redactPhones } from './recognizers.js';

/**
 * Most characters of one string that are looked at. Everything the gateway stores is far shorter
 * (Genesys caps a message at a few thousand characters); past this the rest is cut and replaced
 * by TRUNCATED_TOKEN rather than kept unread, so the bound never lets text through.
 */
export const MAX_REDACTED_CHARS = 64 * 1024;
export const TRUNCATED_TOKEN = '[truncated]';

/** Each built-in needs a digit or an `@`: text with neither is returned as it is, unscanned. */
const MAY_HOLD_PII = /[\d@]/;

/**
 * The built-in recognizers in order. Emails first (a local part may hold digits), IBANs before
 * cards (an IBAN's digit groups can pass Luhn), cards before phones (a phone run would otherwise
 * take a card's digit groups).
 */
export function redactBuiltIn(text: string): string {
  if (!MAY_HOLD_PII.test(text)) return text;
  return redactPhones(redactCards(redactIbans(redactEmails(text))));
}

interface CompiledPattern {
  token: string;
  re: RegExp;
}

/** A channel's policy, compiled once: apply it with `text()` and `deep()`. */
export class TextRedactor {
  private readonly leave: ReadonlySet<string>;
  private readonly patterns: CompiledPattern[];

  constructor(readonly policy: PrivacyPolicy) {
    this.leave = new Set(policy.leaveAlone);
    this.patterns = policy.patterns.map((p) => ({ token: `[${p.name}]`, re: new RegExp(p.regex, p.ignoreCase ? 'giu' : 'gu') }));
  }

  /** Whether `field` is redacted under this policy. */
  applies(field: RedactedField): boolean {
    return this.policy.redact && !this.leave.has(field);
  }

  /** `text` as it may be stored in `field`. */
  text(field: RedactedField, text: string): string;
  text(field: RedactedField, text: string | undefined): string | undefined;
  text(field: RedactedField, text: string | undefined): string | undefined {
    if (text === undefined || !this.applies(field)) return text;
    return this.redact(text);
  }

  /** Every string inside `value` (objects and arrays walked, keys kept) as it may be stored in `field`. */
  deep<T>(field: RedactedField, value: T): T {
    if (!this.applies(field)) return value;
    return mapStrings(value, (s) => this.redact(s), 0) as T;
  }

  /** The channel's patterns first (they know its identifiers best), then the built-in recognizers. */
  redact(text: string): string {
    let s = bounded(text);
    for (const p of this.patterns) {
      // A zero-length match (a lookahead-only pattern) is left as it is: no token out of nothing.
      s = s.replace(p.re, (m) => (m.length ? p.token : m));
    }
    return redactBuiltIn(s);
  }
}

function bounded(text: string): string {
  return text.length > MAX_REDACTED_CHARS ? text.slice(0, MAX_REDACTED_CHARS) + TRUNCATED_TOKEN : text;
}

/** Structure is kept; nesting deeper than this is not something the gateway stores. */
const MAX_DEPTH = 8;

function mapStrings(value: unknown, fn: (s: string) => string, depth: number): unknown {
  if (typeof value === 'string') return fn(value);
  if (!value || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn, depth + 1);
  return out;
}

/** Compiled policies by content: channels are re-read from Redis, their policy rarely changes. */
const compiled = new Map<string, TextRedactor>();
const MAX_COMPILED = 256;
const DEFAULT_REDACTOR = new TextRedactor(DEFAULT_PRIVACY_POLICY);

/** The redactor for a policy (the default one, redaction on and no extras, when there is none). */
export function redactorFor(policy: PrivacyPolicy | undefined): TextRedactor {
  if (!policy || (policy.redact && policy.patterns.length === 0 && policy.leaveAlone.length === 0)) return DEFAULT_REDACTOR;
  const key = JSON.stringify(policy);
  let r = compiled.get(key);
  if (!r) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    r = new TextRedactor(policy);
    compiled.set(key, r);
  }
  return r;
}

/**
 * Built-in redaction of every string inside a value, whatever the channel: for surfaces no
 * channel policy governs (audit details).
 */
export function redactDeep<T>(value: T): T {
  return mapStrings(value, (s) => redactBuiltIn(bounded(s)), 0) as T;
}

/** The injectable face of redactorFor, for services that take their collaborators by DI. */
@Injectable()
export class Redactor {
  for(policy: PrivacyPolicy | undefined): TextRedactor {
    return redactorFor(policy);
  }
}
