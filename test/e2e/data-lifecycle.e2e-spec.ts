import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { RedisKeys, sessionKeyOf } from '@app/store';
import { GatewayHarness, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

/**
 * Data lifecycle through the real ingress and worker on a real Redis: transcripts bounded by
 * TRANSCRIPT_MAX_ENTRIES, paging across trims, deletion by bot session and by Genesys conversation
 * (every key gone, audited without content), deletion racing a turn, auth and bad input.
 */
const MAX = 10;
const CLI = join(resolve(process.cwd()), 'dist/apps/ingress/apps/ingress/src/cli/admin-cli.js');
const PASSWORD = 'correct horse battery staple';
const demo = testChannel('life-a', {
  bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'demo', retries: 0, config: { slowMs: 1500 } } }],
});
const other = testChannel('life-b');
const gw = new GatewayHarness('lifecycle', [demo, other], { TRANSCRIPT_MAX_ENTRIES: String(MAX) });
const keys = new RedisKeys(gw.prefix);

async function call(method: string, path: string, opts: { bearer?: string | null; cookie?: string; csrf?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  const bearer = opts.bearer === undefined ? gw.adminToken : opts.bearer;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  const res = await fetch(`${gw.baseUrl}${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A session of `turns` turns on `channel`; the customer's words are `<tag>-<i>`. */
async function conversation(turns: number, tag: string, channel = demo, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const first = newSessionBody(`${tag}-0`, extra);
  expect((await gw.turn(channel, first)).status).toBe(200);
  for (let i = 1; i < turns; i++) expect((await gw.turn(channel, nextTurn(first, `${tag}-${i}`))).status).toBe(200);
  return first;
}

const texts = (body: any) => body.turns.map((t: any) => t.input.text);

/** Every key of this suite's prefix, without the prefix. */
async function allKeys(): Promise<string[]> {
  return (await gw.redis.keys(`${gw.prefix}:*`)).map((k) => k.slice(gw.prefix.length + 1));
}

/** A key's value as text, for the kinds the gateway stores conversation data in. */
async function valueOf(key: string): Promise<string> {
  const full = `${gw.prefix}:${key}`;
  switch (await gw.redis.type(full)) {
    case 'string':
      return (await gw.redis.get(full)) ?? '';
    case 'list':
      return (await gw.redis.lrange(full, 0, -1)).join('\n');
    case 'set':
      return (await gw.redis.smembers(full)).join('\n');
    case 'zset':
      return (await gw.redis.zrange(full, '0', '-1')).join('\n');
    default:
      return '';
  }
}

/** Keys that name the session or the conversation, and values that hold the customer's words or the session id. */
async function traces(botSessionId: string, conversationId: string, tag: string): Promise<string[]> {
  const found: string[] = [];
  const conversationKey = keys.conversationSessions(conversationId).slice(gw.prefix.length + 1);
  for (const key of await allKeys()) {
    if (key.includes(botSessionId) || key === conversationKey) found.push(key);
    // Reply streams (capped, 5 minutes) are the documented exception: the ingress reads results from them.
    if (key.startsWith('replies:')) continue;
    const value = await valueOf(key);
    if (value.includes(`${tag}-`) || value.includes(botSessionId)) found.push(`${key} (value)`);
  }
  return found;
}

beforeAll(async () => {
  await gw.startIngress();
  await gw.startWorker();
}, 60_000);
afterAll(() => gw.stop());

describe('transcripts bounded and paged', () => {
  it(`keeps only the newest TRANSCRIPT_MAX_ENTRIES (${MAX}) entries of a session`, async () => {
    const first = await conversation(MAX + 3, 'trim');
    const t = await call('GET', `/api/conversations/${first.botSessionId}?channelId=${demo.id}`);
    expect(t.status).toBe(200);
    expect(texts(t.body)).toEqual(Array.from({ length: MAX }, (_, i) => `trim-${i + 3}`));
    expect(t.body).toMatchObject({ kept: MAX, trimmed: 3, genesysConversationId: first.genesysConversationId });
    expect(t.body.next).toBeUndefined();
    expect(await gw.redis.llen(keys.transcript(sessionKeyOf(demo.id, String(first.botSessionId))))).toBe(MAX);
  });

  it('a cursor carries on at the right entry while the head is trimmed, and says what it missed', async () => {
    const first = await conversation(MAX, 'page');
    const path = `/api/conversations/${first.botSessionId}?channelId=${demo.id}`;
    const p1 = await call('GET', `${path}&limit=4`);
    expect(texts(p1.body)).toEqual(['page-0', 'page-1', 'page-2', 'page-3']);
    expect(p1.body.next).toBe('4');
    // Three more turns trim three entries off the head: list indexes shift, positions do not.
    for (let i = MAX; i < MAX + 3; i++) await gw.turn(demo, nextTurn(first, `page-${i}`));
    const p2 = await call('GET', `${path}&limit=4&cursor=${p1.body.next}`);
    expect(texts(p2.body)).toEqual(['page-4', 'page-5', 'page-6', 'page-7']);
    expect(p2.body.skipped).toBeUndefined();
    expect(p2.body.next).toBe('8');
    // Six more: entry 8 is gone by the time the next page is read.
    for (let i = MAX + 3; i < MAX + 9; i++) await gw.turn(demo, nextTurn(first, `page-${i}`));
    const p3 = await call('GET', `${path}&limit=20&cursor=${p2.body.next}`);
    expect(p3.body).toMatchObject({ skipped: 1, trimmed: 9, kept: MAX });
    expect(texts(p3.body)).toEqual(Array.from({ length: MAX }, (_, i) => `page-${i + 9}`));
    expect(p3.body.next).toBeUndefined();
  });

  it.each([
    ['limit=0'],
    ['limit=501'],
    ['limit=ten'],
    ['limit=1.5'],
    ['cursor=-1'],
    ['cursor=abc'],
    ['cursor=1234567890123456'],
  ])('refuses ?%s with 400', async (q) => {
    const first = await conversation(1, 'bad');
    expect((await call('GET', `/api/conversations/${first.botSessionId}?channelId=${demo.id}&${q}`)).status).toBe(400);
  });
});

describe('deletion', () => {
  it('DELETE /api/conversations/:botSessionId (no channelId: every channel) removes everything kept about it', async () => {
    const first = await conversation(3, 'del1');
    const sid = String(first.botSessionId);
    const conv = String(first.genesysConversationId);
    expect(await traces(sid, conv, 'del1')).not.toEqual([]);
    expect((await call('DELETE', `/api/conversations/${sid}`)).status).toBe(204);
    expect(await traces(sid, conv, 'del1')).toEqual([]);
    expect((await call('GET', `/api/conversations/${sid}`)).status).toBe(404);
    expect((await call('DELETE', `/api/conversations/${sid}`)).status).toBe(404);
    // The conversation list no longer has it either.
    const list = await call('GET', `/api/conversations?channelId=${demo.id}&limit=200`);
    expect(list.body.entities.some((e: any) => e.botSessionId === sid)).toBe(false);
  });

  it('DELETE /api/conversations?genesysConversationId= removes every bot session of the conversation, in every channel', async () => {
    const conv = randomUUID();
    const a = await conversation(2, 'del2a', demo, { genesysConversationId: conv });
    const b = await conversation(2, 'del2b', other, { genesysConversationId: conv });
    const keep = await conversation(2, 'keep');
    expect((await call('DELETE', `/api/conversations?genesysConversationId=${conv}`)).status).toBe(204);
    expect(await traces(String(a.botSessionId), conv, 'del2a')).toEqual([]);
    expect(await traces(String(b.botSessionId), conv, 'del2b')).toEqual([]);
    expect((await call('GET', `/api/conversations/${a.botSessionId}?channelId=${demo.id}`)).status).toBe(404);
    expect((await call('GET', `/api/conversations/${b.botSessionId}?channelId=${other.id}`)).status).toBe(404);
    // Another conversation is untouched.
    expect((await call('GET', `/api/conversations/${keep.botSessionId}?channelId=${demo.id}`)).status).toBe(200);
    expect((await call('DELETE', `/api/conversations?genesysConversationId=${conv}`)).status).toBe(404);
  });

  it('audits who deleted what kind, when, with a digest of the id and none of the content', async () => {
    const first = await conversation(2, 'audited');
    const sid = String(first.botSessionId);
    expect((await call('DELETE', `/api/conversations/${sid}?channelId=${demo.id}`)).status).toBe(204);
    const audit = await call('GET', '/api/audit?limit=20');
    const entry = audit.body.entities.find((e: any) => e.action === 'conversation.delete' && e.details?.idSha256 === createHash('sha256').update(sid).digest('hex'));
    expect(entry).toMatchObject({ actor: { kind: 'admin_token' }, target: 'conversation', details: { by: 'botSessionId', sessions: 1, channels: [demo.id], turnsInFlight: false } });
    expect(Date.now() - Date.parse(entry.at)).toBeLessThan(60_000);
    const all = JSON.stringify(audit.body);
    expect(all).not.toContain(sid);
    expect(all).not.toContain(String(first.genesysConversationId));
    expect(all).not.toContain('audited-');
  });

  it('a delete racing a turn: the turn is answered, records nothing, and the conversation carries on afresh', async () => {
    const first = await conversation(1, 'race');
    const sid = String(first.botSessionId);
    const sk = sessionKeyOf(demo.id, sid);
    // "slow" takes 1.5 s in the bot: the delete lands while the worker runs it.
    const slow = gw.turn(demo, nextTurn(first, 'slow'));
    await gw.waitFor(async () => (await gw.redis.llen(keys.inbox(sk))) > 0, 5000);
    expect((await call('DELETE', `/api/conversations/${sid}?channelId=${demo.id}`)).status).toBe(204);
    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(answered.body.replyMessages.length).toBeGreaterThan(0);
    expect((await call('GET', `/api/conversations/${sid}?channelId=${demo.id}`)).status).toBe(404);
    expect(await gw.redis.exists(keys.session(sk))).toBe(0);
    const audit = await call('GET', '/api/audit?limit=5');
    expect(audit.body.entities.find((e: any) => e.action === 'conversation.delete')?.details.turnsInFlight).toBe(true);
    // The next turn is a fresh start, and recorded.
    expect((await gw.turn(demo, nextTurn(first, 'race-again'))).status).toBe(200);
    const t = await call('GET', `/api/conversations/${sid}?channelId=${demo.id}`);
    expect(texts(t.body)).toEqual(['race-again']);
  });

  it.each([
    ['DELETE', '/api/conversations/a%20b'],
    ['DELETE', '/api/conversations/a!b'],
    ['DELETE', '/api/conversations/abc?channelId=-bad'],
    ['DELETE', '/api/conversations'],
    ['DELETE', '/api/conversations?genesysConversationId='],
    ['DELETE', `/api/conversations?genesysConversationId=${'c'.repeat(257)}`],
    ['DELETE', '/api/conversations?genesysConversationId=a%20b'],
    ['DELETE', '/api/conversations?genesysConversationId=a&genesysConversationId=b'],
  ])('%s %s answers 400', async (method, path) => {
    expect((await call(method, path)).status).toBe(400);
  });

  it('needs an admin credential, and a console session needs its CSRF token', async () => {
    const first = await conversation(1, 'auth');
    const path = `/api/conversations/${first.botSessionId}?channelId=${demo.id}`;
    const byConversation = `/api/conversations?genesysConversationId=${first.genesysConversationId}`;
    for (const p of [path, byConversation]) {
      expect((await call('DELETE', p, { bearer: null })).status).toBe(401);
      expect((await call('DELETE', p, { bearer: 'gbgk_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
    }
    const made = spawnSync(process.execPath, [CLI, 'create-user', 'dora', '--password-stdin'], { env: gw.env(), input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 20_000 });
    expect(made.status).toBe(0);
    const login = await fetch(`${gw.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dora', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    expect((await call('DELETE', path, { bearer: null, cookie })).status).toBe(403);
    expect((await call('DELETE', path, { bearer: null, cookie, csrf: 'wrong' })).status).toBe(403);
    // Nothing was deleted by the refused calls.
    expect((await call('GET', path)).status).toBe(200);
    expect((await call('DELETE', path, { bearer: null, cookie, csrf: csrfToken })).status).toBe(204);
    const audit = await call('GET', '/api/audit?limit=5');
    expect(audit.body.entities[0]).toMatchObject({ action: 'conversation.delete', actor: { kind: 'user', name: 'dora' } });
  });
});
