import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { WorkerConfig } from '@app/config';
import { DrainRequester, drainJobForSession } from '@app/queue';
import { TurnStore } from '@app/store';
import { WorkerHost } from './worker-host.js';

/** Sessions remembered between passes; beyond this a pass starts over (the next pass catches up). */
const MAX_TRACKED = 100_000;

/**
 * Queues a drain for sessions whose turns wait with no drain job. The ingress stores a turn and
 * then queues its drain in two writes; a Redis failover can keep the first and lose the second,
 * and nothing else would ever run that session again. A session is queued when the head of its
 * inbox is the same turn two passes in a row: a running drain would have moved it (or, for a
 * long bot call, the request is a free duplicate under the per-session deduplication).
 */
@Injectable()
export class InboxSweeper implements OnModuleInit {
  private readonly logger = new Logger(InboxSweeper.name);
  private seen = new Map<string, string>();
  /** Sessions already reported stuck (by head turn): one warning per stuck turn, not one per pass. */
  private reported = new Set<string>();
  private running = false;

  constructor(
    private readonly turns: TurnStore,
    private readonly drains: DrainRequester,
    private readonly host: WorkerHost,
    private readonly config: WorkerConfig,
  ) {}

  onModuleInit(): void {
    this.host.every('inbox-sweep', this.config.INBOX_SWEEP_INTERVAL_MS, () => this.sweepIfOurTurn());
  }

  /**
   * A pass walks the whole keyspace (SCAN), so only one worker per interval makes it. Whoever
   * does compares with the heads it saw on its own last pass, however long ago: a head unchanged
   * since then has been stuck at least that long.
   */
  async sweepIfOurTurn(): Promise<number | undefined> {
    // A little under the interval, so the lease is free again at the next tick of any worker.
    if (!(await this.turns.leaseInboxSweep(Math.floor(this.config.INBOX_SWEEP_INTERVAL_MS * 0.8)))) return undefined;
    return this.sweep();
  }

  /** One pass; returns how many sessions it queued (tests call it directly). */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const now = new Map<string, string>();
    const stuck = new Set<string>();
    let queued = 0;
    try {
      for await (const batch of this.turns.pendingInboxes()) {
        for (const { sessionKey, headTurnId } of batch) {
          if (now.size < MAX_TRACKED) now.set(sessionKey, headTurnId);
          if (this.seen.get(sessionKey) !== headTurnId) continue;
          await this.drains.request(drainJobForSession(sessionKey));
          queued++;
          stuck.add(`${sessionKey} ${headTurnId}`);
        }
      }
      this.seen = now;
      // A session whose drain waits on its outbox (a channel not authorized yet) stays stuck pass
      // after pass; the outbox sweeper says why, so only newly stuck turns are worth a warning here.
      const fresh = [...stuck].filter((k) => !this.reported.has(k)).length;
      this.reported = stuck;
      if (fresh) this.logger.warn({ sessions: fresh }, 'queued drains for sessions whose turns were not moving');
      else if (queued) this.logger.debug({ sessions: queued }, 'queued drains again for sessions still not moving');
    } finally {
      this.running = false;
    }
    return queued;
  }
}
