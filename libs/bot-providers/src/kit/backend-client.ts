import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { BackendCredentialsError, PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import { checkBotUrl, guardedLookup } from '../http/network-guard.js';

export const BOT_PROVIDERS_OPTIONS = Symbol('BOT_PROVIDERS_OPTIONS');

export interface BotProvidersOptions {
  /** Allow http:// and loopback/private targets (BOT_PROVIDERS_ALLOW_PRIVATE): development and tests only. */
  allowPrivateNetworks: boolean;
}

/** A backend answer bigger than this is refused (bot-backends §0). */
export const MAX_BACKEND_RESPONSE_BYTES = 1024 * 1024;

export interface BackendRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string | URL;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is already a string or a Buffer. */
  body?: unknown;
  signal: AbortSignal;
  /** Deadline of this request; the provider's own budget, not Genesys's. */
  timeoutMs: number;
  /** Names the backend in errors ("Kore.ai"); never the URL, which may carry a token. */
  what: string;
}

export interface BackendResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Milliseconds from Retry-After, when the backend sent one. */
  retryAfterMs?: number;
}

/** The body as JSON; an unreadable body is the backend's permanent fault. */
export function jsonOf(res: BackendResponse, what: string): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new PermanentBotError(`${what} answered HTTP ${res.status} with a body that is not JSON`);
  }
}

/**
 * The usual reading of a status (bot-backends §0): 401/403 mean the configured credentials are
 * refused, 408/429/5xx are worth retrying, other non-2xx are permanent. Returns for 2xx.
 */
export function throwForStatus(res: BackendResponse, what: string): void {
  const s = res.status;
  if (s >= 200 && s < 300) return;
  if (s === 401 || s === 403) throw new BackendCredentialsError(`${what} refused the configured credentials (HTTP ${s})`);
  if (s === 408 || s === 429 || s >= 500) throw new TransientBotError(`${what} answered HTTP ${s}`, { retryAfterMs: res.retryAfterMs });
  throw new PermanentBotError(`${what} answered HTTP ${s}`);
}

function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * The one way a bot provider reaches its backend: the network guard checks the URL and the address
 * actually connected to (no redirects followed, no proxy from the environment), every request has
 * its own deadline and honours the turn's abort signal, answers are capped at 1 MiB, and failures
 * come out as TransientBotError / PermanentBotError whose messages name the backend, never the URL.
 */
@Injectable()
export class BackendClient {
  readonly allowPrivateNetworks: boolean;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(@Optional() @Inject(BOT_PROVIDERS_OPTIONS) options?: BotProvidersOptions) {
    this.allowPrivateNetworks = options?.allowPrivateNetworks ?? false;
    const lookup = guardedLookup(this.allowPrivateNetworks) as unknown as http.AgentOptions['lookup'];
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, lookup } as https.AgentOptions);
  }

  /**
   * Closes the pooled sockets (tests, benchmarks). Not a shutdown hook: a stopping worker finishes
   * its active turns, whose bot calls use these sockets, and idle keep-alive sockets are unref'd by
   * Node's agent, so they never hold a process open.
   */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Checks a configured URL (scheme, credentials, literal private addresses) before any connection. */
  url(raw: string, what: string): URL {
    try {
      return checkBotUrl(raw.trim(), this.allowPrivateNetworks);
    } catch (e) {
      throw new PermanentBotError(`${what}: ${(e as Error).message}`);
    }
  }

  request(req: BackendRequest): Promise<BackendResponse> {
    const url = typeof req.url === 'string' ? this.url(req.url, req.what) : req.url;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers ?? {})) if (!FORBIDDEN_HEADERS.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    let body: Buffer | undefined;
    if (req.body !== undefined) {
      body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(body.length);
    }
    headers.accept ??= 'application/json';
    const what = req.what;
    return new Promise<BackendResponse>((resolve, reject) => {
      if (req.signal.aborted) return reject(new TransientBotError(`${what} call cancelled: the turn's time ran out`));
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal.removeEventListener('abort', onAbort);
        fn();
      };
      const isHttps = url.protocol === 'https:';
      const request = (isHttps ? https : http).request(url, { method: req.method, headers, agent: isHttps ? this.httpsAgent : this.httpAgent });
      const fail = (e: Error) => finish(() => reject(e));
      const timer = setTimeout(() => {
        request.destroy();
        fail(new TransientBotError(`${what} did not answer within ${req.timeoutMs} ms`));
      }, Math.max(1, req.timeoutMs));
      const onAbort = () => {
        request.destroy();
        fail(new TransientBotError(`${what} call cancelled: the turn's time ran out`));
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EBLOCKED') return fail(new PermanentBotError(`${what}: the URL resolves to a private or reserved address`));
        fail(new TransientBotError(`${what} could not be reached (${e.code ?? 'network error'})`));
      });
      request.on('response', (res) => {
        const declared = Number(res.headers['content-length']);
        // Fail before destroying: destroying emits a connection error that must not win the race.
        if (declared > MAX_BACKEND_RESPONSE_BYTES) {
          fail(new PermanentBotError(`${what} answered more than ${MAX_BACKEND_RESPONSE_BYTES} bytes`));
          return void res.destroy();
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BACKEND_RESPONSE_BYTES) {
            fail(new PermanentBotError(`${what} answered more than ${MAX_BACKEND_RESPONSE_BYTES} bytes`));
            return void res.destroy();
          }
          chunks.push(chunk);
        });
        res.on('error', () => fail(new TransientBotError(`${what} closed the connection mid-answer`)));
        res.on('aborted', () => fail(new TransientBotError(`${what} closed the connection mid-answer`)));
        res.on('end', () =>
          finish(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
              retryAfterMs: retryAfter(res.headers['retry-after'] as string | undefined),
            }),
          ),
        );
      });
      request.end(body);
    });
  }

  /** request() + throwForStatus() + JSON: the common case. */
  async json(req: BackendRequest): Promise<unknown> {
    const res = await this.request(req);
    throwForStatus(res, req.what);
    return res.text.trim() === '' ? undefined : jsonOf(res, req.what);
  }
}
