import { setTimeout as sleep } from 'node:timers/promises';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { Models } from 'purecloud-platform-client-v2';
import { genesysHosts, normalizeGenesysEnvironment } from '@app/genesys/regions.js';
import { GenesysOAuthError, type GenesysOAuthErrorCode } from './genesys-oauth.errors.js';

/** The scopes a Bot Connector gateway asks its OAuth client for (reference §5.2). */
export const GATEWAY_OAUTH_SCOPES = ['architect', 'integrations', 'textbots'] as const;

/** Minimal pino-compatible logger; the client logs endpoints, statuses and error codes, never tokens. */
export interface OAuthLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface GenesysOAuthClientConfig {
  clientId: string;
  /**
   * When set, every token call authenticates with it (HTTP Basic), PKCE or not. Leave it out only
   * for a public client (no secret in Genesys): code exchange with PKCE, refresh with `client_id`.
   */
  clientSecret?: string;
  /** Region as an admin pastes it (`mypurecloud.ie`, `https://login.usw2.pure.cloud`, `eu-west-1`, …). */
  environment?: string;
  /**
   * Points everything at another server (the emulator): one URL for both hosts, or each host
   * separately. Wins over `environment`.
   */
  baseUrl?: string | { login: string; api: string };
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** How many times a 429 is retried after its Retry-After; default 1. */
  rateLimitRetries?: number;
  /** A Retry-After longer than this is not waited for (the call fails `rate_limited`); default 30 s. */
  maxRetryAfterMs?: number;
  /** Shown in logs to tie calls to a request or job. */
  correlationId?: string;
  logger?: OAuthLogger;
  /** Injected axios instance (tests, proxies); one is created otherwise. */
  http?: AxiosInstance;
}

/** A token endpoint answer, normalized. */
export interface OAuthTokens {
  accessToken: string;
  tokenType: string;
  /** Seconds, as Genesys sends it. */
  expiresIn: number;
  /** Absent for client credentials. */
  refreshToken?: string;
}

interface TokenEndpointBody {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * Talks to Genesys Cloud's OAuth endpoints (login host) and `GET /api/v2/tokens/me` (API host).
 * One instance per OAuth client configuration. Axios is used directly, with every status handled
 * here (`validateStatus: always`) so no axios error carrying the request body (secrets, codes)
 * ever escapes to a caller or a log.
 */
export class GenesysOAuthClient {
  readonly loginBaseUrl: string;
  readonly apiBaseUrl: string;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly rateLimitRetries: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly config: GenesysOAuthClientConfig) {
    if (!config.clientId) throw new TypeError('clientId is required');
    if (config.baseUrl !== undefined) {
      const b = typeof config.baseUrl === 'string' ? { login: config.baseUrl, api: config.baseUrl } : config.baseUrl;
      this.loginBaseUrl = checkBaseUrl(b.login);
      this.apiBaseUrl = checkBaseUrl(b.api);
    } else {
      const env = normalizeGenesysEnvironment(config.environment);
      if (!env) {
        throw new TypeError(
          `Unknown Genesys Cloud environment "${config.environment ?? ''}". Use the domain of your org's login or API URL (e.g. mypurecloud.ie, usw2.pure.cloud) or an AWS region (e.g. eu-west-1).`,
        );
      }
      const hosts = genesysHosts(env);
      this.loginBaseUrl = hosts.login;
      this.apiBaseUrl = hosts.api;
    }
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.rateLimitRetries = config.rateLimitRetries ?? 1;
    this.maxRetryAfterMs = config.maxRetryAfterMs ?? 30_000;
    this.http = config.http ?? axios.create();
  }

  get clientId(): string {
    return this.config.clientId;
  }

  /**
   * Whom tokens obtained through this client belong to: the OAuth client and the hosts it talks
   * to. Tokens are stored with it and never used by a client with another one (the channel's
   * client or region changed), so a token never reaches a host it was not issued by.
   */
  get tokenBinding(): string {
    return `${this.config.clientId} ${this.loginBaseUrl} ${this.apiBaseUrl}`;
  }

