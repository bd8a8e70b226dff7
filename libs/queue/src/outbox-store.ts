import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OutboxEntry } from './queue-contracts.js';
import type { RedisKeys } from './redis-keys.js';

/*
 * KEYS: outbox, outboxIndex, lock   ARGV: entryJson, sessionKey, lockValue, nowMs
 * Removes the head only if it is still the entry that was sent and the sender still holds the
 * lock: a sender whose lock expired must not remove what a successor is working on. The index
 * score moves to now while entries remain, so the sweeper leaves an outbox being sent alone.
 */
const ACK = `
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return -1 end
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return 0 end
redis.call('LPOP', KEYS[1])
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[2])
else redis.call('ZADD', KEYS[2], 'XX', ARGV[4], ARGV[2]) end
return 1
`;

const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/*
 * KEYS: outbox, outboxIndex   ARGV: sessionKey
 * An outbox that expired (session TTL) leaves the index.
 */
const FORGET_IF_EMPTY = `if redis.call('LLEN', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[1]) end return 0`;

type OutboxRedis = Redis & {
  gbgOutboxAck(k1: string, k2: string, k3: string, a1: string, a2: string, a3: string, a4: number): Promise<number>;
  gbgOutboxExtend(k1: string, a1: string, a2: number): Promise<number>;
  gbgOutboxRelease(k1: string, a1: string): Promise<number>;
  gbgOutboxForget(k1: string, k2: string, a1: string): Promise<number>;
};

/** The head of a session's outbox as read, kept verbatim so the ack matches it exactly. */
export interface OutboxHead {
  raw: string;
  entry: OutboxEntry;
}

/** A session's outbox, held by one sender at a time. */
export interface OutboxLease {
  readonly sessionKey: string;
  /** False once the lock was lost (expired and taken): stop sending. */
  readonly held: boolean;
  head(): Promise<OutboxHead | undefined>;
  /** Removes the entry after it was sent or given up on; false if it was not the head any more. */
  ack(head: OutboxHead): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * v2 results waiting to go out through the outgoing-messages API. Each session's outbox is a list
 * sent strictly in order by whoever holds its lock; an entry leaves the list only after Genesys
 * took it (or it was given up and recorded), so a crash at any point resends at most the one
 * entry whose send was in flight.
 */
export class OutboxStore {
  private readonly redis: OutboxRedis;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
  ) {
    const r = redis as OutboxRedis;
    if (typeof r.gbgOutboxAck !== 'function') {
      redis.defineCommand('gbgOutboxAck', { numberOfKeys: 3, lua: ACK });
      redis.defineCommand('gbgOutboxExtend', { numberOfKeys: 1, lua: EXTEND });
      redis.defineCommand('gbgOutboxRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('gbgOutboxForget', { numberOfKeys: 2, lua: FORGET_IF_EMPTY });
    }
    this.redis = r;
  }

  /**
   * Appends an entry from outside a turn (a notification) and, in the same transaction, writes
   * `alsoSet` (the notification's record saying it is on its way), so a crash cannot leave one
   * without the other.
   */
  async enqueue(sessionKey: string, entry: OutboxEntry, ttlMs: number, alsoSet?: { key: string; value: string }): Promise<void> {
    const k = this.keys;
    const tx = this.redis
      .multi()
      .rpush(k.outbox(sessionKey), JSON.stringify(entry))
      .pexpire(k.outbox(sessionKey), ttlMs)
      .zadd(k.outboxIndex(), 'NX', Date.now(), sessionKey);
    if (alsoSet) tx.set(alsoSet.key, alsoSet.value, 'KEEPTTL');
    const res = await tx.exec();
    const failed = res?.find(([e]) => e);
    if (!res || failed) throw failed?.[0] ?? new Error('outbox enqueue aborted');
  }

  async length(sessionKey: string): Promise<number> {
    return this.redis.llen(this.keys.outbox(sessionKey));
  }

  /** Session keys whose outbox has waited since before `olderThan` (ms epoch), oldest first. */
  async stale(olderThan: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.outboxIndex(), '-inf', olderThan, 'LIMIT', 0, limit);
  }

  async forgetIfEmpty(sessionKey: string): Promise<void> {
    await this.redis.gbgOutboxForget(this.keys.outbox(sessionKey), this.keys.outboxIndex(), sessionKey);
  }

  /**
   * Takes the session's send lock, renewed every third of `ttlMs` until released. Undefined when
   * another process holds it (it is sending this outbox right now).
   */
  async lease(sessionKey: string, ttlMs: number): Promise<OutboxLease | undefined> {
    const k = this.keys;
    const lockKey = k.outboxLock(sessionKey);
    const value = randomBytes(12).toString('hex');
    if ((await this.redis.set(lockKey, value, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    const redis = this.redis;
    let held = true;
    const renew = setInterval(() => {
      redis.gbgOutboxExtend(lockKey, value, ttlMs).then(
        (ok) => {
          if (ok !== 1) held = false;
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(ttlMs / 3)));
    renew.unref();
    return {
      sessionKey,
      get held() {
        return held;
      },
      async head() {
        const raw = await redis.lindex(k.outbox(sessionKey), 0);
        return raw === null ? undefined : { raw, entry: JSON.parse(raw) as OutboxEntry };
      },
      async ack(head) {
        const r = await redis.gbgOutboxAck(k.outbox(sessionKey), k.outboxIndex(), lockKey, head.raw, sessionKey, value, Date.now());
        if (r === -1) held = false;
        return r === 1;
      },
      async release() {
        clearInterval(renew);
        held = false;
        await redis.gbgOutboxRelease(lockKey, value).catch(() => undefined);
      },
    };
  }
}
