/**
 * The admission rule of the load shedder, apart from the clocks that feed it, so that it can be
 * reasoned about and tested on its own.
 *
 * Why a fraction and not an on/off switch: an on/off shedder driven by a lagging signal swings
 * between refusing almost everything and almost nothing (the 2026-11 R5 runs: 97% then 2% shed in
 * consecutive seconds), and every swing into "admit all" refills the event loop with work that
 * delays the next refusals. Here the share of new turns admitted falls fast (multiplicatively)
 * while the loop is hot and comes back slowly (additively) once it cools, the AIMD rule TCP uses
 * for the same problem: find the rate a shared resource can take without a queue forming.
 */
export interface LoadSample {
  /** Event-loop utilisation over the last tick, 0–1 (`performance.eventLoopUtilization`). */
  elu: number;
  /** How late the last tick fired, ms: the wait any new request had before it could be looked at. */
  lagMs: number;
}

export interface AdmissionLimits {
  /** Utilisation at which the admitted share is cut; 0 turns this signal off. */
  eluHigh: number;
  /** Lag at which the admitted share is cut; 0 turns this signal off. */
  lagMs: number;
}

/** Never below: a trickle keeps being admitted, so a cooled loop is noticed and served. */
export const MIN_ADMIT_SHARE = 0.05;
const CUT = 0.7;
const RECOVER_STEP = 0.05;
/** Below eluHigh by this much the loop has room again; in between the share holds. */
const RECOVER_BELOW = 0.1;

export class AdmissionController {
  private admitShare = 1;
  /** Deterministic thinning: admits exactly `share` of requests, without a random generator's bursts. */
  private credit = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  get share(): number {
    return this.admitShare;
  }

  /** Folds one tick's measurements into the admitted share. */
  observe(s: LoadSample): void {
    const hotByElu = this.limits.eluHigh > 0 && s.elu >= this.limits.eluHigh;
    const hotByLag = this.limits.lagMs > 0 && s.lagMs >= this.limits.lagMs;
    if (hotByElu || hotByLag) {
      this.admitShare = Math.max(MIN_ADMIT_SHARE, this.admitShare * CUT);
    } else if (this.limits.eluHigh <= 0 || s.elu < this.limits.eluHigh - RECOVER_BELOW) {
      this.admitShare = Math.min(1, this.admitShare + RECOVER_STEP);
    }
  }

  /** Whether the next new turn may come in. */
  admit(): boolean {
    if (this.admitShare >= 1) return true;
    this.credit += this.admitShare;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }
}
