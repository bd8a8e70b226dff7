import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { OutboxStore } from './outbox-store.js';
import type { OutboxEntry, TurnEnvelope, TurnResult } from '../turns/turn.types.js';
import { RedisKeys } from '../redis-keys.js';
import { TurnStore } from '../turns/turn-store.js';
import type { TranscriptEntry } from '../sessions/transcript.types.js';
import { testEnvelope } from '../../../../test/support/turn-envelopes.js';

// Real Redis, own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tob${randomBytes(4).toString('hex')}`);
const turns = new TurnStore(redis, keys, 60_000);
const outbox = new OutboxStore(redis, keys);

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

const v2Envelope = (session: string) => testEnvelope(session, { protocol: 'v2', deadlineAt: Date.now() + 800 }, { botVersion: '1.0', messageId: `m${randomBytes(4).toString('hex')}`, languageCode: 'en-us' });

function resultOf(e: TurnEnvelope): TurnResult {
  return { turnId: e.turnId, outcome: 'reply', response: { botState: 'MoreData', replyMessages: [{ type: 'Text', text: `r-${e.turnId}` }] }, timings: { queueWaitMs: 0, botMs: 0, renderMs: 0, totalMs: 0 }, completedAt: Date.now() };
}

function entryOf(e: TurnEnvelope, r: TurnResult): OutboxEntry {
  return { turnId: e.turnId, channelId: 'c1', botSessionId: e.request.botSessionId, botId: 'b1', botVersion: '1.0', languageCode: 'en-us', result: r };
}

async function completeV2(e: TurnEnvelope) {
  const r = resultOf(e);
  return turns.complete({ envelope: e, result: r, sessionJson: '{}', sessionTtlMs: 60_000, transcript: { late: false } as TranscriptEntry, transcriptTtlMs: 60_000, transcriptMaxEntries: 500, lateConsumed: 0, outbox: entryOf(e, r) });
}

describe('v2 results and the outbox (real Redis)', () => {
  it('answers inline when the ingress still waits: nothing goes to the outbox', async () => {
    const e = v2Envelope('a1');
    await turns.accept(e);
    expect(await completeV2(e)).toBe('delivered');
    expect(await outbox.length(e.sessionKey)).toBe(0);
    expect(await redis.zscore(keys.outboxIndex(), e.sessionKey)).toBeNull();
  });

  it('queues the result in the outbox (not the late list) once the ingress answered MoreData, and indexes the session', async () => {
    const e = v2Envelope('a2');
    await turns.accept(e);
    expect(await turns.claimFallback(e.turnId)).toBeUndefined();
    expect(await completeV2(e)).toBe('outbox');
    expect(await outbox.length(e.sessionKey)).toBe(1);
    expect(await redis.llen(keys.late(e.sessionKey))).toBe(0);
    expect(await redis.zscore(keys.outboxIndex(), e.sessionKey)).not.toBeNull();
    expect(await outbox.stale(Date.now() + 1)).toContain(e.sessionKey);
    // A redelivery of the message gets MoreData again (duplicate-held), never the result a second time.
    expect(await turns.accept(e)).toEqual({ status: 'duplicate-held' });
    expect(await redis.lrange(keys.transcript(e.sessionKey), 0, -1)).toEqual(['{"late":true}']);
  });

  it('lets one sender at a time work an outbox, in order, and forgets the session when it is empty', async () => {
    const a = v2Envelope('a3');
    const b = v2Envelope('a3');
    for (const e of [a, b]) {
      await turns.accept(e);
      await turns.claimFallback(e.turnId);
    }
    expect(await completeV2(a)).toBe('outbox');
    expect(await completeV2(b)).toBe('outbox');
    const lease = await outbox.lease(a.sessionKey, 5_000);
    expect(lease).toBeDefined();
    expect(await outbox.lease(a.sessionKey, 5_000)).toBeUndefined();
    const first = await lease!.head();
    expect(first?.entry.turnId).toBe(a.turnId);
    expect(await lease!.ack(first!)).toBe(true);
    // Acking the same entry twice removes nothing more.
    expect(await lease!.ack(first!)).toBe(false);
    const second = await lease!.head();
    expect(second?.entry.turnId).toBe(b.turnId);
    expect(await lease!.ack(second!)).toBe(true);
    expect(await lease!.head()).toBeUndefined();
    expect(await redis.zscore(keys.outboxIndex(), a.sessionKey)).toBeNull();
    await lease!.release();
    expect(await outbox.lease(a.sessionKey, 5_000).then((l) => l?.release().then(() => true))).toBe(true);
  });

  it('refuses an ack from a sender whose lock lapsed and was taken over', async () => {
    const e = v2Envelope('a4');
    await turns.accept(e);
    await turns.claimFallback(e.turnId);
    await completeV2(e);
    const stale = await outbox.lease(e.sessionKey, 200);
    const head = await stale!.head();
    await stale!.release(); // stands in for an expired lock: the key is gone
    const successor = await outbox.lease(e.sessionKey, 5_000);
    expect(await stale!.ack(head!)).toBe(false);
    expect(stale!.held).toBe(false);
    expect(await outbox.length(e.sessionKey)).toBe(1);
    expect(await successor!.ack((await successor!.head())!)).toBe(true);
    await successor!.release();
  });
});

describe('stuck-outbox reports shared by the workers (real Redis)', () => {
  const HOUR = 3_600_000;

  it('one caller gets to say a cause; a changed cause, or the same one after the repeat interval, is said again', async () => {
    const claims = await Promise.all([1, 2, 3].map(() => outbox.claimStuckReport('c-stuck', 'not authorized', HOUR)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await outbox.claimStuckReport('c-stuck', 'not authorized', HOUR)).toBe(false);
    expect(await outbox.claimStuckReport('c-stuck', 'outboxes not moving', HOUR)).toBe(true);
    expect(await outbox.claimStuckReport('c-stuck', 'outboxes not moving', HOUR)).toBe(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(await outbox.claimStuckReport('c-stuck', 'outboxes not moving', 1)).toBe(true);
    // Another channel's report is its own.
    expect(await outbox.claimStuckReport('c-other', 'outboxes not moving', HOUR)).toBe(true);
    expect((await outbox.stuckReported()).sort()).toEqual(['c-other', 'c-stuck']);
  });

  it('one caller clears a report (and says the outboxes move again); the next stuck spell is said afresh', async () => {
    await outbox.claimStuckReport('c-clear', 'not authorized', HOUR);
    const clears = await Promise.all([1, 2].map(() => outbox.clearStuckReport('c-clear')));
    expect(clears.filter(Boolean)).toHaveLength(1);
    expect(await outbox.stuckReported()).not.toContain('c-clear');
    expect(await outbox.claimStuckReport('c-clear', 'not authorized', HOUR)).toBe(true);
  });
});
