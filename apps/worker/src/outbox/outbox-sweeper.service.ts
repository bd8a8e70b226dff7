import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { WorkerConfig } from '@app/config';
import { DrainRequester, drainJobForSession } from '@app/queue';
import { OutboxStore } from '@app/store';
import { WorkerHost } from '../queues/worker-host.js';

/**
 * Finds outboxes nobody is sending (their drain job died past its retries, or the worker crashed
 * after storing the result) and queues a drain for the session, which sends them first. Every
 * worker runs it; BullMQ's per-session deduplication makes the duplicates free.
 */
@Injectable()
export class OutboxSweeper implements OnModuleInit {
  private readonly logger = new Logger(OutboxSweeper.name);
  private running = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly drains: DrainRequester,
    private readonly host: WorkerHost,
    private readonly config: WorkerConfig,
  ) {}

  onModuleInit(): void {
    this.host.every('outbox-sweep', this.config.OUTBOX_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  /** One pass; returns how many sessions it queued (tests call it directly). */
  async sweep(): Promise<number> {
    if (this.running) return 0;
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
        await this.drains.request(drainJobForSession(sessionKey));
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
}
