import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.js';
import type { TurnEnvelope, TurnResult } from './turn.types.js';
import { TurnStore } from './turn-store.js';
import type { TranscriptEntry } from '../sessions/transcript.types.js';
import { testEnvelope } from '../../../../test/support/turn-envelopes.js';

// Real Redis, own key prefix, only own keys deleted (see test/support/global-setup.mjs).
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tts${randomBytes(4).toString('hex')}`);
const store = new TurnStore(redis, keys, 60_000);

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

const envelope = (session: string, extra: Partial<TurnEnvelope> = {}) => testEnvelope(session, extra);

function result(e: TurnEnvelope): TurnResult {
  return { turnId: e.turnId, outcome: 'reply', response: { botState: 'MoreData', replyMessages: [{ type: 'Text', text: `r-${e.turnId}` }] }, timings: { queueWaitMs: 0, botMs: 0, renderMs: 0, totalMs: 0 }, completedAt: Date.now() };
}

const complete = (e: TurnEnvelope, lateConsumed = 0) =>
  store.complete({ envelope: e, result: result(e), sessionJson: '{}', sessionTtlMs: 60_000, transcript: { late: false } as TranscriptEntry, transcriptTtlMs: 60_000, transcriptMaxEntries: 500, lateConsumed });

describe('TurnStore (Lua scripts on a real Redis)', () => {
  it('numbers a session’s turns in acceptance order, and the counter lives as long as the session', async () => {
    const a = envelope('s1');
    const b = envelope('s1');
    expect(await store.accept(a)).toEqual({ status: 'new', seq: 1 });
    expect(await store.accept(b)).toEqual({ status: 'new', seq: 2 });
    expect(await store.accept(a)).toEqual({ status: 'duplicate', result: undefined });
    expect(await redis.pttl(keys.sessionSeq(a.sessionKey))).toBeGreaterThan(60_000);
    const { next } = await store.begin(a.sessionKey);
    expect(next?.turnId).toBe(a.turnId);
    expect(next?.envelope?.seq).toBe(1);
  });

  it('delivers a result in time to the waiting ingress stream, then answers redeliveries from it', async () => {
    const e = envelope('s2');
    await store.accept(e);
    expect(await complete(e)).toBe('delivered');
    const entries = await redis.xrange(keys.replyStream('ing1'), '-', '+');
    expect(entries.some(([, f]) => f[1] === e.turnId)).toBe(true);
    expect(await redis.exists(keys.turn(e.turnId))).toBe(0);
    expect(await store.accept(e)).toMatchObject({ status: 'duplicate', result: { turnId: e.turnId } });
  });

  it('parks the result for the next turn once the ingress fell back, and a redelivery gets the fallback again', async () => {
    const e = envelope('s3');
    await store.accept(e);
    expect(await store.claimFallback(e.turnId)).toBeUndefined();
    expect(await complete(e)).toBe('late');
    expect(await store.accept(e)).toEqual({ status: 'duplicate-held' });
    expect(await store.claimFallback(e.turnId)).toBeUndefined();
    const next = envelope('s3');
    await store.accept(next);
    expect((await store.begin(next.sessionKey)).next?.late.map((r) => r.turnId)).toEqual([e.turnId]);
    const transcript = await redis.lrange(keys.transcript(e.sessionKey), 0, -1);
    expect(transcript[0]).toBe('{"late":true}');
  });

  it('gives the result to a claim that comes after completion', async () => {
    const e = envelope('s4');
    await store.accept(e);
    await complete(e);
    expect(await store.claimFallback(e.turnId)).toMatchObject({ turnId: e.turnId });
  });

  it('parks the result when the deadline passed long ago and the fallback claim was lost', async () => {
    const e = envelope('s5', { deadlineAt: Date.now() - 10_000 });
    await store.accept(e);
    expect(await complete(e)).toBe('late');
    expect(await redis.get(keys.claim(e.turnId))).toBe('fallback');
    expect((await redis.lrange(keys.late(e.sessionKey), 0, -1)).length).toBe(1);
  });

  it('fences a run whose turn is no longer at the head of the inbox', async () => {
    const a = envelope('s6');
    const b = envelope('s6');
    await store.accept(a);
    await store.accept(b);
    expect(await complete(b)).toBe('fenced');
    expect(await complete(a)).toBe('delivered');
    expect(await complete(a)).toBe('fenced');
  });
});