  /** The URL to send the admin's browser to (`/oauth/authorize`), with PKCE S256 when a challenge is given. */
  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge?: string }): string {
    const url = new URL('/oauth/authorize', this.loginBaseUrl);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', params.redirectUri);
    url.searchParams.set('state', params.state);
    if (params.codeChallenge) {
      url.searchParams.set('code_challenge', params.codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
    }
    return url.toString();
  }

  /**
   * Reads the query Genesys redirected the browser back with: the code and state, or the error
   * it carries (`access_denied` when the admin declined).
   */
  parseCallback(query: Record<string, unknown>): { code: string; state: string } {
    const error = typeof query.error === 'string' ? query.error : undefined;
    if (error) {
      const description = typeof query.error_description === 'string' ? query.error_description : '';
      throw oauthErrorFor(error, description, undefined, 'authorize');
    }
    if (typeof query.code !== 'string' || !query.code || typeof query.state !== 'string' || !query.state) {
      throw new GenesysOAuthError('invalid_request', 'The callback has no code or no state; start the authorization again.');
    }
    return { code: query.code, state: query.state };
  }

  /**
   * Exchanges an authorization code. The verifier (PKCE) is added whenever the authorize request
   * carried a challenge; it proves who started the flow but does not authenticate the client, so
   * a client with a secret still sends it as Basic (reference §5.2, RFC 7636 §4.5). Only a
   * public client, one without a secret, names itself with `client_id` alone, and it must use PKCE.
   */
  async exchangeCode(params: { code: string; redirectUri: string; codeVerifier?: string }): Promise<OAuthTokens> {
    const form: Record<string, string> = { grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri };
    if (params.codeVerifier) form.code_verifier = params.codeVerifier;
    else if (!this.config.clientSecret) {
      throw new GenesysOAuthError('invalid_client', "An authorization code without PKCE can only be exchanged with the OAuth client's secret, and none is configured.");
    }
    return this.tokenRequest(this.withClientAuth(form), !!this.config.clientSecret, 'authorization_code');
  }

  /** Refresh: the answer carries a new refresh token, which replaces the old one (rotation). */
  async refresh(refreshToken: string): Promise<OAuthTokens> {
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
    return this.tokenRequest(this.withClientAuth(form), !!this.config.clientSecret, 'refresh_token');
  }

  async clientCredentials(): Promise<OAuthTokens> {
    return this.tokenRequest({ grant_type: 'client_credentials' }, true, 'client_credentials');
  }

  /**
   * Verifies a token with `GET /api/v2/tokens/me` and, for code grants, that it carries the
   * scopes the gateway needs (client-credential tokens have none: roles decide there).
   */
  async verify(accessToken: string, requiredScopes: readonly string[] = []): Promise<Models.TokenInfo> {
    const res = await this.send('tokens/me', () =>
      this.http.get<unknown>(new URL('/api/v2/tokens/me', this.apiBaseUrl).toString(), {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        timeout: this.timeoutMs,
        validateStatus: () => true,
      }),
    );
    if (res.status === 401) throw new GenesysOAuthError('invalid_token', 'Genesys refused the access token (expired or revoked).', { status: 401 });
    if (res.status !== 200 || !res.data || typeof res.data !== 'object') throw this.unexpected(res, 'tokens/me');
    const info = res.data as Models.TokenInfo;
    const granted = new Set((info.authorizedScope ?? []).map((s) => s.replace(/:readonly$/, '')));
    const missing = requiredScopes.filter((s) => !granted.has(s) && !(info.authorizedScope ?? []).includes(s));
    if (missing.length) {
      throw new GenesysOAuthError('missing_scope', `The authorization lacks the scope(s) ${missing.join(', ')}; add them to the OAuth client in Genesys Cloud (Admin > OAuth) and authorize again.`);
    }
    return info;
  }

  /**
   * The one rule for code and refresh grants: a configured secret always goes as Basic; without
   * one the client is public and `client_id` in the form is all it can say about itself.
   */
  private withClientAuth(form: Record<string, string>): Record<string, string> {
    return this.config.clientSecret ? form : { ...form, client_id: this.config.clientId };
  }

  private async tokenRequest(form: Record<string, string>, basic: boolean, grant: string): Promise<OAuthTokens> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (basic) {
      if (!this.config.clientSecret) throw new GenesysOAuthError('invalid_client', `The ${grant} grant needs the OAuth client's secret, and none is configured.`);
      // RFC 6749 §2.3.1: form-encode id and secret before base64.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`).toString('base64')}`;
    }
    const res = await this.send(grant, () =>
      this.http.post<unknown>(new URL('/oauth/token', this.loginBaseUrl).toString(), new URLSearchParams(form).toString(), {
        headers,
        timeout: this.timeoutMs,
        validateStatus: () => true,
        // Never follow redirects from the token endpoint: the body would be re-sent elsewhere.
        maxRedirects: 0,
      }),
    );
    const body = (res.data && typeof res.data === 'object' ? res.data : {}) as TokenEndpointBody;
    if (res.status === 200) {
      if (typeof body.access_token !== 'string' || !body.access_token || typeof body.expires_in !== 'number' || !(body.expires_in > 0)) {
        throw new GenesysOAuthError('bad_response', `Genesys answered the ${grant} request without a usable access_token/expires_in.`, { status: 200 });
      }
      return {
        accessToken: body.access_token,
        tokenType: typeof body.token_type === 'string' ? body.token_type : 'bearer',
        expiresIn: body.expires_in,
        refreshToken: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined,
      };
    }
    if ((res.status === 400 || res.status === 401) && typeof body.error === 'string') {
      throw oauthErrorFor(body.error, typeof body.error_description === 'string' ? body.error_description : '', res.status, grant);
    }
    throw this.unexpected(res, grant);
  }

  /**
   * Runs a request with the timeout and the 429 policy. 429 is the only status retried: the
   * server refused before acting, so a retry cannot burn a rotated refresh token. 5xx is not
   * retried here for the same reason (the refresh may have happened); callers decide. Not cockatiel's
   * retry: one Retry-After wait on a 429 answer (not an error) is shorter written out than as a policy.
   */
  private async send(what: string, call: () => Promise<AxiosResponse<unknown>>): Promise<AxiosResponse<unknown>> {
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let res: AxiosResponse<unknown>;
      try {
        res = await call();
      } catch (e) {
        const err = e as AxiosError;
        const timedOut = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' || err.code === AxiosError.ERR_CANCELED;
        this.config.logger?.warn({ call: what, code: err.code, correlationId: this.config.correlationId }, 'genesys oauth call failed');
        // A new error without `cause`: the axios error holds the request body and headers.
        throw timedOut
          ? new GenesysOAuthError('timeout', `Genesys did not answer the ${what} request within ${this.timeoutMs} ms.`)
          : new GenesysOAuthError('network', `Could not reach Genesys for the ${what} request (${err.code ?? 'network error'}).`);
      }
      this.config.logger?.info({ call: what, status: res.status, ms: Date.now() - started, attempt, correlationId: this.config.correlationId }, 'genesys oauth call');
      if (res.status !== 429) return res;
      const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      if (attempt >= this.rateLimitRetries || retryAfterMs > this.maxRetryAfterMs) {
        throw new GenesysOAuthError('rate_limited', `Genesys rate-limited the ${what} request; retry after ${Math.ceil(retryAfterMs / 1000)} s.`, { status: 429, retryAfterMs });
      }
      await sleep(retryAfterMs);
    }
  }

  private unexpected(res: AxiosResponse<unknown>, what: string): GenesysOAuthError {
    const code: GenesysOAuthErrorCode = res.status >= 500 ? 'server_error' : 'bad_response';
    return new GenesysOAuthError(code, `Genesys answered the ${what} request with HTTP ${res.status}.`, { status: res.status });
  }
}

