import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { redactLogArgs } from '@app/privacy';
import { prettyDestination, type LogFormat } from './log-format.js';

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

/** `format` defaults to JSON (see resolveLogFormat for who picks pretty); `colour` applies to pretty lines only. */
export function createRootLogger(opts: { level: string; app: string; format?: LogFormat; colour?: boolean }): PinoLogger {
  const options: LoggerOptions<never> = {
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
  };
  if (opts.format !== 'pretty') return pino(options);
  return pino(options, prettyDestination(process.stdout, { colour: opts.colour === true }));
}

/**
 * Nest's start-up lines (one per module, route and controller: some 70 before the banner) say
 * nothing a developer acts on; they stay available at debug.
 */
const BOOTSTRAP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Lets Nest's own `Logger` calls (framework and ours) go out as the same JSON lines. Kept over
 * nestjs-pino, which would swap this adapter for two dependencies (it and pino-http), an access
 * line per webhook on the hot path, stack traces in error lines, and request-scoped ids that stop
 * at the queue, while a turn's ids (Genesys's inin-correlation-id among them) already travel in
 * the job to the worker and are logged from there.
 */
export class PinoNestLogger implements LoggerService {
  /** `quietBootstrap`: Nest's start-up lines go out at debug instead of info (development). */
  constructor(
    private readonly root: PinoLogger,
    private readonly opts: { quietBootstrap?: boolean } = {},
  ) {}

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
    const context = params.at(-1);
    this.write(this.opts.quietBootstrap && typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
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
