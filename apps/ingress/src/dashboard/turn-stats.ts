import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TurnStatsStore } from '@app/store';

/** Upper bounds (ms) of the latency buckets; a value above the last counts in `inf`. */
export const LATENCY_BUCKETS_MS = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7000, 10000] as const;
const FLUSH_MS = 1000;

export interface MinuteStats {
  minute: string;
  turns: number;
  handoffs: number;
  deadlineMisses: number;
  /** Bot call latency, from the worker's timings (turns the worker answered). */
  botP50Ms: number | null;
  botP95Ms: number | null;
  /** What Genesys waited: request received to response sent. */
  responseP50Ms: number | null;
  responseP95Ms: number | null;
}

function bucketOf(ms: number): string {
  const b = LATENCY_BUCKETS_MS.find((ub) => ms <= ub);
  return b === undefined ? 'inf' : String(b);
}

/** A percentile from bucket counts: the upper bound of the bucket it falls in (a conservative estimate). */
export function percentileFromBuckets(counts: Map<string, number>, p: number): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (!total) return null;
  let seen = 0;
  for (const ub of [...LATENCY_BUCKETS_MS.map(String), 'inf']) {
    seen += counts.get(ub) ?? 0;
    if (seen >= p * total) return ub === 'inf' ? LATENCY_BUCKETS_MS.at(-1)! * 2 : Number(ub);
  }
  return null;
}

/**
 * Per-minute turn counters for the dashboard, shared by every ingress through Redis. Counted in
 * memory and flushed once a second in one pipeline, so a turn costs no Redis round trip.
 */
@Injectable()
export class TurnStats implements OnApplicationShutdown {
  private pending = new Map<string, Map<string, number>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: TurnStatsStore) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private add(channel: string, field: string, n = 1): void {
    const minute = Math.floor(Date.now() / 60_000);
    for (const scope of ['all', channel]) {
      const key = this.store.key(scope, minute);
      const fields = this.pending.get(key) ?? new Map<string, number>();
      fields.set(field, (fields.get(field) ?? 0) + n);
      this.pending.set(key, fields);
    }
  }

  turn(channel: string, responseMs: number, outcome: string, botMs?: number): void {
    this.add(channel, 'turns');
    this.add(channel, `outcome:${outcome}`);
    this.add(channel, `resp:${bucketOf(responseMs)}`);
    if (botMs !== undefined) this.add(channel, `bot:${bucketOf(botMs)}`);
  }

  handoff(channel: string, reason: string): void {
    this.add(channel, 'handoffs');
    this.add(channel, `reason:${reason.slice(0, 40)}`);
  }

  deadlineMiss(channel: string): void {
    this.add(channel, 'deadlineMisses');
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    // Statistics are best effort: a Redis hiccup loses a second of counts, never a turn.
    await this.store.add(batch).catch(() => undefined);
  }

  async read(minutes: number, channel?: string): Promise<{ series: MinuteStats[]; handoffsByReason: Record<string, number>; outcomes: Record<string, number> }> {
    await this.flush();
    const now = Math.floor(Date.now() / 60_000);
    const scope = channel ?? 'all';
    const rows = await this.store.read(scope, now - minutes + 1, now);
    const handoffsByReason: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    const series = rows.map((row, i) => {
      const bot = new Map<string, number>();
      const resp = new Map<string, number>();
      for (const [f, v] of Object.entries(row)) {
        const n = Number(v);
        if (f.startsWith('bot:')) bot.set(f.slice(4), n);
        else if (f.startsWith('resp:')) resp.set(f.slice(5), n);
        else if (f.startsWith('reason:')) handoffsByReason[f.slice(7)] = (handoffsByReason[f.slice(7)] ?? 0) + n;
        else if (f.startsWith('outcome:')) outcomes[f.slice(8)] = (outcomes[f.slice(8)] ?? 0) + n;
      }
      return {
        minute: new Date((now - minutes + 1 + i) * 60_000).toISOString(),
        turns: Number(row.turns ?? 0),
        handoffs: Number(row.handoffs ?? 0),
        deadlineMisses: Number(row.deadlineMisses ?? 0),
        botP50Ms: percentileFromBuckets(bot, 0.5),
        botP95Ms: percentileFromBuckets(bot, 0.95),
        responseP50Ms: percentileFromBuckets(resp, 0.5),
        responseP95Ms: percentileFromBuckets(resp, 0.95),
      };
    });
    return { series, handoffsByReason, outcomes };
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
