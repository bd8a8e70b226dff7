import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { IngressConfig } from '@app/config';

const WINDOW_MS = 500;

/**
 * Admission control. When this process is saturated (too many turns waiting, or its event loop
 * lagging), new turns are refused at once with 503 + Retry-After, which Genesys retries, instead
 * of being accepted and answered after the deadline (perf-reliability §2.7, R5). Checked in an
 * onRequest hook, before the body is parsed or the credential verified, so refusing is cheap.
 */
@Injectable()
export class LoadShedder implements OnModuleInit, OnModuleDestroy {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private lagMs = 0;
  inFlight = 0;

  constructor(private readonly config: IngressConfig) {}

  onModuleInit(): void {
    if (this.config.SHED_EVENT_LOOP_DELAY_MS <= 0) return;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => {
      // p99 of the last window, in ms: one long GC pause should not shed, a lagging loop should.
      this.lagMs = this.histogram!.percentile(99) / 1e6;
      this.histogram!.reset();
    }, WINDOW_MS);
    this.timer.unref();
  }

  /** Why a new turn must be refused now, or undefined when it can be taken. */
  verdict(): 'too_many_in_flight' | 'event_loop_lag' | undefined {
    if (this.inFlight >= this.config.MAX_INFLIGHT_TURNS) return 'too_many_in_flight';
    if (this.config.SHED_EVENT_LOOP_DELAY_MS > 0 && this.lagMs >= this.config.SHED_EVENT_LOOP_DELAY_MS) return 'event_loop_lag';
    return undefined;
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram?.disable();
  }
}
