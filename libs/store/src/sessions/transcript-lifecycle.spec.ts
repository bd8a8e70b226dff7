import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.js';
import { sessionKeyOf, type TurnEnvelope, type TurnResult } from '../turns/turn.types.js';
import { TurnStore } from '../turns/turn-store.js';
import { SessionEraser } from './session-eraser.js';
import { TranscriptStore, type TranscriptRecord } from './transcript-store.js';
import type { TranscriptEntry } from './transcript.types.js';
import { testEnvelope } from '../../../../test/support/turn-envelopes.js';

// Transcript trimming, paging and session erasure on a real Redis; own prefix, own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`ttl${randomBytes(4).toString('hex')}`);
const MAX = 5;
const turns = new TurnStore(redis, keys, 60_000);
const transcripts = new TranscriptStore(redis, keys, { retentionMs: 60_000, maxEntries: MAX });
const eraser = new SessionEraser(redis, keys, 60_000);

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

async function allKeys(): Promise<string[]> {
  return (await redis.keys(`${keys.prefix}:*`)).map((k) => k.slice(keys.prefix.length + 1)).sort();
}

const envelope = (session: string, conversation?: string) => testEnvelope(session, {}, conversation ? { genesysConversationId: conversation } : {});

/** Accepts a turn and returns the envelope as the worker reads it back (with its acceptance number). */
async function accept(session: string, conversation?: string): Promise<TurnEnvelope> {
  const e = envelope(session, conversation);
  const r = await turns.accept(e);
  if (r.status !== 'new') throw new Error('not new');
  return { ...e, seq: r.seq };
}

function complete(e: TurnEnvelope, label = e.turnId) {
  const result: TurnResult = { turnId: e.turnId, outcome: 'reply', response: { botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'ok' }] }, timings: { queueWaitMs: 0, botMs: 0, renderMs: 0, totalMs: 0 }, completedAt: Date.now() };
  const transcript = { turnId: label, genesysConversationId: e.request.genesysConversationId } as TranscriptEntry;
  return turns.complete({ envelope: e, result, sessionJson: JSON.stringify({ genesysConversationId: e.request.genesysConversationId }), sessionTtlMs: 60_000, transcript, transcriptTtlMs: 60_000, transcriptMaxEntries: transcripts.maxEntries, lateConsumed: 0 });
}

const record = (session: string, turnId: string): TranscriptRecord => ({ turnId, at: new Date().toISOString(), channelId: 'c1', botSessionId: session, outcome: 'reply', kind: 'notification' });
const ids = async (sessionKey: string) => (await redis.lrange(keys.transcript(sessionKey), 0, -1)).map((r) => (JSON.parse(r) as TranscriptEntry).turnId);

describe('transcript bound (TRANSCRIPT_MAX_ENTRIES)', () => {
  it('keeps the newest N entries whichever writer appends, and counts every entry ever appended', async () => {
    const s = 'trim1';
    const sk = sessionKeyOf('c1', s);
    const written: string[] = [];
    for (let i = 0; i < 8; i++) {
      if (i % 2) {
        await transcripts.append(sk, record(s, `rec${i}`));
        written.push(`rec${i}`);
      } else {
        const e = await accept(s);
        expect(await complete(e, `turn${i}`)).toBe('delivered');
        written.push(`turn${i}`);
      }
      expect(await redis.llen(keys.transcript(sk))).toBeLessThanOrEqual(MAX);
    }
    expect(await ids(sk)).toEqual(written.slice(-MAX));
    expect(await redis.get(keys.transcriptCount(sk))).toBe('8');
    expect(await redis.pttl(keys.transcriptCount(sk))).toBeGreaterThan(59_000);
  });

  it('starts the count at the length of a transcript written before the count existed', async () => {
    const sk = sessionKeyOf('c1', 'legacy');
    await redis.rpush(keys.transcript(sk), JSON.stringify({ turnId: 'old1' }), JSON.stringify({ turnId: 'old2' }));
    expect(await transcripts.page(sk, undefined, 10)).toMatchObject({ first: 0, total: 2, from: 0 });
    await transcripts.append(sk, record('legacy', 'new3'));
    expect(await redis.get(keys.transcriptCount(sk))).toBe('3');
    const p = await transcripts.page(sk, 2, 10);
    expect(p.entries.map((e) => e.turnId)).toEqual(['new3']);
  });
});

