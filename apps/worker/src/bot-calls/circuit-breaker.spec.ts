import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  const failTimes = (b: CircuitBreaker, n: number) => {
    for (let i = 0; i < n; i++) b.failure();
  };

  it('starts closed and lets calls through', () => {
    const b = new CircuitBreaker(3, 1000, clock);
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(true);
  });

  it('stays closed below the threshold and opens at it', () => {
    const b = new CircuitBreaker(3, 1000, clock);
    failTimes(b, 2);
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
  });

  it('counts failures in a row only: a success resets the count', () => {
    const b = new CircuitBreaker(3, 1000, clock);
    failTimes(b, 2);
    b.success();
    failTimes(b, 2);
    expect(b.state).toBe('closed');
    b.failure();
    expect(b.state).toBe('open');
  });

  it('stays open for the whole cooldown and becomes half-open after it', () => {
    const b = new CircuitBreaker(2, 1000, clock);
    failTimes(b, 2);
    now += 999;
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    now += 1;
    expect(b.state).toBe('half-open');
  });

  it('allows exactly one trial call in half-open', () => {
    const b = new CircuitBreaker(2, 1000, clock);
    failTimes(b, 2);
    now += 1000;
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
    expect(b.allow()).toBe(false);
    now += 60_000;
    expect(b.allow()).toBe(false);
  });

  it('closes when the trial succeeds', () => {
    const b = new CircuitBreaker(2, 1000, clock);
    failTimes(b, 2);
    now += 1000;
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(true);
    // And a single failure after closing does not reopen it.
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('reopens for a full new cooldown when the trial fails', () => {
    const b = new CircuitBreaker(2, 1000, clock);
    failTimes(b, 2);
    now += 1500;
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    now += 999;
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    now += 1;
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
  });

  it('with threshold 1 opens on the first failure', () => {
    const b = new CircuitBreaker(1, 5000, clock);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
  });

  it('uses Date.now by default', () => {
    const b = new CircuitBreaker(1, 60_000);
    b.failure();
    expect(b.state).toBe('open');
  });
});
