import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';

/** One rejection for every turn refused during a trial: the refusal path allocates nothing. */
const TRIAL_IN_FLIGHT = Promise.reject(new BrokenCircuitError('circuit half-open: a trial call is in flight'));
TRIAL_IN_FLIGHT.catch(() => undefined);

/**
 * Per-channel breaker, per worker process: after `failureThreshold` failed turns in a row the
 * provider is skipped for `cooldownMs` (turns go straight to the handoff policy instead of
 * waiting out timeouts), then one trial turn decides whether it closes again.
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    failureThreshold: number,
    private readonly cooldownMs: number,
  ) {
    this.policy = circuitBreaker(handleAll, { halfOpenAfter: cooldownMs, breaker: new ConsecutiveBreaker(failureThreshold) });
    // Cockatiel keeps its open time private and moves to half-open only on the next call; `state` reports the cooldown's end without one.
    this.policy.onBreak(() => void (this.openedAt = Date.now()));
  }

  get state(): 'closed' | 'open' | 'half-open' {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return Date.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
    }
  }

  /**
   * Runs `fn` and counts its outcome, or rejects with BrokenCircuitError without running it while
   * the circuit is open or a half-open trial is in flight.
   */
  execute<T>(fn: () => PromiseLike<T>): Promise<T> {
    // Cockatiel holds callers behind the trial; a turn must not wait out a trial that may be timing out.
    if (this.policy.state === CircuitState.HalfOpen) return TRIAL_IN_FLIGHT;
    return this.policy.execute(fn);
  }
}
