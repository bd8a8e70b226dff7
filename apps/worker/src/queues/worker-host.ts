import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { WorkerConfig } from '@app/config';
import { RepeatLimiter, errorKind } from '@app/observability';
import { DrainRequester } from '@app/queue';
import { RedisConnections } from '@app/redis';
import { RedisKeys } from '@app/store';

/** A queue's processor as the host runs it: BullMQ settings and the handler, nothing about connections. */
export interface QueueConsumer {
  readonly queue: string;
  readonly settings: { concurrency: number; lockDuration?: number; stalledInterval?: number; maxStalledCount: number };
  handle(job: Job, token?: string): Promise<unknown>;
  /** A job failed (an attempt, or for good when attemptsMade reached its attempts). */
  failed?(job: Job | undefined, error: Error): void;
}

interface PeriodicTask {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
  timer?: NodeJS.Timeout;
}

/**
 * Runs the worker's queue consumers and periodic tasks, owns their connections, and stops them
 * in one written order. Consumers register in onModuleInit; nothing runs before the whole app is
 * wired (onApplicationBootstrap).
 *
 * Shutdown (SIGTERM), in beforeApplicationShutdown:
 *   1. stop intake: every consumer stops taking jobs at the same moment, periodic tasks stop;
 *   2. drain: the jobs in flight finish, within SHUTDOWN_GRACE_MS;
 *   3. close the workers; one still busy after the grace is closed by force and its job, left
 *      stalled, is re-run by another worker (nothing is lost, nothing acknowledged twice);
 *   4. close the queues this process produces to (DrainRequester).
 * Then onApplicationShutdown: the heartbeat takes this worker off the live list (ops/) and,
 * last, RedisConnections closes every connection.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly consumers: QueueConsumer[] = [];
  private readonly tasks: PeriodicTask[] = [];
  private readonly workers: Worker[] = [];
  private stopping?: Promise<void>;
  /** Jobs running in this process, across consumers; `whenIdle` resolves when it reaches 0. */
  private running = 0;
  private whenIdle?: () => void;
  /** A worker error is logged once a minute per queue and kind: a Redis outage raises one per reconnect attempt. */
  private readonly errorLines = new RepeatLimiter(60_000);

  constructor(
    private readonly config: WorkerConfig,
    private readonly keys: RedisKeys,
    private readonly connections: RedisConnections,
    private readonly drains: DrainRequester,
  ) {}

  register(consumer: QueueConsumer): void {
    this.consumers.push(consumer);
  }

  every(name: string, everyMs: number, run: () => Promise<unknown>): void {
    this.tasks.push({ name, everyMs, run });
  }

  onApplicationBootstrap(): void {
    for (const task of this.tasks) {
      task.timer = setInterval(() => void task.run().catch((e: Error) => this.logger.warn({ task: task.name, error: e.message }, 'periodic task failed')), task.everyMs);
      task.timer.unref();
    }
    for (const c of this.consumers) {
      const worker = new Worker(c.queue, (job, token) => this.track(c.handle(job, token)), {
        connection: this.connections.blocking(`${c.queue}-consumer`),
        prefix: this.keys.bullPrefix,
        autorun: true,
        ...c.settings,
      });
      worker.on('error', (e) => {
        const kind = errorKind(e);
        const said = this.errorLines.admit(`${c.queue}:${kind}`);
        if (said) this.logger.error({ queue: c.queue, kind, error: e.message, ...(said.heldBack ? { repeatsNotLogged: said.heldBack } : {}) }, 'worker error');
      });
      if (c.failed) worker.on('failed', (job, e) => c.failed!(job, e));
      this.workers.push(worker);
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async track<T>(run: Promise<T>): Promise<T> {
    this.running++;
    try {
      return await run;
    } finally {
      if (--this.running === 0) this.whenIdle?.();
    }
  }

  private idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => (this.whenIdle = resolve));
  }

  private async stop(): Promise<void> {
    // 1. Stop intake, all at once: paused workers fetch nothing more; periodic tasks stop.
    for (const task of this.tasks) clearInterval(task.timer);
    await Promise.allSettled(this.workers.map((w) => w.pause(true)));
    // 2. Drain what is running, within the grace.
    const grace = this.config.SHUTDOWN_GRACE_MS;
    const timedOut = await Promise.race([this.idle().then(() => false), sleep(grace, true)]);
    if (timedOut) this.logger.warn({ graceMs: grace, running: this.running }, 'active jobs did not finish in time; leaving them to other workers');
    // 3. Close without waiting again: idle, there is nothing to wait for; past the grace, a job
    //    still running is left stalled and another worker re-runs it. (A plain close() here would
    //    wait for it unbounded: BullMQ answers a later close(true) with the first close's promise.)
    await Promise.allSettled(this.workers.map((w) => w.close(true)));
    // 4. The queues this process produces to: nothing adds after the consumers stopped.
    await this.drains.queue.close().catch((e: Error) => this.logger.warn({ error: e.message }, 'queue close failed'));
  }
}
