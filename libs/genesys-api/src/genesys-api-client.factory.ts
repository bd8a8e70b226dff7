import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import type { Channel } from '@app/channels';
import { checkGenesysBaseUrl } from '@app/genesys';
import { GenesysOAuthClient, GenesysTokenStore, ReauthorizationRequiredError, type OAuthLogger } from '@app/genesys-oauth';
import { GenesysApiClient, type GenesysApiLogger, type GenesysTokenProvider } from './genesys-api.client.js';
import { GenesysNotConnectedError } from './genesys-api.errors.js';
import type { Context } from '@app/observability';

export const GENESYS_API_OPTIONS = Symbol('GENESYS_API_OPTIONS');

export interface GenesysApiFactoryOptions {
  /**
   * Sends every channel's OAuth and API calls to this origin (GENESYS_BASE_URL, the emulator).
   * A channel's own `genesys.oauth.baseUrl` still wins: it is the more specific setting.
   */
  baseUrlOverride?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  maxRetryAfterMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /**
   * A client-credentials channel with no stored token fetches one on first use instead of
   * failing until an admin presses "connect"; default true. A code-grant channel always needs
   * an admin.
   */
  autoConnectClientCredentials?: boolean;
  /**
   * Whether a channel's `genesys.oauth.baseUrl` may be plain http on a loopback host (the local
   * emulator): where development settings are allowed. Default false: the OAuth client secret and
   * the tokens then only ever travel over https.
   */
  allowLocalEmulator?: boolean;
  logger?: GenesysApiLogger & OAuthLogger;
}

/**
 * Why the gateway cannot call Genesys for a channel until someone acts, and the one step that
 * fixes it: the worker's outbox sweeper, the development status endpoint the chat script asks and
 * the console all say the same.
 */
export interface ChannelAuthorizationProblem {
  channelId: string;
  /** `not_authorized`: never authorized (or tokens of another client); `reauthorize_needed`: Genesys refused the grant; `not_configured`: no usable genesys.oauth. */
  kind: 'not_authorized' | 'reauthorize_needed' | 'not_configured';
  reason: string;
  fix: string;
}

/** The step that connects a channel, for people reading a log line or a terminal. */
export function authorizationFix(channelId: string, grant: 'authorization_code' | 'client_credentials' | undefined): string {
  if (grant === 'client_credentials') return `connect it: click "Connect" on /console/channels/${channelId} (or POST /api/channels/${channelId}/oauth/connect)`;
  if (grant === 'authorization_code') return `run "npm run admin -- authorize ${channelId}", or click "Authorize" on /console/channels/${channelId}`;
  return `add a genesys.oauth client to channel ${channelId}`;
}

export interface ForChannelOptions {
  correlationId?: string;
  /** The span the client's calls belong to (GenesysApiClientOptions.traceContext). */
  traceContext?: Context;
}

/**
 * Builds the per-channel Genesys API client. Tokens come from the one GenesysTokenStore of the
 * process, so every client of a channel shares its single-flight refresh.
 */
@Injectable()
export class GenesysApiClientFactory {
  private readonly connecting = new Map<string, Promise<string>>();
  private readonly options: GenesysApiFactoryOptions;

  constructor(
    private readonly tokens: GenesysTokenStore,
    @Optional() @Inject(GENESYS_API_OPTIONS) options?: GenesysApiFactoryOptions,
    @Optional() private readonly http?: HttpService,
  ) {
    this.options = options ?? {};
  }

  /** The OAuth client a channel's tokens are obtained and renewed with. */
  oauthClientFor(channel: Channel, opts: ForChannelOptions = {}): GenesysOAuthClient {
    const oauth = channel.genesys.oauth;
    if (!oauth) throw new GenesysNotConnectedError(channel.id);
    if (oauth.baseUrl) {
      // Checked here too, not only when the channel is stored: every call that sends the client
      // secret or a token (authorize, connect, refresh, the API) is built here, whatever the
      // channel's state, and a record may come from an older version.
      const checked = checkGenesysBaseUrl(oauth.baseUrl);
      if ('problem' in checked) throw new GenesysNotConnectedError(channel.id, `has an unusable genesys.oauth.baseUrl: it ${checked.problem}.`);
      if (checked.localEmulator && !this.options.allowLocalEmulator) {
        throw new GenesysNotConnectedError(channel.id, 'has a plain-http genesys.oauth.baseUrl (the local emulator), a development-only setting not allowed here: use the https login host of your region, or remove baseUrl.');
      }
    }
    const baseUrl = oauth.baseUrl ?? this.options.baseUrlOverride;
    return new GenesysOAuthClient({
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      ...(baseUrl ? { baseUrl } : { environment: channel.genesys.environment }),
      timeoutMs: this.options.timeoutMs,
      maxRetryAfterMs: this.options.maxRetryAfterMs,
      logger: this.options.logger,
      correlationId: opts.correlationId,
    });
  }

