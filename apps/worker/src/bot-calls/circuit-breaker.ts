/**
 * Per-channel breaker, per worker process: after `failureThreshold` failed turns in a row the
 * provider is skipped for `cooldownMs` (turns go straight to the handoff policy instead of
 * waiting out timeouts), then one trial turn decides whether it closes again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.failureThreshold) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** May a call go through now? In half-open state only one trial call at a time. */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.failures >= this.failureThreshold) this.openedAt = this.now();
  }
}
