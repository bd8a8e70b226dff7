import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import type { Models } from 'purecloud-platform-client-v2';
import { genesysHosts, normalizeGenesysEnvironment } from '@app/genesys/regions.js';
import { isLoopbackHostname } from '@app/net';
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
  /** Injected fetch (tests, proxies), called as oauth4webapi's `customFetch`; the global one otherwise. */
  fetch?: (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;
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

type Send = (options: oauth.TokenEndpointRequestOptions & oauth.ProtectedResourceRequestOptions) => Promise<Response>;
type ProcessTokenResponse = (as: oauth.AuthorizationServer, client: oauth.Client, response: Response) => Promise<oauth.TokenEndpointResponse>;

/**
 * Talks to Genesys Cloud's OAuth endpoints (login host) and `GET /api/v2/tokens/me` (API host).
 * One instance per OAuth client configuration. The protocol is oauth4webapi's; what stays here is
 * Genesys: its hosts, its error advice, the 429 policy, and that no library error (whose cause
 * can hold a response body with tokens) ever escapes to a caller or a log.
 */
export class GenesysOAuthClient {
  readonly loginBaseUrl: string;
  readonly apiBaseUrl: string;
  private readonly timeoutMs: number;
  private readonly rateLimitRetries: number;
  private readonly maxRetryAfterMs: number;
  /** Genesys publishes no discovery document, so its metadata is written down here. */
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;

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
    this.as = {
      // The library compares it only with an `iss` in the callback (RFC 9207), which Genesys does not document.
      issuer: this.loginBaseUrl,
      authorization_endpoint: `${this.loginBaseUrl}/oauth/authorize`,
      token_endpoint: `${this.loginBaseUrl}/oauth/token`,
      code_challenge_methods_supported: ['S256'],
    };
    this.client = { client_id: config.clientId };
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
    const url = new URL(this.as.authorization_endpoint!);
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
    const params = new URLSearchParams();
    // A repeated parameter arrives as an array and is dropped: the code or state is then missing.
    for (const [k, v] of Object.entries(query)) if (typeof v === 'string') params.set(k, v);
    let checked: URLSearchParams | undefined;
    try {
      // The state is checked by OAuthStateStore.consume, which also ties it to the channel and admin.
      checked = oauth.validateAuthResponse(this.as, this.client, params, oauth.skipStateCheck);
    } catch (e) {
      if (e instanceof oauth.AuthorizationResponseError) throw oauthErrorFor(e.error, e.error_description ?? '', undefined, 'authorize');
    }
    const code = checked?.get('code');
    const state = checked?.get('state');
    if (!code || !state) throw new GenesysOAuthError('invalid_request', 'The callback has no code or no state; start the authorization again.');
    return { code, state };
  }

  /**
   * Exchanges an authorization code. The verifier (PKCE) is added whenever the authorize request
   * carried a challenge; it proves who started the flow but does not authenticate the client, so
   * a client with a secret still sends it as Basic (reference §5.2, RFC 7636 §4.5). Only a
   * public client, one without a secret, names itself with `client_id` alone, and it must use PKCE.
   */
  async exchangeCode(params: { code: string; redirectUri: string; codeVerifier?: string }): Promise<OAuthTokens> {
    if (!params.codeVerifier && !this.config.clientSecret) {
      throw new GenesysOAuthError('invalid_client', "An authorization code without PKCE can only be exchanged with the OAuth client's secret, and none is configured.");
    }
    // parseCallback already read the callback; this only gives its code the form the library takes.
    const callback = oauth.validateAuthResponse(this.as, this.client, new URLSearchParams({ code: params.code }), oauth.expectNoState);
    // nopkce: channels with PKCE turned off exist (a Genesys client that might refuse a challenge, reference §5.2).
    const verifier = params.codeVerifier || oauth.nopkce;
    return this.tokenRequest('authorization_code', oauth.processAuthorizationCodeResponse, (o) =>
      oauth.authorizationCodeGrantRequest(this.as, this.client, this.clientAuth(), callback, params.redirectUri, verifier, o),
    );
  }

  /** Refresh: the answer carries a new refresh token, which replaces the old one (rotation). */
  async refresh(refreshToken: string): Promise<OAuthTokens> {
    return this.tokenRequest('refresh_token', oauth.processRefreshTokenResponse, (o) => oauth.refreshTokenGrantRequest(this.as, this.client, this.clientAuth(), refreshToken, o));
  }

  async clientCredentials(): Promise<OAuthTokens> {
    if (!this.config.clientSecret) throw new GenesysOAuthError('invalid_client', "The client_credentials grant needs the OAuth client's secret, and none is configured.");
    const auth = genesysBasic(this.config.clientSecret);
    return this.tokenRequest('client_credentials', oauth.processClientCredentialsResponse, (o) => oauth.clientCredentialsGrantRequest(this.as, this.client, auth, {}, o));
  }

  /**
   * Verifies a token with `GET /api/v2/tokens/me` and, for code grants, that it carries the
   * scopes the gateway needs (client-credential tokens have none: roles decide there).
   */
  async verify(accessToken: string, requiredScopes: readonly string[] = []): Promise<Models.TokenInfo> {
    const url = new URL('/api/v2/tokens/me', this.apiBaseUrl);
    const res = await this.send('tokens/me', url, (o) => oauth.protectedResourceRequest(accessToken, 'GET', url, new Headers({ accept: 'application/json' }), null, o));
    if (res.status === 401) {
      await res.body?.cancel();
      throw new GenesysOAuthError('invalid_token', 'Genesys refused the access token (expired or revoked).', { status: 401 });
    }
    const info = (res.status === 200 ? await res.json().catch(() => undefined) : undefined) as Models.TokenInfo | undefined;
    if (!info || typeof info !== 'object') throw await this.unexpected(res, 'tokens/me');
    const scopes = info.authorizedScope ?? [];
    const granted = new Set(scopes.map((s) => s.replace(/:readonly$/, '')));
    const missing = requiredScopes.filter((s) => !granted.has(s) && !scopes.includes(s));
    if (missing.length) {
      throw new GenesysOAuthError('missing_scope', `The authorization lacks the scope(s) ${missing.join(', ')}; add them to the OAuth client in Genesys Cloud (Admin > OAuth) and authorize again.`);
    }
    return info;
  }

  /**
   * The one rule for code and refresh grants: a configured secret always goes as Basic; without
   * one the client is public and `client_id` in the form is all it can say about itself.
   */
  private clientAuth(): oauth.ClientAuth {
    return this.config.clientSecret ? genesysBasic(this.config.clientSecret) : oauth.None();
  }

  private async tokenRequest(grant: string, processResponse: ProcessTokenResponse, request: Send): Promise<OAuthTokens> {
    const res = await this.send(grant, new URL(this.as.token_endpoint!), request);
    let body: oauth.TokenEndpointResponse;
    try {
      body = await processResponse(this.as, this.client, res);
    } catch (e) {
      throw await this.tokenError(e, res, grant);
    }
    // The token store schedules renewal from it; the spec only recommends it.
    if (!(typeof body.expires_in === 'number' && body.expires_in > 0)) throw unusableAnswer(grant);
    return { accessToken: body.access_token, tokenType: body.token_type, expiresIn: body.expires_in, refreshToken: body.refresh_token || undefined };
  }

  /** A new error without `cause`: the library's errors can hold the response body (tokens). */
  private async tokenError(e: unknown, res: Response, grant: string): Promise<GenesysOAuthError> {
    if (e instanceof oauth.ResponseBodyError && (e.status === 400 || e.status === 401)) return oauthErrorFor(e.error, e.error_description ?? '', e.status, grant);
    if (e instanceof oauth.WWWAuthenticateChallengeError && e.status === 401) {
      // RFC 6749 §5.2 has a 401 carry the challenge and the error body both; the library stops at
      // the challenge, and the body says what was wrong.
      const body = (await res.json().catch(() => undefined)) as { error?: unknown; error_description?: unknown } | undefined;
      if (typeof body?.error === 'string') return oauthErrorFor(body.error, typeof body.error_description === 'string' ? body.error_description : '', 401, grant);
    }
    if (isTimeout(e) || isTimeout((e as Error | undefined)?.cause)) return new GenesysOAuthError('timeout', `Genesys did not answer the ${grant} request within ${this.timeoutMs} ms.`);
    if (res.status === 200) return unusableAnswer(grant);
    return this.unexpected(res, grant);
  }

  /**
   * Runs a request with the timeout and the 429 policy. 429 is the only status retried: the
   * server refused before acting, so a retry cannot burn a rotated refresh token. 5xx is not
   * retried here for the same reason (the refresh may have happened); callers decide. Not cockatiel's
   * retry: one Retry-After wait on a 429 answer (not an error) is shorter written out than as a policy.
   */
  private async send(what: string, url: URL, request: Send): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let res: Response;
      try {
        res = await request({
          signal: AbortSignal.timeout(this.timeoutMs),
          // The library's https-only rule, relaxed for the one case the host checks allow: the local emulator.
          [oauth.allowInsecureRequests]: url.protocol === 'http:' && isLoopbackHostname(url.hostname),
          ...(this.config.fetch ? { [oauth.customFetch]: this.config.fetch } : {}),
        });
      } catch (e) {
        // An answer with a challenge (a 401 from the API) is still an answer.
        if (e instanceof oauth.WWWAuthenticateChallengeError) res = e.response;
        else throw this.failed(e, what, url);
      }
      this.config.logger?.info({ call: what, status: res.status, ms: Date.now() - started, attempt, correlationId: this.config.correlationId }, 'genesys oauth call');
      if (res.status !== 429) return res;
      await res.body?.cancel();
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined);
      if (attempt >= this.rateLimitRetries || retryAfterMs > this.maxRetryAfterMs) {
        throw new GenesysOAuthError('rate_limited', `Genesys rate-limited the ${what} request; retry after ${Math.ceil(retryAfterMs / 1000)} s.`, { status: 429, retryAfterMs });
      }
      await sleep(retryAfterMs);
    }
  }

  /** A request that got no answer. A new error without `cause`: the original can hold the request. */
  private failed(e: unknown, what: string, url: URL): GenesysOAuthError {
    const code = (e as { code?: unknown }).code ?? ((e as Error).cause as { code?: unknown } | undefined)?.code;
    this.config.logger?.warn({ call: what, code: typeof code === 'string' ? code : (e as Error).name, correlationId: this.config.correlationId }, 'genesys oauth call failed');
    if (isTimeout(e)) return new GenesysOAuthError('timeout', `Genesys did not answer the ${what} request within ${this.timeoutMs} ms.`);
    if (code === oauth.HTTP_REQUEST_FORBIDDEN) {
      return new GenesysOAuthError('invalid_request', `The ${what} request would go over plain http to ${url.host}; use https (plain http only for the local emulator on a loopback host).`);
    }
    // The library refused our arguments before sending (an empty refresh token, say); its messages name no value.
    if (e instanceof oauth.OperationProcessingError || code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') {
      return new GenesysOAuthError('invalid_request', `The ${what} request was not sent: ${(e as Error).message}.`);
    }
    return new GenesysOAuthError('network', `Could not reach Genesys for the ${what} request (${typeof code === 'string' ? code : 'network error'}).`);
  }

  private async unexpected(res: Response, what: string): Promise<GenesysOAuthError> {
    if (!res.bodyUsed) await res.body?.cancel();
    const code: GenesysOAuthErrorCode = res.status >= 500 ? 'server_error' : 'bad_response';
    return new GenesysOAuthError(code, `Genesys answered the ${what} request with HTTP ${res.status}.`, { status: res.status });
  }
}

/**
 * HTTP Basic as the Genesys SDKs send it; oauth4webapi's ClientSecretBasic also escapes `-`, `_`
 * and `.` (panva/oauth4webapi#148), which turns a Genesys client id, a UUID, into `…%2D…`, and
 * whether Genesys decodes that is not known.
 */
function genesysBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    // RFC 6749 §2.3.1: form-encode id and secret before base64.
    headers.set('authorization', `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`);
  };
}

const unusableAnswer = (grant: string) =>
  new GenesysOAuthError('bad_response', `Genesys answered the ${grant} request without a usable access_token/token_type/expires_in.`, { status: 200 });

const isTimeout = (e: unknown) => (e as Error | undefined)?.name === 'TimeoutError';

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
