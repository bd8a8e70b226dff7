import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, getCsrfToken, path, query, setCsrfToken, setFetch, setUnauthenticatedHandler } from './api.js';
import { formatMs, nextVersion, safeUrl, splitList } from './format.js';
import { match, safeNext } from './router.js';
import { conflictRefs } from './setup/step-bots.js';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('api client', () => {
  afterEach(() => {
    setCsrfToken(null);
    setUnauthenticatedHandler(null);
  });

  it('sends X-CSRF-Token on unsafe requests only, with same-origin credentials', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    setFetch(async (url, init) => {
      calls.push({ url, init });
      return json(200, { ok: true });
    });
    setCsrfToken('tok-1');
    await api.get('/api/channels');
    await api.post('/api/channels/x/enable');
    await api.patch('/api/channels/x', { name: 'X' });
    await api.del('/api/channels/x');
    const header = (i: number) => (calls[i]!.init.headers as Record<string, string>)['x-csrf-token'];
    expect(header(0)).toBeUndefined();
    expect([header(1), header(2), header(3)]).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(calls.every((c) => c.init.credentials === 'same-origin')).toBe(true);
    expect(calls[2]!.init.body).toBe('{"name":"X"}');
  });

  it('turns error bodies into ApiError with code, details and Retry-After', async () => {
    setFetch(async () => json(429, { error: { code: 'rate_limited', message: 'slow down', details: ['a'] } }, { 'retry-after': '30' }));
    const e = await api.post('/api/auth/login', {}, { isLogin: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 429, code: 'rate_limited', message: 'slow down', details: ['a'], retryAfterSeconds: 30 });
  });

  it('a 401 ends the session (except on login)', async () => {
    const ended = vi.fn();
    setUnauthenticatedHandler(ended);
    setCsrfToken('tok');
    setFetch(async () => json(401, { error: { code: 'unauthenticated', message: 'log in' } }));
    await expect(api.get('/api/channels')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(getCsrfToken()).toBeNull();
    await expect(api.post('/api/auth/login', {}, { isLogin: true })).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('on csrf_failed fetches the current token and retries once', async () => {
    setCsrfToken('old');
    const seen: (string | undefined)[] = [];
    setFetch(async (url, init) => {
      if (url === '/api/auth/me') return json(200, { user: { username: 'a' }, csrfToken: 'new' });
      const t = (init.headers as Record<string, string>)['x-csrf-token'];
      seen.push(t);
      return t === 'new' ? json(200, { done: true }) : json(403, { error: { code: 'csrf_failed', message: 'bad token' } });
    });
    await expect(api.post('/api/channels/x/enable')).resolves.toEqual({ done: true });
    expect(seen).toEqual(['old', 'new']);
  });

  it('encodes path parts and drops empty query values', () => {
    expect(path`/api/channels/${'a/b c'}/status`).toBe('/api/channels/a%2Fb%20c/status');
    expect(query({ a: 'x', b: '', c: undefined, d: 0 })).toBe('?a=x&d=0');
    expect(query({})).toBe('');
  });
});

describe('helpers', () => {
  it('nextVersion', () => {
    expect(nextVersion(['1.0'])).toBe('1.1');
    expect(nextVersion(['1.0', '1.1'])).toBe('1.2');
    expect(nextVersion(['2'])).toBe('3');
    expect(nextVersion(['beta'])).toBe('beta.1');
    expect(nextVersion([])).toBe('1.1');
  });

  it('formatMs shows the dashboard\'s sub-10 ms percentiles to a tenth, and whole values as they are', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(0.4)).toBe('0.4 ms');
    expect(formatMs(7)).toBe('7 ms');
    expect(formatMs(121.3)).toBe('121 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(null)).toBe('—');
  });

  it('splitList trims, drops empties and duplicates', () => {
    expect(splitList(' en-us, de-de,,en-us\nfr-fr ')).toEqual(['en-us', 'de-de', 'fr-fr']);
  });

  it('safeUrl allows web links only', () => {
    expect(safeUrl('https://a.example/x')).toBe('https://a.example/x');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('/relative')).toBeUndefined();
    expect(safeUrl('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeUrl('mailto:a@b.c', 'image')).toBeUndefined();
  });

  it('safeNext only returns paths inside the console', () => {
    expect(safeNext('/console/channels/shop')).toBe('/channels/shop');
    expect(safeNext('/console/conversations?channelId=a')).toBe('/conversations?channelId=a');
    expect(safeNext('https://evil.example/console/')).toBeUndefined();
    expect(safeNext('//evil.example')).toBeUndefined();
    expect(safeNext('/console/login')).toBeUndefined();
    expect(safeNext('/console//evil.example')).toBeUndefined();
    expect(safeNext(null)).toBeUndefined();
  });

  it('match decodes route parameters', () => {
    expect(match('/channels/:id', '/channels/a%20b')).toEqual({ id: 'a b' });
    expect(match('/channels/:id', '/channels')).toBeNull();
  });

  it('conflictRefs groups the backend 409 details by bot', () => {
    expect(conflictRefs(['bot1 1.0: intent Returns added', 'bot1 1.1: intent X removed', 'shop 2.0: languages differ', 'not a ref'])).toEqual([
      { botId: 'bot1', versions: ['1.0', '1.1'] },
      { botId: 'shop', versions: ['2.0'] },
    ]);
  });
});
