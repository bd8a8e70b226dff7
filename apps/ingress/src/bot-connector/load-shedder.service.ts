import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { DrainRequester } from '@app/queue';
import { AdmissionController } from './admission.js';

/** Short, so that a spike is noticed within a few dozen requests; a tick costs about a microsecond. */
const TICK_MS = 20;

export type ShedReason = 'too_many_in_flight' | 'event_loop' | 'heap';

/** A turn refused for load, whichever limit refused it: a 503 Genesys retries after a second. */
export const overloaded = (): GatewayError => new GatewayError('overloaded', 'gateway busy; retry shortly', undefined, 1);

/**
 * Admission control. A refused turn gets 503 + Retry-After at once, which Genesys retries, instead
 * of being accepted and answered after the deadline (perf-reliability §2.7, R5). The verdict is
 * read by the HTTP server before Fastify sees the request (http-setup.ts), before the body is parsed
 * or the credential verified, from figures a 20 ms timer keeps up to date: a few comparisons.
 *
 * The refusal itself only stays fast if the loop never has much queued work in front of it: a
 * request waits behind everything the loop must do first. So the event-loop signals (utilisation,
 * lag) do not switch shedding on and off; they steer the share of turns admitted (AdmissionController),
 * which keeps the loop below saturation instead of letting it saturate and then reacting.
 *
 * Also sampled here, less often: the age of the oldest waiting session drain (Redis), which the
 * dispatcher compares with each channel's deadline.
 */
@Injectable()
export class LoadShedder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LoadShedder.name);
  private readonly admission: AdmissionController;
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  private timer?: NodeJS.Timeout;
  private queueTimer?: NodeJS.Timeout;
  private lastElu?: EventLoopUtilization;
  private lastTickAt = 0;
  private heapFull = false;
  private queueAge = 0;
  private queueAgeFailing = false;
  inFlight = 0;

  constructor(
    private readonly config: IngressConfig,
    private readonly drains: DrainRequester,
  ) {
    this.admission = new AdmissionController({ eluHigh: config.SHED_EVENT_LOOP_UTILIZATION, lagMs: config.SHED_EVENT_LOOP_DELAY_MS });
  }

  onModuleInit(): void {
    this.lastElu = performance.eventLoopUtilization();
    this.lastTickAt = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    if (this.config.SHED_QUEUE_AGE_SAMPLE_MS > 0) this.sampleQueueAge();
  }

  private tick(): void {
    const now = performance.now();
    const lagMs = Math.max(0, now - this.lastTickAt - TICK_MS);
    this.lastTickAt = now;
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    this.admission.observe({ elu: elu.utilization, lagMs });
    const percent = this.config.SHED_HEAP_USED_PERCENT;
    this.heapFull = percent > 0 && getHeapStatistics().used_heap_size >= (this.heapLimit * percent) / 100;
  }

  /** One read at a time, so a slow Redis cannot stack reads up; a failed read counts as no backlog. */
  private sampleQueueAge(): void {
    this.queueTimer = setTimeout(async () => {
      try {
        this.queueAge = await this.drains.oldestWaitingAgeMs();
        this.queueAgeFailing = false;
      } catch (e) {
        // The turn path reports Redis trouble itself (503s, readiness); one line here is enough.
        if (!this.queueAgeFailing) this.logger.warn({ error: (e as Error).message }, 'could not read the queue age; not shedding on it');
        this.queueAgeFailing = true;
        this.queueAge = 0;
      }
      if (this.queueTimer) this.sampleQueueAge();
    }, this.config.SHED_QUEUE_AGE_SAMPLE_MS);
    this.queueTimer.unref();
  }

  /** Why a new turn must be refused now, or undefined when it can be taken. */
  verdict(): ShedReason | undefined {
    if (this.inFlight >= this.config.MAX_INFLIGHT_TURNS) return 'too_many_in_flight';
    if (this.heapFull) return 'heap';
    // Inside a stretch the tick cannot interrupt (a backlog being worked off): refuse at once,
    // which works the backlog off faster and adds nothing to it, instead of waiting for the tick.
    const lagLimit = this.config.SHED_EVENT_LOOP_DELAY_MS;
    if (lagLimit > 0 && this.timer && performance.now() - this.lastTickAt > TICK_MS + lagLimit) return 'event_loop';
    if (!this.admission.admit()) return 'event_loop';
    return undefined;
  }

  /** Age of the oldest drain no worker has taken yet, as last read (ms; 0 when off or unknown). */
  get oldestWaitingMs(): number {
    return this.queueAge;
  }

  /** Share of new turns the event-loop rule currently admits (1 = all). */
  get admittedShare(): number {
    return this.admission.share;
  }

  onModuleDestroy(): void {
    // Stopped ticks are not a lagging loop: from here on only the dispatcher's draining refuses.
    clearInterval(this.timer);
    this.timer = undefined;
    const queueTimer = this.queueTimer;
    this.queueTimer = undefined;
    if (queueTimer) clearTimeout(queueTimer);
  }
}
