import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { HttpService } from '@nestjs/axios';
import type { Models } from 'purecloud-platform-client-v2';
import type { ReplyMessage } from '@app/genesys';
import { genesysOrigin, parseRetryAfter } from '@app/genesys-oauth/genesys-oauth.client.js';
import { GenesysApiError } from './genesys-api.errors.js';
import { GenesysSpanNames, SpanKind, inSpan, markSpanFailed, tracingOn, type Context, type GenesysSpanName } from '@app/observability';

/** Where the client gets its bearer token; the factory binds it to one channel's token store entry. */
export interface GenesysTokenProvider {
  getAccessToken(): Promise<string>;
  /** Called once after a 401 with the token Genesys refused; returns the token to retry with. */
  refreshAfterUnauthorized(rejected: string): Promise<string>;
}

/** Pino- and Nest-Logger-compatible; the client writes method, path, status and codes only. */
export interface GenesysApiLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface GenesysApiClientOptions {
  /** `https://api.{env}` or an override (the emulator); reduced to its origin. */
  apiBaseUrl: string;
  tokens: GenesysTokenProvider;
  /** Nest's HttpService (its axios instance is used) or a plain axios instance; one is created otherwise. */
  http?: HttpService | AxiosInstance;
  /** Wall-clock limit per attempt; default 10 s. */
  timeoutMs?: number;
  /** Attempts for 429, 5xx and network failures (the one retry after a 401 refresh is extra); default 4. */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for: the call fails at once; default 30 s. */
  maxRetryAfterMs?: number;
  /** First backoff step; doubled per retry, with full jitter; default 200 ms. */
  backoffBaseMs?: number;
  /** Largest backoff step; default 5 s. */
  backoffCapMs?: number;
  /**
   * Retry POSTs after failures that leave their outcome unknown (timeouts, resets, 500/502/504)
   * like other requests. Off by default: a retried outgoing or agentless message may reach the
   * customer twice.
   */
  retryNonIdempotent?: boolean;
  logger?: GenesysApiLogger;
  /** Sent as `ININ-Correlation-Id` and put on every log line and error. */
  correlationId?: string;
  /** The span the calls belong to (tracing on): each HTTP attempt gets a client span under it; without one, none. */
  traceContext?: Context;
}

/** The `errorInfo` of an outgoing message, in either key spelling. */
export interface ErrorInfoInput {
  code?: string;
  message?: string;
  errorCode?: string;
  errorMessage?: string;
}

/** `errorInfo` as sent: all four keys, because spec and SDK disagree on the names (reference §3.5, §10.8). */
export interface SerializedErrorInfo {
  code: string;
  message: string;
  errorCode: string;
  errorMessage: string;
}

/** Body of `POST /api/v2/integrations/botconnectors/outgoing/messages`; replies may be our own ReplyMessage type. */
export type OutgoingMessageBody = Omit<Models.OutgoingMessageRequest, 'replyMessages' | 'errorInfo'> & {
  replyMessages?: Array<Models.ReplyMessage | ReplyMessage>;
  errorInfo?: ErrorInfoInput;
};

export function serializeErrorInfo(info: ErrorInfoInput): SerializedErrorInfo {
  const code = info.code ?? info.errorCode ?? '';
  const message = info.message ?? info.errorMessage ?? '';
  return { code, message, errorCode: code, errorMessage: message };
}

/** The source ranges Genesys calls a Bot Connector webhook from (reference §2.1). */
export function botConnectorIpRanges(listing: Models.IpAddressRangeListing): Models.IpAddressRange[] {
  return (listing.entities ?? []).filter((r) => r.service === 'bot-connector' && typeof r.cidr === 'string');
}

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH';

const MAX_PATH_PARAM_LENGTH = 200;
const MAX_ERROR_MESSAGE_LENGTH = 300;
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Connection never made: the request cannot have reached Genesys, so even a POST may be resent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface Failure {
  status: number;
  code: string;
  message: string;
  transient: boolean;
  /** Whether another attempt may be made at all (budget aside). */
  retryable: boolean;
  delayMs: number;
  retryAfterMs?: number;
  contextId?: string;
  outcomeUnknown?: boolean;
}

