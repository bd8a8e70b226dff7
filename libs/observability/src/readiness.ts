import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthCheckService, HealthIndicatorFunction, HealthIndicatorResult } from '@nestjs/terminus';

export interface Readiness {
  httpStatus: 200 | 503;
  /** `checks` maps each check to ok, `ok (n)`, timeout, fail, or one of our own words (draining, none). */
  body: { status: 'ok' | 'unavailable'; checks: Record<string, string> };
}

/**
 * What a failed check may say to an unauthenticated prober: our own words only. A driver's error
 * text (hosts, ports, auth replies) stays out of the answer whatever an indicator lets through.
 */
const SAYABLE = new Set(['draining', 'none']);

function say(d: HealthIndicatorResult[string]): string {
  if (d.status === 'up') return typeof d.count === 'number' ? `ok (${d.count})` : 'ok';
  const message = String(d.message ?? '');
  if (message.startsWith('timeout')) return 'timeout';
  return SAYABLE.has(message) ? message : 'fail';
}

/**
 * Runs the checks on terminus and answers in the probe shape our docs and scripts read. terminus
 * reports a failure by throwing its 503, which our exception filter would flatten to a bare error.
 */
export async function readiness(health: HealthCheckService, checks: HealthIndicatorFunction[]): Promise<Readiness> {
  const result = await health.check(checks).catch((e: unknown) => {
    if (e instanceof ServiceUnavailableException) return e.getResponse() as HealthCheckResult;
    throw e;
  });
  const ok = result.status === 'ok';
  const said = Object.entries(result.details).map(([name, d]) => [name, say(d)]);
  return { httpStatus: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(said) } };
}