/** Maps an OAuth error code (+ description) to the typed error the callback page and status use. */
function oauthErrorFor(error: string, description: string, status: number | undefined, grant: string): GenesysOAuthError {
  // The description comes from Genesys and carries no secret; it is kept short for the page.
  const detail = description ? `: ${description.slice(0, 200)}` : '';
  const d = { status, oauthError: error };
  switch (error) {
    case 'invalid_grant':
      if (/redirect/i.test(description)) return new GenesysOAuthError('redirect_mismatch', `The redirect URI does not match the one registered on the OAuth client${detail}.`, d);
      return new GenesysOAuthError('invalid_grant', `Genesys refused the ${grant === 'refresh_token' ? 'refresh token' : 'authorization code'}${detail}. Authorize the channel again.`, d);
    case 'access_denied':
      return new GenesysOAuthError('access_denied', `The authorization was denied in Genesys Cloud${detail}.`, d);
    case 'unauthorized_client':
      return new GenesysOAuthError('unauthorized_client', `The OAuth client is not enabled for this grant${detail}; check its Grant Type in Genesys Cloud (Admin > OAuth).`, d);
    case 'invalid_client':
      return new GenesysOAuthError('invalid_client', `Genesys did not accept the OAuth client id/secret${detail}.`, d);
    case 'redirect_uri_mismatch':
      return new GenesysOAuthError('redirect_mismatch', `The redirect URI does not match the one registered on the OAuth client${detail}.`, d);
    default:
      return new GenesysOAuthError('invalid_request', `Genesys refused the request (${error})${detail}.`, d);
  }
}

/** Retry-After as delta-seconds or an HTTP date; 1 s when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v).trim();
    if (/^\d+$/.test(s)) return Number(s) * 1000;
    const at = Date.parse(s);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return 1000;
}

/** The origin of an http(s) base URL (login or API host override); a TypeError names what is wrong. */
export function genesysOrigin(u: string, what = 'Genesys base URL override'): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new TypeError(`${what} "${u}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${what} "${u}" must be http(s)`);
  return url.origin;
}

const checkBaseUrl = (u: string) => genesysOrigin(u);
