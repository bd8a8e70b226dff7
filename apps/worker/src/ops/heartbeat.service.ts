import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WorkerRegistry } from '@app/store';

const BEAT_MS = 5000;

/** Tells the ingress (/health/dependencies, readiness when it checks workers, gbg_workers_online) and the dashboard that this worker is alive. */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workerId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'worker'}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private timer?: NodeJS.Timeout;

  constructor(private readonly registry: WorkerRegistry) {}

  onApplicationBootstrap(): void {
    // A missed beat is retried in BEAT_MS; Redis trouble itself shows in the health checks.
    const beat = () => void this.registry.beat(this.workerId).catch(() => undefined);
    beat();
    this.timer = setInterval(beat, BEAT_MS);
    this.timer.unref();
  }

  /** After the consumers stopped (WorkerHost), before the connections close. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Best effort on the way out: an entry left behind drops out of the heartbeat window on its own.
    await this.registry.leave(this.workerId).catch(() => undefined);
  }
}