/**
 * Thin client for the Genesys Platform API calls the gateway makes, for one channel. Every status
 * is handled here (`validateStatus: always`, errors rebuilt without `cause`), because an axios
 * error carries the request headers, and with them the bearer token.
 */
export class GenesysApiClient {
  readonly apiBaseUrl: string;
  private readonly apiHost: string;
  private readonly http: AxiosInstance;
  private readonly tokens: GenesysTokenProvider;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly retryNonIdempotent: boolean;
  private readonly logger?: GenesysApiLogger;
  readonly correlationId?: string;
  private readonly traceContext?: Context;

  constructor(options: GenesysApiClientOptions) {
    this.apiBaseUrl = apiOrigin(options.apiBaseUrl);
    this.apiHost = new URL(this.apiBaseUrl).hostname;
    this.tokens = options.tokens;
    this.http = !options.http ? axios.create() : 'axiosRef' in options.http ? options.http.axiosRef : options.http;
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 10_000);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 4);
    this.maxRetryAfterMs = nonNegative('maxRetryAfterMs', options.maxRetryAfterMs ?? 30_000);
    this.backoffBaseMs = nonNegative('backoffBaseMs', options.backoffBaseMs ?? 200);
    this.backoffCapMs = nonNegative('backoffCapMs', options.backoffCapMs ?? 5_000);
    this.retryNonIdempotent = options.retryNonIdempotent ?? false;
    this.logger = options.logger;
    this.correlationId = options.correlationId;
    this.traceContext = options.traceContext;
  }

  /** Replaces the integration's whole bot list; Genesys answers 204. */
  async putBotList(integrationId: string, body: Models.BotList): Promise<void> {
    await this.request(GenesysSpanNames.putBotList, 'PUT', `/api/v2/integrations/botconnector/${encodePathParam('integrationId', integrationId)}/bots`, body);
  }

  async getBotList(integrationId: string): Promise<Models.BotList> {
    return this.requestObject<Models.BotList>(GenesysSpanNames.getBotList, 'GET', `/api/v2/integrations/botconnector/${encodePathParam('integrationId', integrationId)}/bots`);
  }

  /** Digital Bot Connector outgoing message; `errorInfo` is sent with both key spellings. */
  async sendOutgoingMessage(body: OutgoingMessageBody): Promise<{ messageId: string | undefined }> {
    const wire = body.errorInfo ? { ...body, errorInfo: serializeErrorInfo(body.errorInfo) } : body;
    // The message is out once Genesys answered 2xx; a missing id must not turn that into a failure.
    const data = await this.request(GenesysSpanNames.outgoingMessage, 'POST', '/api/v2/integrations/botconnectors/outgoing/messages', wire);
    const messageId = isObject(data) && typeof data.messageId === 'string' ? data.messageId : undefined;
    return { messageId };
  }

  async getMessageConversation(conversationId: string): Promise<Models.MessageConversation> {
    return this.requestObject<Models.MessageConversation>(GenesysSpanNames.getConversation, 'GET', `/api/v2/conversations/messages/${encodePathParam('conversationId', conversationId)}`);
  }

  async patchParticipantAttributes(conversationId: string, participantId: string, attributes: Record<string, string>): Promise<Models.ParticipantAttributes> {
    for (const [k, v] of Object.entries(attributes)) {
      // Genesys stores participant data as strings only; anything else is refused or mangled.
      if (!k || typeof v !== 'string') throw new TypeError('participant attributes must map non-empty names to string values');
    }
    const path = `/api/v2/conversations/messages/${encodePathParam('conversationId', conversationId)}/participants/${encodePathParam('participantId', participantId)}/attributes`;
    const data = await this.request(GenesysSpanNames.participantAttributes, 'PATCH', path, { attributes });
    return isObject(data) ? (data as Models.ParticipantAttributes) : {};
  }

  async getIpRanges(): Promise<Models.IpAddressRangeListing> {
    return this.requestObject<Models.IpAddressRangeListing>(GenesysSpanNames.ipRanges, 'GET', '/api/v2/ipranges');
  }

  async sendAgentlessMessage(body: Models.SendAgentlessOutboundMessageRequest): Promise<Models.SendAgentlessOutboundMessageResponse> {
    const data = await this.request(GenesysSpanNames.agentlessMessage, 'POST', '/api/v2/conversations/messages/agentless', body);
    return isObject(data) ? (data as Models.SendAgentlessOutboundMessageResponse) : {};
  }

  private async requestObject<T>(op: GenesysSpanName, method: Method, path: string, body?: unknown): Promise<T> {
    const data = await this.request(op, method, path, body);
    if (!isObject(data)) {
      throw new GenesysApiError({ status: 200, code: 'bad_response', message: `Genesys answered ${method} ${path} without a JSON object.`, method, path, transient: false, attempts: 1, correlationId: this.correlationId });
    }
    return data as T;
  }

  // Not cockatiel's retry: the 401 refresh sits outside the budget and each failure's log line carries the delay chosen for it, so a policy would only wrap the sleep.
  private async request(op: GenesysSpanName, method: Method, path: string, body?: unknown): Promise<unknown> {
    const idempotent = method !== 'POST' || this.retryNonIdempotent;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let token = await this.tokens.getAccessToken();
    let refreshed = false;
    let sent = 0;
    let retries = 0;
    for (;;) {
      sent++;
      const outcome = await this.tracedAttempt(op, method, path, payload, token, sent);
      if ('data' in outcome) return outcome.data;
      const f = this.classify(outcome, method, idempotent, retries + 1, token);
      // The retry after a refresh is not part of the budget: it repairs our token, not Genesys.
      const budgetLeft = sent - (refreshed ? 1 : 0) < this.maxAttempts;
      const refresh = f.status === 401 && !refreshed;
      const retry = refresh || (f.retryable && budgetLeft);
      this.logger?.warn(
        { method, path, status: f.status, code: f.code, attempt: sent, correlationId: this.correlationId, ...(retry ? { retryInMs: refresh ? 0 : f.delayMs } : {}) },
        retry ? 'genesys api call failed; retrying' : 'genesys api call failed',
      );
      if (!retry) {
        throw new GenesysApiError({
          status: f.status,
          code: f.code,
          message: f.message,
          method,
          path,
          transient: f.transient,
          attempts: sent,
          retryAfterMs: f.retryAfterMs,
          correlationId: this.correlationId,
          contextId: f.contextId,
          outcomeUnknown: f.outcomeUnknown,
        });
      }
      if (refresh) {
        refreshed = true;
        token = await this.tokens.refreshAfterUnauthorized(token);
        continue;
      }
      retries++;
      await sleep(f.delayMs);
    }
  }

  /**
   * A client span per HTTP attempt, named for the operation (GenesysSpanNames). Its attributes are
   * the method, host and status; never the path, which holds conversation ids, or the body.
   */
  private tracedAttempt(op: GenesysSpanName, method: Method, path: string, payload: string | undefined, token: string, attempt: number): ReturnType<GenesysApiClient['attempt']> {
    // A call outside any traced work (IP range refresh, a publish) would only start stray traces.
    if (!tracingOn() || !this.traceContext) return this.attempt(method, path, payload, token);
    const attributes = { 'http.request.method': method, 'server.address': this.apiHost, 'http.request.resend_count': attempt - 1 };
    return inSpan(op, { kind: SpanKind.CLIENT, parent: this.traceContext, attributes }, async (span) => {
      const outcome = await this.attempt(method, path, payload, token);
      if ('networkCode' in outcome) markSpanFailed(span, outcome.networkCode);
      else if ('res' in outcome) {
        span?.setAttribute('http.response.status_code', outcome.res.status);
        markSpanFailed(span, String(outcome.res.status));
      } else span?.setAttribute('http.response.status_code', 200);
      return outcome;
    });
  }

  private async attempt(
    method: Method,
    path: string,
    payload: string | undefined,
    token: string,
  ): Promise<{ data: unknown } | { res: AxiosResponse<string> } | { networkCode: string }> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    };
    if (this.correlationId) headers['ININ-Correlation-Id'] = this.correlationId;
    let res: AxiosResponse<string>;
    try {
      res = await this.http.request<string>({
        method,
        url: this.apiBaseUrl + path,
        data: payload,
        headers,
        // `timeout` is an idle timer; the signal bounds a server that trickles bytes too.
        timeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
        // Following a redirect would hand the bearer token to wherever Genesys (or a proxy) points.
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
      });
    } catch (e) {
      // Only the code survives: the error object holds the request config, headers included.
      const err = e as { code?: unknown; cause?: { code?: unknown } };
      const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : 'UNKNOWN';
      return { networkCode: code };
    }
    if (res.status >= 200 && res.status < 300) {
      const text = typeof res.data === 'string' ? res.data : '';
      if (!text.trim()) return { data: undefined };
      try {
        return { data: JSON.parse(text) as unknown };
      } catch {
        return { res };
      }
    }
    return { res };
  }

  private classify(outcome: { res: AxiosResponse<string> } | { networkCode: string }, method: Method, idempotent: boolean, retryNo: number, token: string): Failure {
    const backoff = this.backoff(retryNo);
    if ('networkCode' in outcome) {
      const c = outcome.networkCode;
      const timedOut = c === 'ECONNABORTED' || c === 'ETIMEDOUT' || c === 'ERR_CANCELED' || c === 'TimeoutError' || c === 'ABORT_ERR';
      const notSent = NOT_SENT_CODES.has(c);
      const safe = idempotent || notSent;
      return {
        status: 0,
        code: timedOut ? 'timeout' : 'network_error',
        message: timedOut ? `Genesys did not answer within ${this.timeoutMs} ms.` : `Could not reach Genesys (${c}).`,
        transient: true,
        retryable: safe,
        delayMs: backoff,
        outcomeUnknown: !safe,
      };
    }
    const { res } = outcome;
    const status = res.status;
    const body = parseBody(res.data);
    const contextId = typeof body?.contextId === 'string' ? body.contextId : undefined;
    const genesysMessage = typeof body?.message === 'string' && body.message.trim() ? body.message : undefined;
    const code = typeof body?.code === 'string' && body.code ? body.code : status >= 200 && status < 300 ? 'bad_response' : status >= 300 && status < 400 ? 'redirect_refused' : `http_${status}`;
    const message = scrub(genesysMessage ?? `Genesys answered ${method} with HTTP ${status}.`, token);
    if (status >= 200 && status < 300) {
      return { status, code: 'bad_response', message: `Genesys answered ${method} with HTTP ${status} and a body that is not JSON.`, transient: false, retryable: false, delayMs: 0 };
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      return { status, code, message, transient: true, retryable: retryAfterMs <= this.maxRetryAfterMs, delayMs: retryAfterMs, retryAfterMs, contextId };
    }
    if (status >= 500) {
      // 503 means the request was turned away before it was worked on; other 5xx may have acted.
      const safe = idempotent || status === 503;
      const header = res.headers['retry-after'];
      const hinted = header === undefined ? 0 : parseRetryAfter(header);
      const delayMs = hinted > 0 && hinted <= this.maxRetryAfterMs ? Math.max(backoff, hinted) : backoff;
      return { status, code, message, transient: true, retryable: safe, delayMs, contextId, outcomeUnknown: !safe };
    }
    return { status, code, message, transient: false, retryable: false, delayMs: 0, contextId };
  }

  /** Exponential with full jitter: spreads the retries of many workers hit by the same outage. */
  private backoff(retryNo: number): number {
    const ceiling = Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** Math.max(0, retryNo - 1));
    return Math.floor(Math.random() * ceiling);
  }
}

function parseBody(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string' || !text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A Genesys message is shown to admins and logged; a proxy echoing our headers must not leak the token. */
function scrub(message: string, token: string): string {
  const clean = token.length >= 8 ? message.split(token).join('[redacted]') : message;
  const trimmed = clean.trim();
  return trimmed.length > MAX_ERROR_MESSAGE_LENGTH ? `${trimmed.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : trimmed;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * One encoded path segment. `.` and `..` are refused because URL resolution would turn them
 * into a different endpoint; the value itself is never echoed (it may come from a webhook).
 */
export function encodePathParam(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  if (value.length > MAX_PATH_PARAM_LENGTH) throw new TypeError(`${name} is longer than ${MAX_PATH_PARAM_LENGTH} characters`);
  if (value === '.' || value === '..') throw new TypeError(`${name} must not be "." or ".."`);
  return encodeURIComponent(value);
}

const apiOrigin = (u: string) => genesysOrigin(u, 'Genesys API base URL');

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 1) throw new RangeError(`${name} must be at least 1`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must not be negative`);
  return v;
}
