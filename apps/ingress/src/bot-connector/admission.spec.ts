import { AdmissionController, MIN_ADMIT_SHARE } from './admission.js';

const admitted = (c: AdmissionController, n: number) => Array.from({ length: n }, () => c.admit()).filter(Boolean).length;

describe('AdmissionController', () => {
  it('admits everything while the loop has room', () => {
    const c = new AdmissionController({ eluHigh: 0.95, lagMs: 30 });
    for (let i = 0; i < 50; i++) c.observe({ elu: 0.8, lagMs: 5 });
    expect(c.share).toBe(1);
    expect(admitted(c, 1000)).toBe(1000);
  });

  it('does not react to one busy tick of utilisation, only to a sustained one, and then gently', () => {
    const c = new AdmissionController({ eluHigh: 0.95, lagMs: 30 });
    for (let i = 0; i < 20; i++) c.observe({ elu: 0.8, lagMs: 0 });
    c.observe({ elu: 1, lagMs: 0 });
    c.observe({ elu: 0.8, lagMs: 0 });
    expect(c.share).toBe(1);
    for (let i = 0; i < 20 && c.share === 1; i++) c.observe({ elu: 1, lagMs: 0 });
    expect(c.share).toBeCloseTo(0.9);
  });

  it('cuts by lag in proportion to how far over the limit it is, between 0.7 and 0.3 a tick, down to a floor', () => {
    const lag = (ms: number) => {
      const c = new AdmissionController({ eluHigh: 0.95, lagMs: 30 });
      c.observe({ elu: 0.5, lagMs: ms });
      return c.share;
    };
    expect(lag(29)).toBe(1);
    expect(lag(30)).toBeCloseTo(0.7);
    expect(lag(60)).toBeCloseTo(0.5);
    expect(lag(300)).toBeCloseTo(0.3);
    const c = new AdmissionController({ eluHigh: 0.95, lagMs: 30 });
    for (let i = 0; i < 50; i++) c.observe({ elu: 1, lagMs: 200 });
    expect(c.share).toBe(MIN_ADMIT_SHARE);
    // The floor still lets a trickle through: that is how a cooled loop gets work again.
    expect(admitted(c, 1000)).toBe(50);
  });

  it('admits exactly its share, spread out rather than in bursts', () => {
    const c = new AdmissionController({ eluHigh: 0, lagMs: 30 });
    c.observe({ elu: 1, lagMs: 30 });
    c.observe({ elu: 1, lagMs: 30 }); // 0.49
    const decisions = Array.from({ length: 100 }, () => c.admit());
    expect(Math.abs(decisions.filter(Boolean).length - 49)).toBeLessThanOrEqual(1);
    // Never three refusals in a row at about one in two: no window refuses everything.
    expect(decisions.map((d) => (d ? 'a' : 'r')).join('')).not.toContain('rrr');
  });

  it('comes back slowly once the loop cools, and holds while lag or utilisation stay near their limits', () => {
    const c = new AdmissionController({ eluHigh: 0.95, lagMs: 30 });
    for (let i = 0; i < 50; i++) c.observe({ elu: 1, lagMs: 100 });
    c.observe({ elu: 0.5, lagMs: 20 });
    expect(c.share).toBe(MIN_ADMIT_SHARE); // lag above half the limit: hold
    let ticks = 0;
    while (c.share < 1) {
      c.observe({ elu: 0.5, lagMs: 0 });
      ticks++;
    }
    // 0.05 → 1 in steps of 0.05 (the smoothed utilisation first falls below 0.85): under a second
    // at 20 ms ticks, and never at the first quiet tick.
    expect(ticks).toBeGreaterThanOrEqual(19);
    expect(ticks).toBeLessThan(30);
  });

  it('with both signals off, never refuses', () => {
    const c = new AdmissionController({ eluHigh: 0, lagMs: 0 });
    for (let i = 0; i < 10; i++) c.observe({ elu: 1, lagMs: 10_000 });
    expect(c.share).toBe(1);
    expect(admitted(c, 100)).toBe(100);
  });
});
