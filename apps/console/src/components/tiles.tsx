import { formatMs } from '../format.js';

export interface LatencyTileProps {
  /** What is timed, e.g. "Bot latency"; the tile adds "p50 / p95". */
  title: string;
  testid: string;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
  /** A line under the figures saying what the time covers. */
  note?: string;
}

/**
 * One latency tile of the dashboard: p50 and p95 large, p99 below when the minute has one. Every
 * latency the dashboard shows goes through here, so they read alike.
 */
export function LatencyTile({ title, testid, p50, p95, p99, note }: LatencyTileProps) {
  return (
    <div class="tile">
      <dt>{title} p50 / p95</dt>
      <dd data-testid={testid} class="tile-pair">
        {formatMs(p50)} <span aria-hidden="true">/</span>
        <span class="visually-hidden">and</span> {formatMs(p95)}
      </dd>
      {p99 !== null && p99 !== undefined && (
        <dd class="tile-note" data-testid={`${testid}-p99`}>
          p99 {formatMs(p99)}
        </dd>
      )}
      {note && <dd class="tile-note">{note}</dd>}
    </div>
  );
}
