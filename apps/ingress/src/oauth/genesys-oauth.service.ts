import { Injectable } from '@nestjs/common';
import { ChannelRepository, type Channel, type ChannelGenesysOAuth } from '@app/channels';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { GenesysApiClientFactory, GenesysNotConnectedError } from '@app/genesys-api';
import { GenesysOAuthClient, GenesysOAuthError, GenesysTokenStore, OAuthStateError, createPkcePair } from '@app/genesys-oauth';
import { OAuthStateStore } from '@app/store';

export const OAUTH_CALLBACK_PATH = '/oauth/genesys/callback';

/** What the callback page shows: success, or exactly what failed. Values are escaped by the page renderer. */
export interface CallbackOutcome {
  ok: boolean;
  /** The channel the authorization was for, when known: the page links back to its setup. */
  channelId?: string;
  /** Who started it (bound to the state), for the audit log. */
  by?: string;
  status: number;
  title: string;
  message: string;
}

export interface OAuthStatusView {
  configured: boolean;
  grant?: ChannelGenesysOAuth['grant'];
  connected: boolean;
  expiresAt?: string;
  scopes?: string[];
  reauthorizeNeeded: boolean;
  reason?: string;
  /** When Genesys refused the grant (revoked, reused): an error to show, not a step not yet done. */
  revokedAt?: string;
}

/**
 * The ingress side of Genesys OAuth: starts authorizations, finishes them at the callback,
 * connects client-credential channels and reports status. Never logs or returns a token, a code
 * or a secret.
 */
@Injectable()
export class GenesysOAuthService {
  constructor(
    private readonly config: IngressConfig,
    private readonly channels: ChannelRepository,
    private readonly states: OAuthStateStore,
    private readonly tokens: GenesysTokenStore,
    private readonly api: GenesysApiClientFactory,
  ) {}

  get redirectUri(): string {
    return `${this.config.publicBaseUrl}${OAUTH_CALLBACK_PATH}`;
  }

  /** The same client the API factory uses, so the host rules (channel baseUrl, GENESYS_BASE_URL, region) are one. */
  clientFor(channel: Channel): GenesysOAuthClient {
    return this.api.oauthClientFor(channel);
  }

