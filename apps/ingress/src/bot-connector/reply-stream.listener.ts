import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys, type TurnResult } from '@app/queue';
import { REDIS_OPTIONS, createRedis, type RedisModuleOptions } from '@app/redis';

type Waiter = (result: TurnResult) => void;

/**
 * Receives workers' results for this ingress process. Each process owns one Redis stream and
 * reads it with a blocking XREAD loop; the cursor lives in memory, so a dropped connection
 * resumes where it stopped and loses nothing (reply-path.md, variant d). Results for turns no
 * longer awaited are ignored: the deadline fallback already answered them.
 */
@Injectable()
export class ReplyStreamListener implements OnModuleInit, OnApplicationShutdown {
  readonly ingressId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'ingress'}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger(ReplyStreamListener.name);
  private readonly waiters = new Map<string, Set<Waiter>>();
  private conn?: Redis;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly keys: RedisKeys,
    @Inject(REDIS_OPTIONS) private readonly redisOptions: RedisModuleOptions,
  ) {}

  onModuleInit(): void {
    this.conn = createRedis({ url: this.redisOptions.url, name: `ingress-replies-${this.ingressId}`, blocking: true });
    this.conn.on('error', () => undefined);
    this.running = true;
    this.loop = this.readLoop();
  }

  /** Registers interest before the turn is queued, so a fast result cannot arrive unseen. */
  expect(turnId: string): { wait(ms: number): Promise<TurnResult | undefined>; cancel(): void } {
    let resolveFn!: (r: TurnResult | undefined) => void;
    const promise = new Promise<TurnResult | undefined>((resolve) => (resolveFn = resolve));
    const waiter: Waiter = (r) => resolveFn(r);
    let set = this.waiters.get(turnId);
    if (!set) this.waiters.set(turnId, (set = new Set()));
    set.add(waiter);
    const cancel = () => {
      const s = this.waiters.get(turnId);
      s?.delete(waiter);
      if (s && s.size === 0) this.waiters.delete(turnId);
    };
    return {
      wait: (ms: number) => {
        const timer = setTimeout(() => resolveFn(undefined), Math.max(0, ms));
        return promise.finally(() => {
          clearTimeout(timer);
          cancel();
        });
      },
      cancel: () => {
        cancel();
        resolveFn(undefined);
      },
    };
  }

  get pending(): number {
    return this.waiters.size;
  }

  private async readLoop(): Promise<void> {
    const key = this.keys.replyStream(this.ingressId);
    let cursor = '0-0';
    while (this.running) {
      try {
        const res = (await this.conn!.xread('COUNT', 512, 'BLOCK', 1000, 'STREAMS', key, cursor)) as
          | [string, [string, string[]][]][]
          | null;
        if (!res) continue;
        for (const [, entries] of res) {
          for (const [id, fields] of entries) {
            cursor = id;
            this.deliver(fields);
          }
        }
      } catch (e) {
        if (!this.running) break;
        this.logger.warn({ error: (e as Error).message }, 'reply stream read failed; retrying');
        await sleep(200);
      }
    }
  }

  private deliver(fields: string[]): void {
    let turnId: string | undefined;
    let raw: string | undefined;
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] === 'id') turnId = fields[i + 1];
      else if (fields[i] === 'r') raw = fields[i + 1];
    }
    if (!turnId || !raw) return;
    const set = this.waiters.get(turnId);
    if (!set) return;
    let result: TurnResult;
    try {
      result = JSON.parse(raw) as TurnResult;
    } catch {
      // Only workers write this stream; an unreadable entry leaves its waiter to the deadline fallback.
      return;
    }
    for (const w of [...set]) w(result);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    const conn = this.conn;
    if (!conn) return;
    // Unblocks the pending XREAD; the stream itself is ours alone, so it goes too.
    conn.disconnect();
    // The loop logs its own read errors; here it only has to have stopped.
    await this.loop?.catch(() => undefined);
  }
}
