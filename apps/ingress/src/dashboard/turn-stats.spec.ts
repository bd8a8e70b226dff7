import { LATENCY_BUCKETS_MS, percentileFromBuckets } from './turn-stats.js';

describe('percentileFromBuckets', () => {
  it('answers the upper bound of the bucket the percentile falls in', () => {
    const counts = new Map([['100', 50], ['500', 45], ['3000', 5]]);
    expect(percentileFromBuckets(counts, 0.5)).toBe(100);
    expect(percentileFromBuckets(counts, 0.51)).toBe(500);
    expect(percentileFromBuckets(counts, 0.95)).toBe(500);
    expect(percentileFromBuckets(counts, 0.96)).toBe(3000);
  });

  it('is null without data, and beyond the last bucket reports twice its bound', () => {
    expect(percentileFromBuckets(new Map(), 0.5)).toBeNull();
    expect(percentileFromBuckets(new Map([['inf', 3]]), 0.5)).toBe(LATENCY_BUCKETS_MS.at(-1)! * 2);
  });
});