  forChannel(channel: Channel, opts: ForChannelOptions = {}): GenesysApiClient {
    const oauthClient = this.oauthClientFor(channel, opts);
    const provider: GenesysTokenProvider = {
      getAccessToken: () => this.accessToken(channel, oauthClient),
      refreshAfterUnauthorized: (rejected) => this.tokens.refreshAfterUnauthorized(channel.id, oauthClient, rejected),
    };
    return new GenesysApiClient({
      apiBaseUrl: oauthClient.apiBaseUrl,
      tokens: provider,
      http: this.http,
      timeoutMs: this.options.timeoutMs,
      maxAttempts: this.options.maxAttempts,
      maxRetryAfterMs: this.options.maxRetryAfterMs,
      backoffBaseMs: this.options.backoffBaseMs,
      backoffCapMs: this.options.backoffCapMs,
      logger: this.options.logger,
      correlationId: opts.correlationId,
      traceContext: opts.traceContext,
    });
  }

  /**
   * Undefined when calls for the channel can go out (tokens are stored, or a client-credentials
   * channel will connect itself on first use); else what stops them and how to fix it. Reads
   * Redis only: never calls Genesys.
   */
  async authorizationProblem(channel: Channel): Promise<ChannelAuthorizationProblem | undefined> {
    const grant = channel.genesys.oauth?.grant;
    let client: GenesysOAuthClient;
    try {
      client = this.oauthClientFor(channel);
    } catch (e) {
      if (!(e instanceof GenesysNotConnectedError)) throw e;
      return { channelId: channel.id, kind: 'not_configured', reason: e.message, fix: authorizationFix(channel.id, grant) };
    }
    const [stored, refused] = await Promise.all([this.tokens.loadFor(channel.id, client), this.tokens.status(channel.id)]);
    const fix = authorizationFix(channel.id, grant);
    if (refused) return { channelId: channel.id, kind: 'reauthorize_needed', reason: `channel ${channel.id} must be authorized with Genesys again: ${refused.reason}`, fix };
    if (stored || (grant === 'client_credentials' && this.options.autoConnectClientCredentials !== false)) return undefined;
    return { channelId: channel.id, kind: 'not_authorized', reason: `channel ${channel.id} is not ${grant === 'client_credentials' ? 'connected to' : 'authorized with'} Genesys`, fix };
  }

  private async accessToken(channel: Channel, client: GenesysOAuthClient): Promise<string> {
    try {
      return await this.tokens.getAccessToken(channel.id, client);
    } catch (e) {
      if (!(e instanceof ReauthorizationRequiredError) || !(await this.mayAutoConnect(channel))) throw e;
      return this.connectOnce(channel.id, client);
    }
  }

  private async mayAutoConnect(channel: Channel): Promise<boolean> {
    if (channel.genesys.oauth?.grant !== 'client_credentials' || this.options.autoConnectClientCredentials === false) return false;
    // A recorded "re-authorize needed" is an admin matter; only a never-connected channel connects itself.
    return !(await this.tokens.status(channel.id));
  }

  /** Concurrent first calls of one channel share one token request. */
  private connectOnce(channelId: string, client: GenesysOAuthClient): Promise<string> {
    const running = this.connecting.get(channelId);
    if (running) return running;
    const p = this.tokens
      .connectClientCredentials(channelId, client)
      .then((t) => t.accessToken)
      .finally(() => this.connecting.delete(channelId));
    this.connecting.set(channelId, p);
    return p;
  }
}
