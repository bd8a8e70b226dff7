import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { WorkerConfig } from '@app/config';
import { GenesysApiClientFactory, type ChannelAuthorizationProblem } from '@app/genesys-api';
import { DrainRequester, drainJobForSession } from '@app/queue';
import { OutboxStore } from '@app/store';
import { WorkerHost } from '../queues/worker-host.js';

/** A lasting stuck outbox is said again after this long, so logs after a restart or in a later shift show it. */
const REPEAT_STUCK_REPORT_MS = 60 * 60_000;

/**
 * Finds outboxes nobody is sending (their drain job died past its retries, or the worker crashed
 * after storing the result) and queues a drain for the session, which sends them first. Every
 * worker runs it; BullMQ's per-session deduplication makes the duplicates free.
 *
 * A stuck outbox is reported once per channel and cause (most often: the channel was never
 * authorized with Genesys, so its v2 replies wait for a token), with the step that fixes it, and
 * again only when that changes or an hour later; a sweep every few seconds must not repeat the
 * same warning, nor each worker say it. Who said what is kept in Redis, shared by the workers.
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
    private readonly channels: ChannelRepository,
    private readonly api: GenesysApiClientFactory,
  ) {}

  onModuleInit(): void {
    this.host.every('outbox-sweep', this.config.OUTBOX_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  /** One pass; returns how many sessions it queued (tests call it directly). */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let queued = 0;
    const stuck = new Map<string, number>();
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
        // Session keys are `<channelId>:<botSessionId>`; channel ids have no colon.
        const channelId = sessionKey.slice(0, sessionKey.indexOf(':'));
        stuck.set(channelId, (stuck.get(channelId) ?? 0) + 1);
      }
      await this.report(stuck);
    } catch (e) {
      this.logger.warn({ error: (e as Error).message }, 'outbox sweep failed');
    } finally {
      this.running = false;
    }
    return queued;
  }

  private async report(stuck: Map<string, number>): Promise<void> {
    for (const [channelId, sessions] of stuck) {
      const problem = await this.problemOf(channelId);
      const cause = problem ? `${problem.reason}; its v2 replies wait in the outbox until you ${problem.fix}` : 'outboxes not moving; queued drains to send them';
      if (!(await this.store.claimStuckReport(channelId, cause, REPEAT_STUCK_REPORT_MS))) continue;
      this.logger.warn({ channelId, sessions, ...(problem ? { cause: problem.kind } : {}) }, cause);
    }
    for (const channelId of await this.store.stuckReported()) {
      if (stuck.has(channelId) || !(await this.store.clearStuckReport(channelId))) continue;
      this.logger.log({ channelId }, 'outboxes are moving again');
    }
  }

  /** Undefined when the channel could send (the drain died, or the channel is gone: the sender says so). */
  private async problemOf(channelId: string): Promise<ChannelAuthorizationProblem | undefined> {
    const channel = await this.channels.get(channelId).catch(() => undefined);
    return channel ? this.api.authorizationProblem(channel).catch(() => undefined) : undefined;
  }
}
