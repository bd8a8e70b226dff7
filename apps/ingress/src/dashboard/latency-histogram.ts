/**
 * Log-linear latency buckets (the HDR histogram layout) for the dashboard's per-minute counters.
 *
 * Below EXACT_LIMIT_MS a bucket is one millisecond, so a fast bot reads as what it is (a 0 ms bot
 * as 0 ms, not as the bound of a coarse bucket). From there each power of two is cut into
 * SUB_BUCKETS equal buckets, so a bucket is never wider than 1/SUB_BUCKETS (≈3.1%) of its lower
 * bound: any percentile is off by at most that much. Buckets are integers, so several ingresses
 * merge a minute by adding counts (HINCRBY), and only buckets that were hit are ever written:
 * a minute costs at most BUCKET_COUNT fields per series, whatever the traffic.
 */
const SUB_BUCKET_BITS = 5;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
/** Below this every millisecond has its own bucket (equal to SUB_BUCKETS, where the log part starts). */
export const EXACT_LIMIT_MS = SUB_BUCKETS;
/** Values above this count in the last bucket: far past any deadline, a minute of bot time. */
export const MAX_TRACKED_MS = 131_072;
const OCTAVES = Math.log2(MAX_TRACKED_MS) - SUB_BUCKET_BITS;
export const BUCKET_COUNT = SUB_BUCKETS + OCTAVES * SUB_BUCKETS;

/** The bucket a latency (ms) counts in. */
export function latencyBucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < EXACT_LIMIT_MS - 0.5) return Math.round(ms);
  if (ms < EXACT_LIMIT_MS) return EXACT_LIMIT_MS - 1;
  if (ms >= MAX_TRACKED_MS) return BUCKET_COUNT - 1;
  const octave = Math.floor(Math.log2(ms)) - SUB_BUCKET_BITS;
  // floor(ms / 2^octave) is in [SUB_BUCKETS, 2·SUB_BUCKETS): the sub-bucket, offset by the exact range.
  return octave * SUB_BUCKETS + Math.floor(ms / 2 ** octave);
}

/** The values a bucket holds, [low, high) in ms; an exact bucket holds one value (low === high). */
export function latencyBucketRange(bucket: number): { low: number; high: number } {
  if (bucket < EXACT_LIMIT_MS) return { low: bucket, high: bucket };
  const octave = Math.floor(bucket / SUB_BUCKETS) - 1;
  const width = 2 ** octave;
  const low = (bucket - octave * SUB_BUCKETS) * width;
  return { low, high: low + width };
}

/**
 * The p-th percentile (0 < p ≤ 1) of the counted latencies, interpolated inside its bucket, or
 * null without data. Keys that are not bucket numbers are ignored.
 */
export function percentileOf(counts: ReadonlyMap<number, number>, p: number): number | null {
  const buckets = [...counts].filter(([b, n]) => Number.isInteger(b) && b >= 0 && b < BUCKET_COUNT && n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((a, [, n]) => a + n, 0);
  if (!total) return null;
  // Nearest rank, as a reader of a sorted list would pick it.
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    if (seen + n >= rank) {
      const { low, high } = latencyBucketRange(bucket);
      // Spread the bucket's n values evenly over its width: the k-th sits at the middle of its slice.
      return low + ((high - low) * (rank - seen - 0.5)) / n;
    }
    seen += n;
  }
  return latencyBucketRange(buckets.at(-1)![0]).high;
}
