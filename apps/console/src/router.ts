import { useEffect, useState } from 'preact/hooks';

/**
 * History routing under /console. The server must answer index.html for every /console/* path
 * (the mock server does; the ingress must too). Nothing secret ever goes into a URL.
 */
export const BASE = '/console';

export interface Location {
  /** Path inside the console, always starting with "/": "/channels/shop". */
  path: string;
  /** Query parameters (filters only). */
  query: URLSearchParams;
}

const listeners = new Set<() => void>();

function read(): Location {
  const { pathname, search } = window.location;
  let path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return { path, query: new URLSearchParams(search) };
}

export function href(to: string): string {
  return `${BASE}${to.startsWith('/') ? to : `/${to}`}`;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = href(to);
  if (url === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((fn) => fn());
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => listeners.forEach((fn) => fn()));
}

export function useLocation(): Location {
  const [loc, setLoc] = useState<Location>(read);
  useEffect(() => {
    const update = () => setLoc(read());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return loc;
}

/** Matches "/channels/:id" against a path; the values are decoded. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i += 1) {
    const part = p[i]!;
    const seg = s[i]!;
    if (part.startsWith(':')) {
      if (!seg) return null;
      try {
        params[part.slice(1)] = decodeURIComponent(seg);
      } catch {
        return null;
      }
    } else if (part !== seg) return null;
  }
  return params;
}

/** Only a path inside the console is a place to return to (no open redirect). */
export function safeNext(next: string | null): string | undefined {
  if (!next || !next.startsWith('/console/') || next.startsWith('//')) return undefined;
  const inner = next.slice('/console'.length);
  if (/^\/(login)?(\?|$)/.test(inner) || /[\\]|^\/\//.test(inner)) return undefined;
  return inner;
}
