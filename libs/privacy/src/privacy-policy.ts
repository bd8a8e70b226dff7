/**
 * A channel's redaction policy (`privacy` in the channel definition). The schema in libs/channels
 * validates it with the checks below, so a bad pattern is refused when the channel is loaded,
 * never at the first turn.
 */

/**
 * Fields a channel may exempt from redaction. Each name covers every place that field is kept:
 * `handoff.summary` is both the `handoffSummary` parameter Genesys receives and the
 * `bot.summary` participant attribute written from it.
 */
export const LEAVE_ALONE_FIELDS = [
  /** The customer's text and button payload in transcripts. */
  'transcript.input',
  /** The bot's replies in transcripts (what the customer was sent). */
  'transcript.replies',
  /** Error strings in transcripts (a backend's or Genesys's message). */
  'transcript.error',
  /** `handoffSummary` parameter and `bot.summary` participant attribute. */
  'handoff.summary',
  /** `lastUtterance` parameter and `bot.lastUtterance` participant attribute. */
  'handoff.lastUtterance',
  /** `handoffDetail` parameter: the bot's own reason for the handoff. */
  'handoff.detail',
] as const;

export type RedactedField = (typeof LEAVE_ALONE_FIELDS)[number];

export interface PrivacyPattern {
  /** Names the token the match becomes: `[<name>]`. */
  name: string;
  /** JavaScript regex source, no slashes or flags; compiled with `u` (and `i` with ignoreCase). */
  regex: string;
  ignoreCase?: boolean;
}

export interface PrivacyPolicy {
  /** Off: this channel's transcripts and handoff context keep the text as it was (logs and audit never do). */
  redact: boolean;
  /** Extra recognizers for this channel's own identifiers, run before the built-in ones. */
  patterns: PrivacyPattern[];
  leaveAlone: RedactedField[];
}

export const DEFAULT_PRIVACY_POLICY: PrivacyPolicy = Object.freeze({ redact: true, patterns: [], leaveAlone: [] }) as PrivacyPolicy;

export const PrivacyLimits = { maxPatterns: 20, maxRegexLength: 200, namePattern: /^[a-z][a-z0-9_-]{0,31}$/ } as const;

/**
 * Why a pattern source may not be used, or undefined. Patterns run on every stored text, so on
 * top of "it compiles" the shapes that make a backtracking engine take exponential time are
 * refused: a repeated group that itself repeats or alternates (`(a+)+`, `(a|ab)*`) and
 * backreferences. A pattern that matches the empty text would put tokens everywhere.
 */
export function patternProblem(source: string, ignoreCase = false): string | undefined {
  if (source.length === 0) return 'is empty';
  if (source.length > PrivacyLimits.maxRegexLength) return `is longer than ${PrivacyLimits.maxRegexLength} characters`;
  let re: RegExp;
  try {
    re = new RegExp(source, ignoreCase ? 'iu' : 'u');
  } catch (e) {
    return `does not compile: ${(e as Error).message.replace(/^Invalid regular expression: /, '').slice(0, 120)}`;
  }
  if (re.test('')) return 'matches the empty text';
  return nestedRepetition(source);
}

/** `*`, `+`, `{n,}` or `{n,m}`: a quantifier that repeats (`?` and `{n}` do not make a loop of choices). */
const REPEATING = /^(?:[*+]|\{\d*,\d*\})/;

/** A small scan of the pattern's structure: groups, what they contain, and what follows them. */
function nestedRepetition(source: string): string | undefined {
  // Per open group: does it contain a repeating quantifier or an alternation?
  const stack: { repeats: boolean; alternates: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'uses a backreference';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      stack.push({ repeats: false, alternates: false });
      // `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`: the `?` is syntax, not a quantifier.
      if (source[i + 1] === '?') {
        const named = /^\?<[A-Za-z_$][\w$]*>/.exec(source.slice(i + 1));
        i += named ? named[0].length : source[i + 2] === '<' ? 3 : 2;
      }
    } else if (c === '|') {
      if (stack.length) stack[stack.length - 1]!.alternates = true;
    } else if (c === ')') {
      const group = stack.pop() ?? { repeats: false, alternates: false };
      const repeated = REPEATING.test(source.slice(i + 1));
      if (repeated && (group.repeats || group.alternates)) {
        return 'repeats a group that itself repeats or alternates (e.g. (a+)+ or (a|b)*), which can take exponential time; write it without the nesting';
      }
      const parent = stack[stack.length - 1];
      if (parent) {
        parent.repeats ||= repeated || group.repeats;
        parent.alternates ||= group.alternates;
      }
    } else if (REPEATING.test(source.slice(i))) {
      if (stack.length) stack[stack.length - 1]!.repeats = true;
    }
  }
  return undefined;
}