  private async oauthChannel(channelId: string): Promise<{ channel: Channel; oauth: ChannelGenesysOAuth }> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new GatewayError('channel_not_found', `no channel "${channelId}"`);
    const oauth = channel.genesys.oauth;
    if (!oauth) throw new GatewayError('invalid_request', `channel "${channelId}" has no genesys.oauth configuration`);
    return { channel, oauth };
  }

  /** The Genesys authorize URL for a fresh, single-use state bound to the channel and the admin. */
  async authorizeUrl(channelId: string, adminId: string): Promise<string> {
    const { channel, oauth } = await this.oauthChannel(channelId);
    if (oauth.grant !== 'authorization_code') {
      throw new GatewayError('invalid_request', `channel "${channelId}" uses the client_credentials grant; POST /api/channels/${channelId}/oauth/connect instead`);
    }
    const pkce = oauth.pkce ? createPkcePair() : undefined;
    const { state } = await this.states.create({ channelId, adminId, redirectUri: this.redirectUri, codeVerifier: pkce?.codeVerifier });
    return this.clientFor(channel).authorizeUrl({ redirectUri: this.redirectUri, state, codeChallenge: pkce?.codeChallenge });
  }

  /** Finishes an authorization from the callback query; every failure becomes an exact page. */
  async callback(query: Record<string, unknown>): Promise<CallbackOutcome> {
    const fail = (title: string, message: string, status = 400): CallbackOutcome => ({ ok: false, status, title, message });
    let bound;
    try {
      bound = await this.states.consume(query.state);
    } catch (e) {
      if (!(e instanceof OAuthStateError)) throw e;
      if (typeof query.error === 'string' && query.error === 'access_denied') {
        return fail('Authorization denied', 'Consent was denied in Genesys Cloud, so the channel was not connected. Start the authorization again and approve it.');
      }
      return e.code === 'malformed'
        ? fail('Authorization failed', 'The callback carries no valid state. Start the authorization again from the gateway.')
        : fail('Authorization failed', 'This authorization link was already used or expired. Start the authorization again from the gateway.');
    }
    const channelId = bound.channelId;
    const failFor = (title: string, message: string, status = 400): CallbackOutcome => ({ ...fail(title, message, status), channelId, by: bound.adminId });
    const channel = await this.channels.get(channelId);
    const oauth = channel?.genesys.oauth;
    if (!channel || !oauth) return fail('Authorization failed', `Channel "${channelId}" no longer exists or has no Genesys OAuth configuration.`);
    try {
      const client = this.clientFor(channel);
      const { code } = client.parseCallback(query);
      const tokens = await client.exchangeCode({ code, redirectUri: bound.redirectUri, codeVerifier: bound.codeVerifier });
      const info = await client.verify(tokens.accessToken, oauth.scopes);
      await this.tokens.save(channelId, tokens, 'authorization_code', client, info.authorizedScope ?? [...oauth.scopes]);
      const org = info.organization?.name ?? info.organization?.id ?? 'unknown organization';
      return { ok: true, channelId, by: bound.adminId, status: 200, title: 'Connected', message: `Channel ${channel.name} (${channelId}) is connected to Genesys Cloud (org ${org}).` };
    } catch (e) {
      if (!(e instanceof GenesysOAuthError)) throw e;
      if (e.code === 'access_denied') return failFor('Authorization denied', `Consent was denied in Genesys Cloud, so channel ${channelId} was not connected. ${e.message}`);
      if (e.code === 'missing_scope') return failFor('Missing scopes', `Channel ${channelId} was not connected. ${e.message}`);
      return failFor('Authorization failed', `Channel ${channelId} was not connected: ${e.message}`, e.transient ? 502 : 400);
    }
  }

  /** Client Credentials: fetch and store a token now. */
  async connect(channelId: string): Promise<OAuthStatusView> {
    const { channel, oauth } = await this.oauthChannel(channelId);
    if (oauth.grant !== 'client_credentials') {
      throw new GatewayError('invalid_request', `channel "${channelId}" uses the authorization_code grant; open /api/channels/${channelId}/oauth/authorize instead`);
    }
    await this.tokens.connectClientCredentials(channelId, this.clientFor(channel));
    return this.status(channelId);
  }

  async status(channelId: string): Promise<OAuthStatusView> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new GatewayError('channel_not_found', `no channel "${channelId}"`);
    const oauth = channel.genesys.oauth;
    if (!oauth) return { configured: false, connected: false, reauthorizeNeeded: false };
    let client: GenesysOAuthClient;
    try {
      client = this.clientFor(channel);
    } catch (e) {
      if (!(e instanceof GenesysNotConnectedError)) throw e;
      return { configured: true, grant: oauth.grant, connected: false, reauthorizeNeeded: false, reason: e.message };
    }
    // Tokens issued to another client or region (the channel changed) do not count as connected.
    const [stored, st] = await Promise.all([this.tokens.loadFor(channelId, client), this.tokens.status(channelId)]);
    // A code grant with a refresh token stays connected past access-token expiry: it is renewed on use.
    const connected = !!stored && (stored.expiresAt > Date.now() || !!stored.refreshToken || stored.grant === 'client_credentials');
    const reauthorizeNeeded = !!st || (!stored && oauth.grant === 'authorization_code');
    return {
      configured: true,
      grant: oauth.grant,
      connected,
      expiresAt: stored ? new Date(stored.expiresAt).toISOString() : undefined,
      scopes: stored?.scopes,
      reauthorizeNeeded,
      ...(st ? { revokedAt: new Date(st.at).toISOString() } : {}),
      reason: st?.reason ?? (stored ? undefined : oauth.grant === 'authorization_code' ? 'not authorized yet' : 'not connected yet'),
    };
  }
}
