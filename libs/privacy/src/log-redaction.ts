import { redactBuiltIn, MAX_REDACTED_CHARS, TRUNCATED_TOKEN } from './redactor.js';

/**
 * Fields that hold identifiers the gateway made or checked (ids, keys, timestamps, routes), never
 * free text: skipped, which keeps the cost of a log line's redaction to its message and the few
 * fields that may carry a sentence (`error`, `reason`).
 */
const ID_FIELD = /(?:^id|Id|Ids|Key|At|^ip|^context|^app|^path|^method|^queue|^task|^level|^msg)$/;
/** Nesting the hook walks: `{ error: { message } }` is as deep as the gateway's log fields go. */
const MAX_LOG_DEPTH = 3;

function redactLogString(s: string): string {
  return redactBuiltIn(s.length > MAX_REDACTED_CHARS ? s.slice(0, MAX_REDACTED_CHARS) + TRUNCATED_TOKEN : s);
}

/** A copy of `obj` with its free-text strings redacted, or `obj` itself when nothing changed. */
function redactFields(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    const v = obj[key];
    let next = v;
    if (typeof v === 'string') {
      if (!ID_FIELD.test(key)) next = redactLogString(v);
    } else if (v && typeof v === 'object' && depth < MAX_LOG_DEPTH && !(v instanceof Error)) {
      next = redactFields(v as Record<string, unknown>, depth + 1);
    } else if (v instanceof Error) {
      next = { type: v.name, message: redactLogString(v.message) };
    }
    if (next !== v) (out ??= Array.isArray(obj) ? ([...obj] as unknown as Record<string, unknown>) : { ...obj })[key] = next;
  }
  return out ?? obj;
}

/**
 * The last line of defence for log lines: the arguments of a pino call (`(fields?, message?, ...)`)
 * with card numbers, IBANs, emails and phone numbers in their message and free-text fields
 * replaced. Log calls are written to carry ids and categories, not what anyone said; this catches
 * what slips through (a backend's error message that echoes the customer).
 */
export function redactLogArgs(args: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = typeof a === 'string' ? redactLogString(a) : a && typeof a === 'object' && !(a instanceof Error) ? redactFields(a as Record<string, unknown>, 1) : a;
    if (next !== a) (out ??= [...args])[i] = next;
  }
  return out ?? args;
}
