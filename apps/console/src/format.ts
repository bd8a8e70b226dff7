/** Small display helpers; pure, so components and tests share them. */

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  // The dashboard's percentiles are exact to the millisecond down here: a fast bot's 0.4 ms is not "0 ms".
  if (ms < 10 && !Number.isInteger(ms)) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2026-11-25T10:00" (datetime-local) → ISO, or undefined when empty or invalid. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Comma or newline separated list → trimmed, non-empty, unique values in order. */
export function splitList(value: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of value.split(/[,\n]/)) {
    const v = part.trim();
    if (v && !seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

/** The next version after the highest one: "1.0" → "1.1", "2" → "3", "1.0-beta" → "1.0-beta.1". */
export function nextVersion(versions: string[]): string {
  const last = versions.at(-1) ?? '1.0';
  const m = /^(.*?)(\d+)$/.exec(last);
  if (!m) return `${last}.1`;
  let candidate = `${m[1]}${Number(m[2]) + 1}`;
  while (versions.includes(candidate)) {
    const again = /^(.*?)(\d+)$/.exec(candidate)!;
    candidate = `${again[1]}${Number(again[2]) + 1}`;
  }
  return candidate;
}

/**
 * Only web links are rendered as links or images: a bot's content is not trusted, and a
 * `javascript:` URL must never become clickable in the admin's session.
 */
export function safeUrl(url: string | undefined | null, kinds: 'link' | 'image' = 'link'): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url, 'https://invalid.example');
    if (u.origin === 'https://invalid.example') return undefined; // relative: not from a bot
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
    if (kinds === 'link' && (u.protocol === 'mailto:' || u.protocol === 'tel:')) return u.href;
  } catch {
    return undefined;
  }
  return undefined;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
