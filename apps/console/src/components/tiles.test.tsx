import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { LatencyTile } from './tiles.js';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

describe('LatencyTile', () => {
  it('shows p50 and p95, then p99 and the note under them', () => {
    const out = renderToString(<LatencyTile title="Response time" testid="tile-response" p50={0.4} p95={12} p99={480} note="what Genesys waited" />);
    expect(text(out)).toBe('Response time p50 / p95 0.4 ms / and 12 ms p99 480 ms what Genesys waited');
    expect(out).toContain('data-testid="tile-response-p99"');
  });

  it('leaves p99 out when the minute has none, and shows dashes before any traffic', () => {
    const out = renderToString(<LatencyTile title="Bot latency" testid="tile-latency" p50={null} p95={undefined} p99={null} />);
    expect(text(out)).toBe('Bot latency p50 / p95 — / and —');
    expect(out).not.toContain('tile-latency-p99');
  });
});
