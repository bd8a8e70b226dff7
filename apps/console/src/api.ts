import type { ApiErrorBody } from './types.js';

/**
 * The console's only way to the admin API: same-origin cookie session, `X-CSRF-Token` on every
 * unsafe request, JSON in and out, one typed error. A 401 anywhere (but the login itself) ends the
 * session in the UI. The CSRF token lives in memory and in sessionStorage (this tab only), never in
 * localStorage or a URL.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const CSRF_KEY = 'gbg-console-csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

interface ApiState {
  csrfToken: string | null;
  fetch: FetchLike;
  onUnauthenticated: (() => void) | null;
}

const state: ApiState = {
  csrfToken: readStoredCsrf(),
  fetch: (input, init) => globalThis.fetch(input, init),
  onUnauthenticated: null,
};

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

function readStoredCsrf(): string | null {
  try {
    return storage()?.getItem(CSRF_KEY) ?? null;
  } catch {
    return null;
  }
}

export function getCsrfToken(): string | null {
  return state.csrfToken;
}

export function setCsrfToken(token: string | null): void {
  state.csrfToken = token;
  try {
    if (token) storage()?.setItem(CSRF_KEY, token);
    else storage()?.removeItem(CSRF_KEY);
  } catch {
    // sessionStorage may be unavailable (privacy mode); memory is enough for this tab.
  }
}

/** Called once by the app: what to do when the API says the session is gone. */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  state.onUnauthenticated = fn;
}

/** Tests swap the transport. */
export function setFetch(fn: FetchLike): void {
  state.fetch = fn;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** The login call: a 401 there means wrong credentials, not an ended session. */
  isLogin?: boolean;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, body, opts);
  if (res.status === 403 && UNSAFE.has(method) && !opts.isLogin) {
    const err = await toError(res);
    if (err.code !== 'csrf_failed') throw err;
    // The token may have rotated (another tab logged in again): fetch the current one, retry once.
    if (!(await refreshCsrf())) throw err;
    const again = await send(method, path, body, opts);
    return finish<T>(again, opts);
  }
  return finish<T>(res, opts);
}

async function send(method: string, path: string, body: unknown, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method) && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;
  try {
    return await state.fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'follow',
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'The gateway could not be reached. Check your connection and try again.');
  }
}

async function finish<T>(res: Response, opts: RequestOptions): Promise<T> {
  if (res.status === 401 && !opts.isLogin) {
    const err = await toError(res);
    setCsrfToken(null);
    state.onUnauthenticated?.();
    throw err;
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_response', 'The gateway answered with something that is not JSON.');
  }
}

async function toError(res: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await res.clone().json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  const retry = Number(res.headers.get('retry-after'));
  const e = body?.error;
  return new ApiError(
    res.status,
    e?.code ?? `http_${res.status}`,
    e?.message ?? (res.statusText ? `${res.status} ${res.statusText}` : `HTTP ${res.status}`),
    Array.isArray(e?.details) ? e!.details : [],
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

async function refreshCsrf(): Promise<boolean> {
  try {
    const me = await request<{ csrfToken?: string }>('GET', '/api/auth/me');
    if (me?.csrfToken) {
      setCsrfToken(me.csrfToken);
      return true;
    }
  } catch {
    // fall through
  }
  return false;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};

/** `/api/channels/${id}` with every dynamic part encoded. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A message an admin can act on, from any error. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
