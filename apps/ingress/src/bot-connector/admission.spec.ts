import { AdmissionController, MIN_ADMIT_SHARE } from './admission.js';

const admitted = (c: AdmissionController, n: number) => Array.from({ length: n }, () => c.admit()).filter(Boolean).length;

describe('AdmissionController', () => {
  it('admits everything while the loop has room', () => {
    const c = new AdmissionController({ eluHigh: 0.9, lagMs: 40 });
    for (let i = 0; i < 20; i++) c.observe({ elu: 0.85, lagMs: 5 });
    expect(c.share).toBe(1);
    expect(admitted(c, 1000)).toBe(1000);
  });

  it('cuts the admitted share fast while the loop is hot, by utilisation or by lag, down to a floor', () => {
    const byElu = new AdmissionController({ eluHigh: 0.9, lagMs: 40 });
    byElu.observe({ elu: 0.95, lagMs: 0 });
    expect(byElu.share).toBeCloseTo(0.7);
    const byLag = new AdmissionController({ eluHigh: 0.9, lagMs: 40 });
    byLag.observe({ elu: 0.5, lagMs: 45 });
    expect(byLag.share).toBeCloseTo(0.7);
    for (let i = 0; i < 50; i++) byElu.observe({ elu: 1, lagMs: 200 });
    expect(byElu.share).toBe(MIN_ADMIT_SHARE);
    // The floor still lets a trickle through: that is how a cooled loop gets work again.
    expect(admitted(byElu, 1000)).toBe(50);
  });

  it('admits exactly its share, spread out rather than in bursts', () => {
    const c = new AdmissionController({ eluHigh: 0.9, lagMs: 0 });
    c.observe({ elu: 1, lagMs: 0 });
    c.observe({ elu: 1, lagMs: 0 }); // 0.49
    const decisions = Array.from({ length: 100 }, () => c.admit());
    expect(Math.abs(decisions.filter(Boolean).length - 49)).toBeLessThanOrEqual(1);
    // Never three refusals in a row at about one in two: no window refuses everything.
    expect(decisions.map((d) => (d ? 'a' : 'r')).join('')).not.toContain('rrr');
  });

  it('comes back slowly once the loop cools, and holds in the band just below the limit', () => {
    const c = new AdmissionController({ eluHigh: 0.9, lagMs: 40 });
    for (let i = 0; i < 50; i++) c.observe({ elu: 1, lagMs: 0 });
    c.observe({ elu: 0.85, lagMs: 0 });
    expect(c.share).toBe(MIN_ADMIT_SHARE); // within 0.1 of the limit: hold
    let ticks = 0;
    while (c.share < 1) {
      c.observe({ elu: 0.5, lagMs: 0 });
      ticks++;
    }
    // 0.05 → 1 in steps of 0.05: about a second at 50 ms ticks, so one quiet tick does not reopen the door.
    expect(ticks).toBe(19);
  });

  it('with both signals off, never refuses', () => {
    const c = new AdmissionController({ eluHigh: 0, lagMs: 0 });
    for (let i = 0; i < 10; i++) c.observe({ elu: 1, lagMs: 10_000 });
    expect(c.share).toBe(1);
    expect(admitted(c, 100)).toBe(100);
  });
});
