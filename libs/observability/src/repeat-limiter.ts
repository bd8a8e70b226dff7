/**
 * Lets a repeating event through once, then at most once per `intervalMs` per key, saying how many
 * were held back meanwhile. For log lines that come in bursts: while Redis is away, every BullMQ
 * connection fails each reconnect attempt (every 2 s at most), and an error line for each would
 * bury everything else in the log. What is held back is still counted by the metrics.
 */
export class RepeatLimiter {
  private readonly seen = new Map<string, { lastAt: number; heldBack: number }>();

  constructor(
    private readonly intervalMs: number,
    /** Keys kept at most; the oldest is forgotten first (keys are error kinds: few in practice). */
    private readonly maxKeys = 256,
    private readonly now: () => number = Date.now,
  ) {}

  /** Undefined when this occurrence is held back; otherwise how many were held back since the key last got through. */
  admit(key: string): { heldBack: number } | undefined {
    const at = this.now();
    const seen = this.seen.get(key);
    if (seen && at - seen.lastAt < this.intervalMs) {
      seen.heldBack++;
      return undefined;
    }
    this.seen.delete(key);
    this.seen.set(key, { lastAt: at, heldBack: 0 });
    if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value!);
    return { heldBack: seen?.heldBack ?? 0 };
  }
}
