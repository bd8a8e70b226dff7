import { BUCKET_COUNT, EXACT_LIMIT_MS, MAX_TRACKED_MS, latencyBucketOf, latencyBucketRange, percentileOf } from './latency-histogram.js';

/** Counts values into buckets, as TurnStats does before the flush. */
function histogramOf(values: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(latencyBucketOf(v), (counts.get(latencyBucketOf(v)) ?? 0) + 1);
  return counts;
}

/** The nearest-rank percentile of the raw values: what the histogram estimates. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

/** A deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Within one millisecond in the exact range, within 1/32 of the value above it. */
function expectClose(estimate: number | null, exact: number): void {
  expect(estimate).not.toBeNull();
  const allowed = exact < EXACT_LIMIT_MS ? 1 : exact / 32;
  expect(Math.abs(estimate! - exact)).toBeLessThanOrEqual(allowed);
}

describe('latency buckets', () => {
  it('are contiguous, ordered and at most 1/32 of their lower bound wide', () => {
    let previousHigh = EXACT_LIMIT_MS;
    for (let b = EXACT_LIMIT_MS; b < BUCKET_COUNT; b++) {
      const { low, high } = latencyBucketRange(b);
      expect(low).toBe(previousHigh);
      expect((high - low) / low).toBeLessThanOrEqual(1 / 32);
      previousHigh = high;
    }
    expect(previousHigh).toBe(MAX_TRACKED_MS);
  });

  it('put every value in the bucket whose range holds it', () => {
    const next = random(7);
    for (let i = 0; i < 5000; i++) {
      const v = EXACT_LIMIT_MS + next() * (MAX_TRACKED_MS - EXACT_LIMIT_MS - 1);
      const { low, high } = latencyBucketRange(latencyBucketOf(v));
      expect(v).toBeGreaterThanOrEqual(low);
      expect(v).toBeLessThan(high);
    }
  });

  it('keep each millisecond below 32 ms apart, and clamp the nonsensical and the huge', () => {
    for (let ms = 0; ms < EXACT_LIMIT_MS; ms++) expect(latencyBucketRange(latencyBucketOf(ms))).toEqual({ low: ms, high: ms });
    expect(latencyBucketOf(-5)).toBe(0);
    expect(latencyBucketOf(Number.NaN)).toBe(0);
    expect(latencyBucketOf(31.9)).toBe(31);
    expect(latencyBucketOf(10 * MAX_TRACKED_MS)).toBe(BUCKET_COUNT - 1);
  });
});

describe('percentileOf', () => {
  it('reads a 0 ms bot as 0 ms and a 120 ms one as about 120 ms (not the bound of a coarse bucket)', () => {
    const zero = histogramOf(Array.from({ length: 100 }, () => 0));
    expect(percentileOf(zero, 0.5)).toBe(0);
    expect(percentileOf(zero, 0.95)).toBe(0);
    const slow = histogramOf(Array.from({ length: 100 }, () => 120));
    expectClose(percentileOf(slow, 0.5), 120);
    expectClose(percentileOf(slow, 0.99), 120);
    expect(percentileOf(histogramOf([7]), 0.5)).toBe(7);
  });

  it.each([
    ['uniform 0-5000 ms', (r: () => number) => r() * 5000],
    ['uniform whole ms 0-40', (r: () => number) => Math.floor(r() * 41)],
    // Bot latencies look like this: most fast, a long tail.
    ['log-normal around 150 ms', (r: () => number) => Math.exp(Math.log(150) + 0.9 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()))],
    ['two modes (cache hit 3 ms, miss 900 ms)', (r: () => number) => (r() < 0.7 ? 3 : 900 + r() * 100)],
    ['deadline-bound 4900-5000 ms', (r: () => number) => 4900 + r() * 100],
  ])('estimates p50, p90, p95, p99 and p99.9 of %s within the bucket error', (_name, draw) => {
    const next = random(42);
    const values = Array.from({ length: 20_000 }, () => draw(next));
    const counts = histogramOf(values);
    for (const p of [0.5, 0.9, 0.95, 0.99, 0.999]) expectClose(percentileOf(counts, p), exactPercentile(values, p));
  });

  it('merges minutes from several ingresses by adding counts', () => {
    const next = random(3);
    const a = Array.from({ length: 3000 }, () => 20 + next() * 300);
    const b = Array.from({ length: 1000 }, () => 2000 + next() * 500);
    const merged = histogramOf(a);
    for (const [bucket, n] of histogramOf(b)) merged.set(bucket, (merged.get(bucket) ?? 0) + n);
    for (const p of [0.5, 0.75, 0.8, 0.99]) expectClose(percentileOf(merged, p), exactPercentile([...a, ...b], p));
  });

  it('is null without data and ignores fields that are not buckets', () => {
    expect(percentileOf(new Map(), 0.5)).toBeNull();
    expect(percentileOf(new Map([[Number.NaN, 5], [BUCKET_COUNT + 3, 2]]), 0.5)).toBeNull();
    expect(percentileOf(new Map([[Number.NaN, 5], [12, 1]]), 0.5)).toBe(12);
  });
});
