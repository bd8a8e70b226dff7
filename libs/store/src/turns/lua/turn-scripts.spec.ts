import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../redis-keys.js';
import { acceptTurn, type AcceptTurnInput } from './accept-turn.lua.js';
import { beginTurn } from './begin-turn.lua.js';
import { claimFallback } from './claim-fallback.lua.js';
import { completeTurn, completeTurnKeys, type CompleteTurnScriptInput } from './complete-turn.lua.js';
import { dropHead } from './drop-head.lua.js';

// Each turn script called directly on a real Redis; own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const k = new RedisKeys(`tls${randomBytes(4).toString('hex')}`);

afterAll(async () => {
  const found = await redis.keys(`${k.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

let n = 0;
const ids = () => {
  n++;
  return { turnId: `t${n}`, sessionKey: `c1:s${n}` };
};

function acceptInput(turnId: string, sessionKey: string, extra: Partial<AcceptTurnInput> = {}): AcceptTurnInput {
  return {
    keys: { turn: k.turn(turnId), replyTo: k.replyTo(turnId), result: k.result(turnId), inbox: k.inbox(sessionKey), sessionSeq: k.sessionSeq(sessionKey), claim: k.claim(turnId) },
    turnId,
    ingressId: 'ing1',
    envelopeJson: JSON.stringify({ seq: 0, turnId, tags: [], attrs: {}, big: Number.MAX_SAFE_INTEGER }),
    ttlMs: 60_000,
    sessionTtlMs: 120_000,
    ...extra,
  };
}

function completeInput(turnId: string, sessionKey: string, extra: Partial<CompleteTurnScriptInput> = {}): CompleteTurnScriptInput {
  return {
    keys: completeTurnKeys(k, turnId, sessionKey),
    replyStreams: { ing1: k.replyStream('ing1') },
    turnId,
    resultJson: `{"turnId":"${turnId}"}`,
    resultTtlMs: 60_000,
    streamMaxLen: 100,
    sessionJson: '{"s":1}',
    sessionTtlMs: 120_000,
    transcriptJson: '{"late":false,"replies":[]}',
    transcriptLateJson: '{"late":true,"replies":[]}',
    transcriptTtlMs: 86_400_000,
    transcriptMaxEntries: 500,
    seq: 1,
    indexConversation: false,
    sessionKey,
    nowMs: Date.now(),
    lateConsumed: 0,
    lateAfterMs: Date.now() + 5000,
    ...extra,
  };
}

async function streamHas(ingressId: string, turnId: string): Promise<boolean> {
  return (await redis.xrange(k.replyStream(ingressId), '-', '+')).some(([, f]) => f[1] === turnId);
}

describe('accept-turn', () => {
  it('numbers the turn, writes it with its TTLs and queues it in the inbox', async () => {
    const { turnId, sessionKey } = ids();
    expect(await acceptTurn(redis, acceptInput(turnId, sessionKey))).toEqual({ status: 'new', seq: 1 });
    // The rest of the JSON is stored as sent: no cjson round trip ([] stays [], 16 digits stay).
    expect(await redis.get(k.turn(turnId))).toBe(`{"seq":1,"turnId":"${turnId}","tags":[],"attrs":{},"big":9007199254740991}`);
    expect(await redis.lrange(k.inbox(sessionKey), 0, -1)).toEqual([turnId]);
    expect(await redis.smembers(k.replyTo(turnId))).toEqual(['ing1']);
    for (const key of [k.turn(turnId), k.replyTo(turnId), k.inbox(sessionKey)]) expect(await redis.pttl(key)).toBeGreaterThan(59_000);
    expect(await redis.pttl(k.sessionSeq(sessionKey))).toBeGreaterThan(119_000);
    const second = ids();
    expect(await acceptTurn(redis, acceptInput(second.turnId, sessionKey))).toEqual({ status: 'new', seq: 2 });
  });

  it('is idempotent: the same turn again only adds its ingress to the waiters', async () => {
    const { turnId, sessionKey } = ids();
    await acceptTurn(redis, acceptInput(turnId, sessionKey));
    expect(await acceptTurn(redis, acceptInput(turnId, sessionKey, { ingressId: 'ing2' }))).toEqual({ status: 'duplicate' });
    expect(await redis.lrange(k.inbox(sessionKey), 0, -1)).toEqual([turnId]);
    expect(await redis.get(k.sessionSeq(sessionKey))).toBe('1');
    expect((await redis.smembers(k.replyTo(turnId))).sort()).toEqual(['ing1', 'ing2']);
  });

  it('answers a redelivery from the result, or with the fallback when the result was parked', async () => {
    const { turnId, sessionKey } = ids();
    await redis.set(k.result(turnId), '{"r":1}');
    expect(await acceptTurn(redis, acceptInput(turnId, sessionKey))).toEqual({ status: 'duplicate', resultJson: '{"r":1}' });
    await redis.set(k.claim(turnId), 'fallback');
    expect(await acceptTurn(redis, acceptInput(turnId, sessionKey))).toEqual({ status: 'duplicate-held' });
    expect(await redis.exists(k.inbox(sessionKey), k.turn(turnId))).toBe(0);
  });

  it('refuses an envelope whose JSON does not start with seq', async () => {
    const { turnId, sessionKey } = ids();
    await expect(acceptTurn(redis, acceptInput(turnId, sessionKey, { envelopeJson: '{"turnId":"x","seq":0}' }))).rejects.toThrow(/seq/);
  });

  it('documents why the envelope is not decoded: cjson on this Redis loses [] and digits', async () => {
    expect(await redis.eval("return cjson.encode(cjson.decode(ARGV[1]))", 0, '{"a":[]}')).toBe('{"a":{}}');
    expect(await redis.eval("return cjson.encode(cjson.decode(ARGV[1]))", 0, '{"n":12345678901234567}')).not.toContain('12345678901234567');
  });
});

describe('claim-fallback', () => {
  it('claims an unclaimed turn for the fallback, with the TTL, and again for a second delivery', async () => {
    const { turnId } = ids();
    await redis.set(k.turn(turnId), '{}');
    const input = { keys: { claim: k.claim(turnId), result: k.result(turnId), turn: k.turn(turnId) }, ttlMs: 30_000 };
    expect(await claimFallback(redis, input)).toEqual({ won: 'fallback' });
    expect(await redis.get(k.claim(turnId))).toBe('fallback');
    expect(await redis.pttl(k.claim(turnId))).toBeGreaterThan(29_000);
    await redis.set(k.result(turnId), '{"r":1}');
    expect(await claimFallback(redis, input)).toEqual({ won: 'fallback' });
  });

  it('gives the result when the worker claimed first', async () => {
    const { turnId } = ids();
    await redis.set(k.claim(turnId), 'worker');
    await redis.set(k.result(turnId), '{"r":2}');
    expect(await claimFallback(redis, { keys: { claim: k.claim(turnId), result: k.result(turnId), turn: k.turn(turnId) }, ttlMs: 30_000 })).toEqual({ won: 'result', resultJson: '{"r":2}' });
  });

  it('claims nothing for a turn that is gone (a failover lost the accept): nothing may be acknowledged', async () => {
    const { turnId } = ids();
    const input = { keys: { claim: k.claim(turnId), result: k.result(turnId), turn: k.turn(turnId) }, ttlMs: 30_000 };
    expect(await claimFallback(redis, input)).toEqual({ won: 'lost' });
    expect(await redis.exists(k.claim(turnId))).toBe(0);
    // A result alone (the record expired after the worker finished) still answers.
    await redis.set(k.result(turnId), '{"r":3}');
    expect(await claimFallback(redis, input)).toEqual({ won: 'fallback' });
  });
});

describe('begin-turn', () => {
  const input = (sessionKey: string) => ({ keys: { inbox: k.inbox(sessionKey), session: k.session(sessionKey), late: k.late(sessionKey), outbox: k.outbox(sessionKey) } });

  it('says an empty inbox is empty, with the outbox length', async () => {
    const { sessionKey } = ids();
    expect(await beginTurn(redis, input(sessionKey))).toEqual({ outboxPending: 0 });
    await redis.rpush(k.outbox(sessionKey), 'a', 'b');
    expect(await beginTurn(redis, input(sessionKey))).toEqual({ outboxPending: 2 });
  });

  it('reads the head, the session and the late results, and changes nothing', async () => {
    const { turnId, sessionKey } = ids();
    await redis.rpush(k.inbox(sessionKey), turnId, 'next');
    expect(await beginTurn(redis, input(sessionKey))).toEqual({ outboxPending: 0, head: { turnId, sessionJson: undefined, lateJson: [] } });
    await redis.set(k.session(sessionKey), '{"s":1}');
    await redis.rpush(k.late(sessionKey), '{"l":1}', '{"l":2}');
    const twice = [await beginTurn(redis, input(sessionKey)), await beginTurn(redis, input(sessionKey))];
    for (const r of twice) expect(r).toEqual({ outboxPending: 0, head: { turnId, sessionJson: '{"s":1}', lateJson: ['{"l":1}', '{"l":2}'] } });
  });
});

describe('drop-head', () => {
  it('drops the head only while it is the given turn', async () => {
    const { turnId, sessionKey } = ids();
    await redis.rpush(k.inbox(sessionKey), turnId, 'next');
    expect(await dropHead(redis, { keys: { inbox: k.inbox(sessionKey) }, turnId: 'other' })).toBe(false);
    expect(await dropHead(redis, { keys: { inbox: k.inbox(sessionKey) }, turnId })).toBe(true);
    expect(await dropHead(redis, { keys: { inbox: k.inbox(sessionKey) }, turnId })).toBe(false);
    expect(await redis.lrange(k.inbox(sessionKey), 0, -1)).toEqual(['next']);
  });
});

describe('complete-turn', () => {
  async function accepted(ingressIds = ['ing1']) {
    const { turnId, sessionKey } = ids();
    for (const ingressId of ingressIds) await acceptTurn(redis, acceptInput(turnId, sessionKey, { ingressId }));
    return { turnId, sessionKey };
  }

  it('delivers in time to the waiting stream and writes result, session, transcript and index with TTLs', async () => {
    const { turnId, sessionKey } = await accepted();
    expect(await completeTurn(redis, completeInput(turnId, sessionKey))).toEqual({ status: 'delivered' });
    expect(await streamHas('ing1', turnId)).toBe(true);
    expect(await redis.get(k.result(turnId))).toBe(`{"turnId":"${turnId}"}`);
    expect(await redis.get(k.claim(turnId))).toBe('worker');
    expect(await redis.get(k.session(sessionKey))).toBe('{"s":1}');
    expect(await redis.lrange(k.transcript(sessionKey), 0, -1)).toEqual(['{"late":false,"replies":[]}']);
    expect(await redis.zscore(k.sessionIndex(), sessionKey)).not.toBeNull();
    expect(await redis.exists(k.turn(turnId), k.replyTo(turnId), k.inbox(sessionKey))).toBe(0);
    expect(await redis.pttl(k.result(turnId))).toBeGreaterThan(59_000);
    expect(await redis.pttl(k.session(sessionKey))).toBeGreaterThan(119_000);
    expect(await redis.pttl(k.transcript(sessionKey))).toBeGreaterThan(86_000_000);
    expect(await redis.pttl(k.replyStream('ing1'))).toBeGreaterThan(299_000);
  });

  it('is fenced, writing nothing, when the inbox head moved, and the same call twice is fenced the second time', async () => {
    const a = await accepted();
    const { turnId: b } = ids();
    await acceptTurn(redis, acceptInput(b, a.sessionKey));
    expect(await completeTurn(redis, completeInput(b, a.sessionKey))).toEqual({ status: 'fenced' });
    expect(await redis.exists(k.result(b), k.claim(b), k.session(a.sessionKey), k.transcript(a.sessionKey))).toBe(0);
    expect(await completeTurn(redis, completeInput(a.turnId, a.sessionKey))).toEqual({ status: 'delivered' });
    expect(await completeTurn(redis, completeInput(a.turnId, a.sessionKey, { sessionJson: '{"s":2}' }))).toEqual({ status: 'fenced' });
    expect(await redis.get(k.session(a.sessionKey))).toBe('{"s":1}');
    expect(await redis.llen(k.transcript(a.sessionKey))).toBe(1);
    expect(await redis.lrange(k.inbox(a.sessionKey), 0, -1)).toEqual([b]);
  });

  it('asks for the stream of a waiter it was not given, before writing anything, then delivers to every waiter', async () => {
    const { turnId, sessionKey } = await accepted(['ing1', 'ing2']);
    const reply = await completeTurn(redis, completeInput(turnId, sessionKey));
    expect(reply.status).toBe('streams');
    expect(reply.status === 'streams' && reply.ingressIds.sort()).toEqual(['ing1', 'ing2']);
    expect(await redis.exists(k.result(turnId), k.claim(turnId), k.session(sessionKey))).toBe(0);
    const replyStreams = { ing1: k.replyStream('ing1'), ing2: k.replyStream('ing2') };
    expect(await completeTurn(redis, completeInput(turnId, sessionKey, { replyStreams }))).toEqual({ status: 'delivered' });
    expect([await streamHas('ing1', turnId), await streamHas('ing2', turnId)]).toEqual([true, true]);
  });

  it('parks the result in the late list when the fallback claimed first, with the late transcript entry', async () => {
    const { turnId, sessionKey } = await accepted();
    await redis.set(k.claim(turnId), 'fallback');
    expect(await completeTurn(redis, completeInput(turnId, sessionKey))).toEqual({ status: 'late' });
    expect(await redis.lrange(k.late(sessionKey), 0, -1)).toEqual([`{"turnId":"${turnId}"}`]);
    expect(await redis.pttl(k.late(sessionKey))).toBeGreaterThan(119_000);
    expect(await redis.lrange(k.transcript(sessionKey), 0, -1)).toEqual(['{"late":true,"replies":[]}']);
    expect(await streamHas('ing1', turnId)).toBe(false);
  });

  it('past the grace, claims for the fallback itself and parks (the lost-claim case), without reading the waiters', async () => {
    const { turnId, sessionKey } = await accepted(['ing1', 'ing9']);
    expect(await completeTurn(redis, completeInput(turnId, sessionKey, { lateAfterMs: Date.now() - 1 }))).toEqual({ status: 'late' });
    expect(await redis.get(k.claim(turnId))).toBe('fallback');
  });

  it('v2: queues the outbox entry instead of the late list, and indexes the outbox once', async () => {
    const { turnId, sessionKey } = await accepted();
    await redis.set(k.claim(turnId), 'fallback');
    const nowMs = Date.now();
    expect(await completeTurn(redis, completeInput(turnId, sessionKey, { outboxJson: '{"o":1}', nowMs }))).toEqual({ status: 'outbox' });
    expect(await redis.lrange(k.outbox(sessionKey), 0, -1)).toEqual(['{"o":1}']);
    expect(await redis.pttl(k.outbox(sessionKey))).toBeGreaterThan(119_000);
    expect(Number(await redis.zscore(k.outboxIndex(), sessionKey))).toBe(nowMs);
    expect(await redis.exists(k.late(sessionKey))).toBe(0);
  });

  it('trims the late results it delivered and drops index entries whose transcript expired', async () => {
    const { turnId, sessionKey } = await accepted();
    await redis.rpush(k.late(sessionKey), 'l1', 'l2', 'l3');
    const nowMs = Date.now();
    await redis.zadd(k.sessionIndex(), nowMs - 86_400_000 - 1, 'c1:gone');
    expect(await completeTurn(redis, completeInput(turnId, sessionKey, { lateConsumed: 2, nowMs }))).toEqual({ status: 'delivered' });
    expect(await redis.lrange(k.late(sessionKey), 0, -1)).toEqual(['l3']);
    expect(await redis.zscore(k.sessionIndex(), 'c1:gone')).toBeNull();
  });
});