describe('transcript pages by position', () => {
  it('a cursor continues exactly where the last page ended while the head is trimmed and the tail grows', async () => {
    const s = 'page1';
    const sk = sessionKeyOf('c1', s);
    for (let i = 0; i < 4; i++) await transcripts.append(sk, record(s, `e${i}`));
    const p1 = await transcripts.page(sk, undefined, 2);
    expect(p1.entries.map((e) => e.turnId)).toEqual(['e0', 'e1']);
    const cursor = p1.from + p1.entries.length;
    // Three more: the list is trimmed by two at its head, so every list index moved by two.
    for (let i = 4; i < 7; i++) await transcripts.append(sk, record(s, `e${i}`));
    expect(await ids(sk)).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
    const p2 = await transcripts.page(sk, cursor, 2);
    expect(p2.entries.map((e) => e.turnId)).toEqual(['e2', 'e3']);
    expect(p2).toMatchObject({ first: 2, total: 7, from: 2 });
    const p3 = await transcripts.page(sk, p2.from + 2, 10);
    expect(p3.entries.map((e) => e.turnId)).toEqual(['e4', 'e5', 'e6']);
    // Past the end: empty, nothing repeated.
    expect((await transcripts.page(sk, 7, 10)).entries).toEqual([]);
  });

  it('a cursor whose entries were trimmed meanwhile reads from the oldest kept entry', async () => {
    const s = 'page2';
    const sk = sessionKeyOf('c1', s);
    for (let i = 0; i < 12; i++) await transcripts.append(sk, record(s, `e${i}`));
    const p = await transcripts.page(sk, 1, 2);
    expect(p).toMatchObject({ first: 7, total: 12, from: 7 });
    expect(p.entries.map((e) => e.turnId)).toEqual(['e7', 'e8']);
  });
});

describe('session erasure', () => {
  it('removes every key and index membership of a quiet session, and finds it by Genesys conversation id', async () => {
    const before = await allKeys();
    const conv = `conv-${randomBytes(4).toString('hex')}`;
    const s = 'erase1';
    const sk = sessionKeyOf('c1', s);
    for (let i = 0; i < 2; i++) await complete(await accept(s, conv));
    await redis.rpush(keys.outbox(sk), '{"turnId":"x"}');
    await redis.zadd(keys.outboxIndex(), 1, sk);
    await redis.rpush(keys.late(sk), '{"turnId":"y"}');
    await redis.set(keys.result('y'), '{}');
    await transcripts.append(sk, record(s, 'n1'));
    await redis.set(keys.notification('n1'), '{"text":"your parcel"}');
    expect(await eraser.sessionsOf(conv)).toEqual([sk]);

    expect(await eraser.erase(sk, conv)).toEqual({ erased: true, inFlight: false });
    expect(await eraser.sessionsOf(conv)).toEqual([]);
    expect(await redis.zscore(keys.sessionIndex(), sk)).toBeNull();
    expect(await redis.zscore(keys.outboxIndex(), sk)).toBeNull();
    // Results, claims and the notification record went too: nothing this session wrote is left but
    // the ingress's reply stream (capped, five minutes), which earlier tests had already made.
    expect(before).toContain('replies:ing1');
    expect((await allKeys()).filter((k) => !before.includes(k))).toEqual([]);
    // Nothing more to delete.
    expect(await eraser.erase(sk, conv)).toEqual({ erased: false, inFlight: false });
  });

  it('a turn in flight during the erasure is answered but records nothing; turns accepted after it are recorded', async () => {
    const conv = `conv-${randomBytes(4).toString('hex')}`;
    const s = 'erase2';
    const sk = sessionKeyOf('c1', s);
    await complete(await accept(s, conv));
    const inFlight = await accept(s, conv);
    expect((await turns.begin(sk)).next?.turnId).toBe(inFlight.turnId);

    expect(await eraser.erase(sk)).toEqual({ erased: true, inFlight: true });
    expect(await redis.get(keys.sessionErased(sk))).toBe(String(inFlight.seq));
    // A record written outside a turn (a notification, a refused v2 reply) is not kept either.
    expect(await transcripts.append(sk, record(s, 'notif'))).toBe(false);

    // The turn completes after the erasure: the waiting ingress gets its answer…
    expect(await complete(inFlight)).toBe('delivered');
    expect((await redis.xrange(keys.replyStream('ing1'), '-', '+')).some(([, f]) => f[1] === inFlight.turnId)).toBe(true);
    // …and nothing about the session came back.
    for (const key of [keys.transcript(sk), keys.transcriptCount(sk), keys.session(sk), keys.conversationSessions(conv)]) expect(await redis.exists(key)).toBe(0);
    expect(await redis.zscore(keys.sessionIndex(), sk)).toBeNull();

    // The conversation goes on: the next turn is numbered on (the counter was kept) and recorded.
    const later = await accept(s, conv);
    expect(later.seq).toBe(inFlight.seq + 1);
    await complete(later, 'after');
    expect(await ids(sk)).toEqual(['after']);
    expect(await eraser.sessionsOf(conv)).toEqual([sk]);
  });

  it('with nothing in flight the acceptance counter and an older marker go too, so numbering restarts cleanly', async () => {
    const s = 'erase3';
    const sk = sessionKeyOf('c1', s);
    await complete(await accept(s));
    const stuck = await accept(s);
    await eraser.erase(sk);
    expect(await redis.exists(keys.sessionErased(sk))).toBe(1);
    await complete(stuck);
    expect(await eraser.erase(sk)).toEqual({ erased: true, inFlight: false });
    expect(await redis.exists(keys.sessionSeq(sk))).toBe(0);
    expect(await redis.exists(keys.sessionErased(sk))).toBe(0);
    const fresh = await accept(s);
    expect(fresh.seq).toBe(1);
    await complete(fresh, 'fresh');
    expect(await ids(sk)).toEqual(['fresh']);
  });
});
