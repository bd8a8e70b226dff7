import { randomUUID } from 'node:crypto';
import { json, type EmulatorResponse } from './emulator-response.js';

/**
 * Genesys Platform API error shapes. Every API error body is `{message, code, status}` plus a
 * `contextId` (the id support asks for) and, for validation errors, `details[]`. The OAuth host
 * uses the RFC 6749 shape instead; that lives in genesys-cloud-emulator.ts.
 */

export interface ApiErrorDetail {
  /** Machine-readable reason, e.g. `required`, `max.length`, `duplicate`. */
  errorCode: string;
  /** Path of the offending field in the request body, e.g. `chatBots[0].versions[1].intents[3].name`. */
  fieldName: string;
  errorMessage: string;
}

export interface ApiErrorBody {
  message: string;
  code: string;
  status: number;
  contextId?: string;
  details?: ApiErrorDetail[];
}

export function apiErrorBody(status: number, code: string, message: string, details?: ApiErrorDetail[]): ApiErrorBody {
  return { message, code, status, contextId: randomUUID(), ...(details?.length ? { details } : {}) };
}

export function apiError(status: number, code: string, message: string, details?: ApiErrorDetail[]): EmulatorResponse {
  return json(status, apiErrorBody(status, code, message, details));
}

/** What Genesys answers to a missing, unknown or expired bearer token. */
export function badCredentials(): EmulatorResponse {
  return apiError(401, 'bad.credentials', 'Invalid login credentials.');
}

export function notFound(message: string): EmulatorResponse {
  return apiError(404, 'not.found', message);
}

/** A 400 whose message names the first problem, so a log line alone is enough to fix the request. */
export function badRequest(what: string, details: ApiErrorDetail[]): EmulatorResponse {
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
  const message = first ? `${what}: ${first.fieldName ? `${first.fieldName}: ` : ''}${first.errorMessage}${more}` : what;
  return apiError(400, 'bad.request', message, details);
}

/** Error thrown by logic classes for the dev API (`/emulator/*`); the controller turns it into JSON. */
export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ApiErrorDetail[],
  ) {
    super(message);
    this.name = 'EmulatorHttpError';
  }

  toResponse(): EmulatorResponse {
    return json(this.status, { message: this.message, code: this.code, status: this.status, ...(this.details?.length ? { details: this.details } : {}) });
  }
}

/** Collects validation problems with their field paths. */
export class Problems {
  readonly list: ApiErrorDetail[] = [];

  add(fieldName: string, errorCode: string, errorMessage: string): void {
    this.list.push({ errorCode, fieldName, errorMessage });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string map (`{[k]: string}`), the only shape Genesys accepts for parameters and participant attributes. */
export function checkStringMap(value: unknown, at: string, problems: Problems): value is Record<string, string> {
  if (!isRecord(value)) {
    problems.add(at, 'invalid.type', 'must be an object of string values');
    return false;
  }
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      problems.add(`${at}.${k}`, 'invalid.type', `must be a string, got ${v === null ? 'null' : typeof v}`);
      ok = false;
    }
  }
  return ok;
}
