import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_ERROR_STATUS, GatewayError, type GatewayErrorCode } from '@app/errors';
import { ChannelBusyError } from '@app/channels';
import { GenesysNotConnectedError } from '@app/genesys-api';
import { GenesysOAuthError, OAuthStateError, ReauthorizationRequiredError } from '@app/genesys-oauth';
import { isWebhookPath, matchedRoute } from '../matched-route.js';

/** An error as Genesys reads it on a webhook: a failed bot response. */
export function webhookErrorBody(err: GatewayError): Record<string, unknown> {
  return { botState: 'Failed', replyMessages: [], errorInfo: { errorCode: err.code, errorMessage: err.message }, ...(err.details ? { details: err.details } : {}) };
}

/** Genesys OAuth failures on admin routes; messages carry no token, code or secret. */
function fromOAuthError(e: unknown): GatewayError | undefined {
  if (e instanceof GenesysOAuthError) {
    if (e.transient) return new GatewayError('unavailable', e.message, undefined, e.details.retryAfterMs ? Math.ceil(e.details.retryAfterMs / 1000) : undefined);
    return new GatewayError(e.code === 'invalid_client' || e.code === 'unauthorized_client' ? 'forbidden' : 'invalid_request', e.message);
  }
  if (e instanceof OAuthStateError) return new GatewayError('invalid_request', e.message);
  if (e instanceof ReauthorizationRequiredError) return new GatewayError('forbidden', e.message);
  // The channel's OAuth setup does not allow calling Genesys from here: fix the channel, then retry.
  if (e instanceof GenesysNotConnectedError) return new GatewayError('conflict', e.message);
  if (e instanceof ChannelBusyError) return new GatewayError('conflict', e.message, undefined, 1);
  return undefined;
}

/** Fastify's own errors (body parsing, limits) carry a status and a code; map the ones clients cause. */
function fromFrameworkError(e: { statusCode?: number; code?: string; message?: string }): GatewayError | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('payload_too_large', 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError('unsupported_media_type', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('invalid_request', 'request body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('invalid_request', 'Content-Length does not match the body');
  }
  if (e.statusCode === 400) return new GatewayError('invalid_request', 'request body is not valid JSON');
  if (e.statusCode === 413) return new GatewayError('payload_too_large', 'request body too large');
  if (e.statusCode === 415) return new GatewayError('unsupported_media_type', 'Content-Type must be application/json');
  return undefined;
}

const HTTP_STATUS_CODE: Record<number, GatewayErrorCode> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'unavailable',
};

/**
 * The one place errors become HTTP. Webhook routes answer in the Bot Connector shape
 * (`botState: Failed` + `errorInfo`), so Genesys takes the failure path with a readable reason;
 * other routes get `{ error }`. Unknown errors become a 500 with an id, never a stack trace.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();

    let err: GatewayError;
    const oauthErr = fromOAuthError(exception);
    if (exception instanceof GatewayError) err = exception;
    else if (oauthErr) err = oauthErr;
    else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      err = new GatewayError(HTTP_STATUS_CODE[status] ?? (status >= 500 ? 'internal' : 'invalid_request'), status === 404 ? 'not found' : exception.message);
    } else {
      const mapped = exception && typeof exception === 'object' ? fromFrameworkError(exception as { statusCode?: number; code?: string }) : undefined;
      if (mapped) err = mapped;
      else {
        const id = randomUUID();
        this.logger.error({ errorId: id, error: exception instanceof Error ? { type: exception.name, message: exception.message, stack: exception.stack } : String(exception), path: matchedRoute(req) }, 'unhandled error');
        err = new GatewayError('internal', `internal error (id ${id})`);
      }
    }

    const status = GATEWAY_ERROR_STATUS[err.code];
    if (err.retryAfterSeconds) void reply.header('retry-after', String(err.retryAfterSeconds));
    const body = isWebhookPath(matchedRoute(req)) ? webhookErrorBody(err) : { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
  }
}
