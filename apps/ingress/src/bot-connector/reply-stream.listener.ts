import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { TurnStore, type TurnResult } from '@app/store';
import { RedisConnections } from '@app/redis';

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
  /** Set when the connection came back: the next read starts a little before where it stopped. */
  private rewind = false;
  private loop?: Promise<void>;

  constructor(
    private readonly turns: TurnStore,
    private readonly connections: RedisConnections,
  ) {}

  onModuleInit(): void {
    this.conn = this.connections.blocking('replies', this.ingressId);
    let connectedBefore = false;
    this.conn.on('ready', () => {
      this.rewind = connectedBefore;
      connectedBefore = true;
    });
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
    let cursor = '0-0';
    while (this.running) {
      if (this.rewind) {
        this.rewind = false;
        cursor = rewound(cursor);
      }
      try {
        const batch = await this.turns.readReplies(this.conn!, this.ingressId, cursor, 1000);
        cursor = batch.cursor;
        for (const r of batch.replies) this.deliver(r.turnId, r.resultJson);
      } catch (e) {
        if (!this.running) break;
        this.logger.warn({ error: (e as Error).message }, 'reply stream read failed; retrying');
        await sleep(200);
      }
    }
  }

  private deliver(turnId: string, raw: string): void {
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

/** How far back a read goes after a reconnect. */
const REWIND_MS = 10_000;

/**
 * The cursor to resume from after a reconnect, which may be to a new master after a failover:
 * the entries past our cursor may have been lost in asynchronous replication, and the new
 * master's clock (entry ids are milliseconds) may lag the old one's. Re-reading the last seconds
 * costs only duplicates, which find no waiter (each waiter is resolved once) and are ignored.
 */
export function rewound(cursor: string): string {
  const ms = Number(cursor.split('-')[0]);
  return ms > REWIND_MS ? `${ms - REWIND_MS}-0` : '0-0';
}
