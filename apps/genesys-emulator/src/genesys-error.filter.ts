import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { apiErrorBody } from './api-errors.js';

/** Codes Genesys uses for framework-level failures (unknown route, unreadable body, …). */
const CODES: Record<number, string> = {
  400: 'bad.request',
  404: 'not.found',
  405: 'method.not.allowed',
  413: 'request.entity.too.large',
  415: 'unsupported.media.type',
};

/**
 * Errors raised before a controller runs (no route, body that is not JSON, body too large) in
 * Genesys's API error shape, so clients parse one shape whatever failed.
 */
@Catch()
export class GenesysErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = exception instanceof HttpException ? exception.getStatus() : ((exception as { statusCode?: number }).statusCode ?? 500);
    const message = exception instanceof Error ? exception.message : 'Internal error';
    const code = CODES[status] ?? (status >= 500 ? 'internal.server.error' : 'bad.request');
    reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(apiErrorBody(status, code, message)));
  }
}
