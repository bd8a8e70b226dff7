/**
 * Switches that make the next N API calls fail the way Genesys fails under load (429 with
 * `Retry-After`) or during an incident (5xx). They apply before routing, to Genesys paths only:
 * the dev API under `/emulator/` is never affected, so a test can always turn them off again.
 */

export type InjectedFault = { kind: 'rate-limit'; retryAfterSeconds: number } | { kind: 'server-error'; status: number };

interface Switch {
  remaining: number;
  pathPrefix: string;
}

/** Body codes Genesys uses for these statuses (API error shape). */
const SERVER_ERROR_CODES: Record<number, { code: string; message: string }> = {
  500: { code: 'internal.server.error', message: 'The server encountered an unexpected condition which prevented it from fulfilling the request.' },
  502: { code: 'bad.gateway', message: 'The server, while acting as a gateway or proxy, received an invalid response from an upstream server.' },
  503: { code: 'service.unavailable', message: 'Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).' },
  504: { code: 'gateway.timeout', message: 'The request timed out.' },
};

export function serverErrorBody(status: number): { message: string; code: string; status: number } {
  const known = SERVER_ERROR_CODES[status] ?? { code: 'server.error', message: `Server error ${status} (injected by the emulator).` };
  return { ...known, status };
}

export const DEV_API_PREFIX = '/emulator/';

export class FaultSwitches {
  private rateLimit: (Switch & { retryAfterSeconds: number }) | undefined;
  private failure: (Switch & { status: number }) | undefined;

  /** The next `count` requests under `pathPrefix` get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds = 1, pathPrefix = '/'): void {
    checkCount(count);
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) throw new RangeError('retryAfterSeconds must be a non-negative integer');
    this.rateLimit = count === 0 ? undefined : { remaining: count, retryAfterSeconds, pathPrefix };
  }

  /** The next `count` requests under `pathPrefix` get `status` (5xx) with a Genesys error body. */
  failNext(count: number, status = 503, pathPrefix = '/api/'): void {
    checkCount(count);
    if (!Number.isInteger(status) || status < 500 || status > 599) throw new RangeError('status must be a 5xx status code');
    this.failure = count === 0 ? undefined : { remaining: count, status, pathPrefix };
  }

  /** Consumes one fault for this path, if a switch is on for it. Rate limiting wins over failures. */
  take(path: string): InjectedFault | undefined {
    if (path.startsWith(DEV_API_PREFIX)) return undefined;
    const rl = this.rateLimit;
    if (rl && path.startsWith(rl.pathPrefix)) {
      if (--rl.remaining <= 0) this.rateLimit = undefined;
      return { kind: 'rate-limit', retryAfterSeconds: rl.retryAfterSeconds };
    }
    const f = this.failure;
    if (f && path.startsWith(f.pathPrefix)) {
      if (--f.remaining <= 0) this.failure = undefined;
      return { kind: 'server-error', status: f.status };
    }
    return undefined;
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
}
