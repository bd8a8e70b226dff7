import { renderToString } from 'preact-render-to-string';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, setCsrfToken, setFetch } from '../api.js';
import type { Transcript, TranscriptEntry } from '../types.js';
import { DeletePanel, TrimNotice } from './transcript.js';
import { TRANSCRIPT_PAGE_SIZE, deleteTranscript, loadMore, loadTranscript } from './transcript-pager.js';

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const entry = (n: number): TranscriptEntry => ({ turnId: `t${n}`, at: '2026-12-01T10:00:00.000Z', input: { kind: 'Text', text: `m${n}` }, replies: [] });

/** A fake transcript read: `positions` of entries kept, paging like the gateway (positions, not indexes). */
function fakeGateway(state: { first: number; total: number }, calls: string[]) {
  setFetch(async (url, init) => {
    calls.push(`${init.method} ${url}`);
    const u = new URL(url, 'http://x');
    const limit = Number(u.searchParams.get('limit') ?? 100);
    const asked = u.searchParams.has('cursor') ? Number(u.searchParams.get('cursor')) : undefined;
    const from = Math.max(asked ?? 0, state.first);
    const end = Math.min(from + limit, state.total);
    const body: Transcript = {
      channelId: 'shop',
      botSessionId: 's1',
      status: 'open',
      turns: Array.from({ length: end - from }, (_, i) => entry(from + i)),
      kept: state.total - state.first,
      trimmed: state.first,
      ...(asked !== undefined && from > asked ? { skipped: from - asked } : {}),
      ...(end < state.total ? { next: String(end) } : {}),
    };
    return json(200, body);
  });
}

describe('transcript paging', () => {
  afterEach(() => setCsrfToken(null));

  it('reads a long transcript page by page with the cursor the gateway gave, then follows its end', async () => {
    const calls: string[] = [];
    const state = { first: 0, total: 250 };
    fakeGateway(state, calls);
    const ref = { botSessionId: 's1', channelId: 'shop' };
    let t = await loadTranscript(ref);
    expect(calls[0]).toBe(`GET /api/conversations/s1?channelId=shop&limit=${TRANSCRIPT_PAGE_SIZE}`);
    expect(t.entries).toHaveLength(100);
    expect(t).toMatchObject({ cursor: '100', more: true, missed: 0 });
    t = await loadMore(ref, t);
    t = await loadMore(ref, t);
    expect(calls.slice(1)).toEqual([`GET /api/conversations/s1?channelId=shop&limit=100&cursor=100`, `GET /api/conversations/s1?channelId=shop&limit=100&cursor=200`]);
    expect(t.entries.map((e) => e.turnId)).toEqual(Array.from({ length: 250 }, (_, i) => `t${i}`));
    // At the end: the cursor is where the next entry will be, so live updates read only new ones.
    expect(t).toMatchObject({ cursor: '250', more: false });
    state.total = 252;
    state.first = 2;
    t = await loadMore(ref, t);
    expect(t.entries.slice(-2).map((e) => e.turnId)).toEqual(['t250', 't251']);
    expect(t.entries).toHaveLength(252);
    expect(t.meta).toMatchObject({ trimmed: 2, kept: 250 });
  });

  it('counts entries dropped before the console could read them', async () => {
    const calls: string[] = [];
    const state = { first: 0, total: 150 };
    fakeGateway(state, calls);
    const ref = { botSessionId: 's1' };
    let t = await loadTranscript(ref);
    expect(calls[0]).toBe('GET /api/conversations/s1?limit=100');
    // The session raced ahead: 400 more entries, and the transcript keeps 200.
    state.total = 550;
    state.first = 350;
    t = await loadMore(ref, t);
    expect(t.missed).toBe(250);
    expect(t.entries[100]!.turnId).toBe('t350');
    const html = renderToString(<TrimNotice t={t} />);
    expect(html).toContain('newest 200 entries');
    expect(html).toContain('350 older entries were dropped');
    expect(html).toContain('250 of them while this page was reading');
    expect(renderToString(<TrimNotice t={{ meta: { ...t.meta, trimmed: 0 }, missed: 0 }} />)).toBe('');
  });
});

describe('deleting a conversation', () => {
  afterEach(() => setCsrfToken(null));

  it('sends DELETE for the session in its channel with the CSRF token, and takes the 204', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    setCsrfToken('tok-9');
    setFetch(async (url, init) => {
      seen.push({ url, init });
      return new Response(null, { status: 204 });
    });
    await expect(deleteTranscript({ botSessionId: 'a/b c', channelId: 'shop' })).resolves.toBeUndefined();
    expect(seen[0]!.url).toBe('/api/conversations/a%2Fb%20c?channelId=shop');
    expect(seen[0]!.init.method).toBe('DELETE');
    expect((seen[0]!.init.headers as Record<string, string>)['x-csrf-token']).toBe('tok-9');
  });

  it('a 404 (already deleted or expired) is an ApiError the page shows', async () => {
    setFetch(async () => json(404, { error: { code: 'not_found', message: 'nothing is stored for that conversation' } }));
    const e = await deleteTranscript({ botSessionId: 's1', channelId: 'shop' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 404, message: 'nothing is stored for that conversation' });
  });

  const panel = (over: Partial<Parameters<typeof DeletePanel>[0]> = {}) =>
    renderToString(<DeletePanel botSessionId="s1" confirming={false} busy={false} error={null} onAsk={() => undefined} onCancel={() => undefined} onConfirm={() => undefined} {...over} />);

  it('asks first: one button, no way to delete without the confirmation step', () => {
    const html = panel();
    expect(html).toContain('data-testid="delete-conversation-ask"');
    expect(html).not.toContain('delete-conversation-confirm');
  });

  it('the confirmation names the session, says it cannot be undone, and offers cancel', () => {
    const html = panel({ confirming: true });
    expect(html).toContain('Delete everything kept about session s1?');
    expect(html).toContain('cannot be undone');
    expect(html).toContain('data-testid="delete-conversation-confirm"');
    expect(html).toContain('data-testid="delete-conversation-cancel"');
    expect(html).not.toContain('delete-conversation-ask');
    // While the request runs, neither button can be pressed again.
    const busy = panel({ confirming: true, busy: true });
    expect(busy).toContain('Deleting…');
    expect(busy.match(/disabled/g)).toHaveLength(2);
  });

  it('shows why a deletion failed', () => {
    expect(panel({ confirming: true, error: new ApiError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token') })).toContain('missing or wrong X-CSRF-Token');
  });
});
