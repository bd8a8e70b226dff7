import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as PinoLogger } from 'pino';
import { redactLogArgs } from '@app/privacy';

/**
 * Keys whose values never reach a log line, wherever they sit in a logged object. Tokens are
 * logged only as fingerprints (see genesys-jwt), so this is the second line of defence.
 */
const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'clientSecret',
  '*.clientSecret',
  'clientSecrets',
  '*.clientSecrets',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
];

export function createRootLogger(opts: { level: string; app: string }): PinoLogger {
  return pino({
    level: opts.level,
    base: { app: opts.app, pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Card numbers, IBANs, emails and phone numbers out of every line's message and free-text
    // fields, whoever logged them (libs/privacy: the last line of defence, not the first).
    hooks: {
      logMethod(args, method) {
        return method.apply(this, redactLogArgs(args) as Parameters<typeof method>);
      },
    },
  });
}

/**
 * Lets Nest's own `Logger` calls (framework and ours) go out as the same JSON lines. Kept over
 * nestjs-pino, which would swap this adapter for two dependencies (it and pino-http), an access
 * line per webhook on the hot path, stack traces in error lines, and request-scoped ids that stop
 * at the queue, while a turn's ids (Genesys's inin-correlation-id among them) already travel in
 * the job to the worker and are logged from there.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    // Nest passes the context (class name) as the last string argument.
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    // `logger.warn({ fields }, 'text')`: the first remaining string is the message.
    let text: string | undefined;
    for (const p of params) {
      if (typeof p === 'string' && text === undefined) text = p;
      else if (p && typeof p === 'object' && !(p instanceof Error)) Object.assign(fields, p);
      else if (p instanceof Error) fields.error = { type: p.name, message: p.message };
    }
    if (message instanceof Error) {
      fields.error = { type: message.name, message: message.message };
      this.root[level](fields, text ?? message.message);
    } else if (message && typeof message === 'object') {
      this.root[level]({ ...fields, ...(message as object) }, text);
    } else {
      this.root[level](fields, text === undefined ? String(message) : `${String(message)} ${text}`);
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
}
