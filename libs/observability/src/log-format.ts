/**
 * How log lines are written: JSON (one object a line, for collectors) or a short, readable line
 * for a developer's terminal. pino-pretty would do the latter at the cost of a dependency and a
 * worker thread; the gateway's lines are flat and few, so a small formatter is enough.
 */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * JSON unless someone reads the terminal: production stays JSON unless LOG_FORMAT asks otherwise,
 * and a piped or redirected stdout (a collector, a file, a test) gets JSON too.
 */
export function resolveLogFormat(opts: { configured?: LogFormat; nodeEnv: string; isTTY: boolean }): LogFormat {
  if (opts.configured) return opts.configured;
  return opts.nodeEnv !== 'production' && opts.isTTY ? 'pretty' : 'json';
}

/** Keys every line has, shown in the line's own columns rather than as fields. */
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'app', 'pid', 'context', 'hostname']);
const MAX_FIELDS = 8;
const MAX_VALUE = 120;

const LEVEL_COLOURS: Record<string, string> = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35' };
const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

function valueText(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  else if (v !== null && typeof v === 'object' && 'message' in v && typeof (v as { message: unknown }).message === 'string') {
    // The logger's error shape ({ type, message }) reads better as one phrase.
    const e = v as { type?: unknown; message: string };
    s = JSON.stringify(typeof e.type === 'string' ? `${e.type}: ${e.message}` : e.message);
  } else s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** `HH:MM:SS.mmm` in local time: a developer compares it with the clock on the wall. */
function clock(time: unknown): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  if (Number.isNaN(d.getTime())) return String(time);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * One pino JSON record as `time LEVEL app context  message  key=value …` (no trailing newline).
 * Only the first few fields are shown, each cut short; the JSON format keeps everything.
 */
export function formatPrettyLine(record: Record<string, unknown>, opts: { colour: boolean }): string {
  const level = String(record.level ?? 'info');
  const head = [
    paint(opts.colour, '90', clock(record.time)),
    paint(opts.colour, LEVEL_COLOURS[level] ?? '0', level.toUpperCase().padEnd(5)),
    record.app !== undefined ? paint(opts.colour, '36', String(record.app)) : undefined,
    record.context !== undefined ? paint(opts.colour, '90', `[${String(record.context)}]`) : undefined,
  ].filter((s): s is string => s !== undefined);
  const fields = Object.entries(record).filter(([k, v]) => !HEAD_KEYS.has(k) && v !== undefined);
  const shown = fields.slice(0, MAX_FIELDS).map(([k, v]) => `${paint(opts.colour, '90', `${k}=`)}${valueText(v)}`);
  if (fields.length > MAX_FIELDS) shown.push(paint(opts.colour, '90', `(+${fields.length - MAX_FIELDS} more; LOG_FORMAT=json shows all)`));
  const msg = record.msg === undefined ? '' : String(record.msg);
  return [head.join(' '), msg, shown.join(' ')].filter(Boolean).join('  ');
}

/** A pino destination that turns each JSON line into a pretty one; a line that is not JSON passes through. */
export function prettyDestination(out: { write(s: string): unknown }, opts: { colour: boolean }): { write(line: string): void } {
  return {
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        out.write(line);
        return;
      }
      out.write(record && typeof record === 'object' ? `${formatPrettyLine(record as Record<string, unknown>, opts)}\n` : line);
    },
  };
}
