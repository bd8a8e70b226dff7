import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TurnStatsStore } from '@app/store';
import { latencyBucketOf, percentileOf } from './latency-histogram.js';

const FLUSH_MS = 1000;
/**
 * Hash field prefixes of the latency buckets (latency-histogram.ts). Not the `bot:`/`resp:` of the
 * coarse buckets that came before, so a minute written by an older ingress is not misread.
 */
const BOT_FIELD = 'botms:';
const RESPONSE_FIELD = 'respms:';

export interface MinuteStats {
  minute: string;
  turns: number;
  handoffs: number;
  deadlineMisses: number;
  /** Bot call latency, from the worker's timings (turns the worker answered). */
  botP50Ms: number | null;
  botP95Ms: number | null;
  botP99Ms: number | null;
  /** What Genesys waited: request received to response sent. */
  responseP50Ms: number | null;
  responseP95Ms: number | null;
  responseP99Ms: number | null;
}

/** Interpolated percentiles carry float noise; a tenth of a millisecond is all a reader needs. */
function tenth(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 10) / 10;
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
    this.add(channel, `${RESPONSE_FIELD}${latencyBucketOf(responseMs)}`);
    if (botMs !== undefined) this.add(channel, `${BOT_FIELD}${latencyBucketOf(botMs)}`);
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
      const bot = new Map<number, number>();
      const resp = new Map<number, number>();
      for (const [f, v] of Object.entries(row)) {
        const n = Number(v);
        if (f.startsWith(BOT_FIELD)) bot.set(Number(f.slice(BOT_FIELD.length)), n);
        else if (f.startsWith(RESPONSE_FIELD)) resp.set(Number(f.slice(RESPONSE_FIELD.length)), n);
        else if (f.startsWith('reason:')) handoffsByReason[f.slice(7)] = (handoffsByReason[f.slice(7)] ?? 0) + n;
        else if (f.startsWith('outcome:')) outcomes[f.slice(8)] = (outcomes[f.slice(8)] ?? 0) + n;
      }
      return {
        minute: new Date((now - minutes + 1 + i) * 60_000).toISOString(),
        turns: Number(row.turns ?? 0),
        handoffs: Number(row.handoffs ?? 0),
        deadlineMisses: Number(row.deadlineMisses ?? 0),
        botP50Ms: tenth(percentileOf(bot, 0.5)),
        botP95Ms: tenth(percentileOf(bot, 0.95)),
        botP99Ms: tenth(percentileOf(bot, 0.99)),
        responseP50Ms: tenth(percentileOf(resp, 0.5)),
        responseP95Ms: tenth(percentileOf(resp, 0.95)),
        responseP99Ms: tenth(percentileOf(resp, 0.99)),
      };
    });
    return { series, handoffsByReason, outcomes };
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
