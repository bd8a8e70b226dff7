import { BrokenCircuitError } from 'cockatiel';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  // Cockatiel reads Date.now and takes no clock, so the spec moves Date.now itself.
  const realNow = Date.now;
  let now: number;
  beforeEach(() => {
    now = 1_000_000;
    Date.now = () => now;
  });
  afterEach(() => {
    Date.now = realNow;
  });

  // Cockatiel learns outcomes only from calls it runs: `allow` starts a call and says whether the
  // breaker ran it (left in flight) or refused it at once; a call held back waiting fails the test.
  // `success`/`failure` settle the oldest call in flight, or run a new call that ends that way.
  const inFlight: { end: (ok: boolean) => void; done: Promise<unknown> }[] = [];
  beforeEach(() => {
    inFlight.length = 0;
  });
  const allow = async (b: CircuitBreaker): Promise<boolean> => {
    let ran = false;
    let end!: (ok: boolean) => void;
    const call = b.execute(() => {
      ran = true;
      return new Promise<void>((resolve, reject) => (end = (ok) => (ok ? resolve() : reject(new Error('bot down')))));
    });
    // The breaker has counted the outcome once the call it ran has settled.
    if (ran) return inFlight.push({ end, done: call.catch(() => undefined) }) > 0;
    const seen = await Promise.race([
      call.then(
        () => 'ran late',
        (e: unknown) => (e instanceof BrokenCircuitError ? 'refused' : String(e)),
      ),
      new Promise((resolve) => setImmediate(() => resolve('held back'))),
    ]);
    if (seen !== 'refused') throw new Error(`the breaker neither ran nor refused the call at once: ${String(seen)}`);
    return false;
  };
  const settle = async (b: CircuitBreaker, ok: boolean) => {
    if (!inFlight.length && !(await allow(b))) throw new Error('the breaker refused the call');
    const call = inFlight.shift()!;
    call.end(ok);
    await call.done;
  };
  const success = (b: CircuitBreaker) => settle(b, true);
  const failure = (b: CircuitBreaker) => settle(b, false);

  const failTimes = async (b: CircuitBreaker, n: number) => {
    for (let i = 0; i < n; i++) await failure(b);
  };

  it('starts closed and lets calls through', async () => {
    const b = new CircuitBreaker(3, 1000);
    expect(b.state).toBe('closed');
    expect(await allow(b)).toBe(true);
    expect(await allow(b)).toBe(true);
  });

  it('stays closed below the threshold and opens at it', async () => {
    const b = new CircuitBreaker(3, 1000);
    await failTimes(b, 2);
    expect(b.state).toBe('closed');
    expect(await allow(b)).toBe(true);
    await failure(b);
    expect(b.state).toBe('open');
    expect(await allow(b)).toBe(false);
  });

  it('counts failures in a row only: a success resets the count', async () => {
    const b = new CircuitBreaker(3, 1000);
    await failTimes(b, 2);
    await success(b);
    await failTimes(b, 2);
    expect(b.state).toBe('closed');
    await failure(b);
    expect(b.state).toBe('open');
  });

  it('stays open for the whole cooldown and becomes half-open after it', async () => {
    const b = new CircuitBreaker(2, 1000);
    await failTimes(b, 2);
    now += 999;
    expect(b.state).toBe('open');
    expect(await allow(b)).toBe(false);
    now += 1;
    expect(b.state).toBe('half-open');
  });

  it('allows exactly one trial call in half-open', async () => {
    const b = new CircuitBreaker(2, 1000);
    await failTimes(b, 2);
    now += 1000;
    expect(await allow(b)).toBe(true);
    expect(await allow(b)).toBe(false);
    expect(await allow(b)).toBe(false);
    now += 60_000;
    expect(await allow(b)).toBe(false);
  });

  it('closes when the trial succeeds', async () => {
    const b = new CircuitBreaker(2, 1000);
    await failTimes(b, 2);
    now += 1000;
    expect(await allow(b)).toBe(true);
    await success(b);
    expect(b.state).toBe('closed');
    expect(await allow(b)).toBe(true);
    expect(await allow(b)).toBe(true);
    // And a single failure after closing does not reopen it.
    await failure(b);
    expect(b.state).toBe('closed');
  });

  it('reopens for a full new cooldown when the trial fails', async () => {
    const b = new CircuitBreaker(2, 1000);
    await failTimes(b, 2);
    now += 1500;
    expect(await allow(b)).toBe(true);
    await failure(b);
    expect(b.state).toBe('open');
    expect(await allow(b)).toBe(false);
    now += 999;
    expect(b.state).toBe('open');
    expect(await allow(b)).toBe(false);
    now += 1;
    expect(b.state).toBe('half-open');
    expect(await allow(b)).toBe(true);
    expect(await allow(b)).toBe(false);
  });

  it('with threshold 1 opens on the first failure', async () => {
    const b = new CircuitBreaker(1, 5000);
    await failure(b);
    expect(b.state).toBe('open');
    expect(await allow(b)).toBe(false);
  });

  it('uses Date.now by default', async () => {
    Date.now = realNow;
    const b = new CircuitBreaker(1, 60_000);
    await failure(b);
    expect(b.state).toBe('open');
  });
});
