import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { WorkerConfig } from '@app/config';
import { DRAIN_SESSION_JOB, OutboxStore, RedisKeys, TURNS_QUEUE, drainJobOptions, type DrainSessionJob } from '@app/queue';
import { REDIS_CLIENT, REDIS_OPTIONS, createRedis, type RedisModuleOptions } from '@app/redis';

/**
 * Finds outboxes nobody is sending (their drain job died past its retries, or the worker crashed
 * after storing the result) and queues a drain for the session, which sends them first. Every
 * worker runs it; BullMQ's per-session deduplication makes the duplicates free.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);
  private readonly store: OutboxStore;
  private timer?: NodeJS.Timeout;
  private queue?: Queue<DrainSessionJob>;
  private connection?: ReturnType<typeof createRedis>;
  private running = false;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    keys: RedisKeys,
    private readonly config: WorkerConfig,
    @Inject(REDIS_OPTIONS) private readonly redisOptions: RedisModuleOptions,
  ) {
    this.store = new OutboxStore(redis, keys);
  }

  onApplicationBootstrap(): void {
    this.connection = createRedis({ url: this.redisOptions.url, name: 'worker-outbox-sweeper' });
    this.connection.on('error', () => undefined);
    this.queue = new Queue<DrainSessionJob>(TURNS_QUEUE, { connection: this.connection, prefix: this.store.keys.bullPrefix });
    this.queue.on('error', () => undefined);
    this.timer = setInterval(() => void this.sweep(), this.config.OUTBOX_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** One pass; returns how many sessions it queued (tests call it directly). */
  async sweep(): Promise<number> {
    if (this.running || !this.queue) return 0;
    this.running = true;
    let queued = 0;
    try {
      // An outbox being sent has its index score refreshed on every ack; older than this, nobody is on it.
      const idleFor = Math.max(10_000, 2 * this.config.OUTBOX_SWEEP_INTERVAL_MS);
      for (const sessionKey of await this.store.stale(Date.now() - idleFor)) {
        if ((await this.store.length(sessionKey)) === 0) {
          await this.store.forgetIfEmpty(sessionKey);
          continue;
        }
        const sep = sessionKey.indexOf(':');
        const job: DrainSessionJob = { sessionKey, channelId: sessionKey.slice(0, sep), botSessionId: sessionKey.slice(sep + 1) };
        await this.queue.add(DRAIN_SESSION_JOB, job, drainJobOptions(sessionKey));
        queued++;
      }
      if (queued) this.logger.warn({ sessions: queued }, 'queued drains for outboxes nobody was sending');
    } catch (e) {
      this.logger.warn({ error: (e as Error).message }, 'outbox sweep failed');
    } finally {
      this.running = false;
    }
    return queued;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Shutting down: a close error leaves nothing to do, and the connection is dropped next anyway.
    await this.queue?.close().catch(() => undefined);
    this.connection?.disconnect();
  }
}
