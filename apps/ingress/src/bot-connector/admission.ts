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
  /** Smoothed utilisation at which the admitted share is cut; 0 turns this signal off. */
  eluHigh: number;
  /** Lag at which the admitted share is cut; 0 turns this signal off. */
  lagMs: number;
}

/** Never below: a trickle keeps being admitted, so a cooled loop is noticed and served. */
export const MIN_ADMIT_SHARE = 0.05;
/**
 * Cuts per tick: a lag over the limit cuts by the ratio limit/lag, between CUT_LAG_DEEP and
 * CUT_LAG_GENTLE (the further over, the more work is queued in front of new requests); a
 * utilisation over its limit alone cuts gently, since it is a forecast, not yet harm.
 */
const CUT_LAG_GENTLE = 0.7;
const CUT_LAG_DEEP = 0.3;
const CUT_ELU = 0.9;
const RECOVER_STEP = 0.05;
/** Below eluHigh by this much the loop has room again; in between the share holds. */
const RECOVER_BELOW = 0.1;
/**
 * Weight of the newest tick in the smoothed utilisation. One 20 ms tick of a loop sharing a busy
 * box reads anywhere from 0.6 to 1.0 at loads it serves with little lag (measured at 1,000
 * turns/s on 2 cores); only a sustained high utilisation is saturation.
 */
const ELU_WEIGHT = 0.2;

export class AdmissionController {
  private admitShare = 1;
  private elu = 0;
  /** Deterministic thinning: admits exactly `share` of requests, without a random generator's bursts. */
  private credit = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  get share(): number {
    return this.admitShare;
  }

  /** Folds one tick's measurements into the admitted share. */
  observe(s: LoadSample): void {
    this.elu += ELU_WEIGHT * (s.elu - this.elu);
    const { eluHigh, lagMs } = this.limits;
    const hotByLag = lagMs > 0 && s.lagMs >= lagMs;
    const hotByElu = eluHigh > 0 && this.elu >= eluHigh;
    if (hotByLag || hotByElu) {
      const cut = hotByLag ? Math.min(CUT_LAG_GENTLE, Math.max(CUT_LAG_DEEP, lagMs / s.lagMs)) : CUT_ELU;
      this.admitShare = Math.max(MIN_ADMIT_SHARE, this.admitShare * cut);
    } else if ((eluHigh <= 0 || this.elu < eluHigh - RECOVER_BELOW) && (lagMs <= 0 || s.lagMs < lagMs / 2)) {
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
