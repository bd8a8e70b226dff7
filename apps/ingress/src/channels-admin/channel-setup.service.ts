import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { BotProviderRegistry } from '@app/bot-providers';
import { ChannelRepository, developmentOnlySettings, type Channel } from '@app/channels';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { GenesysApiClientFactory } from '@app/genesys-api';
import { BotConnectorTokenVerifier, bearerCredential, mintBotConnectorToken } from '@app/genesys-jwt';
import { GenesysTokenStore } from '@app/genesys-oauth';
import { GenesysContactTracker } from '../bot-connector/genesys-contact.tracker.js';
import { TurnDispatcher } from '../bot-connector/turn-dispatcher.service.js';
import { mayVerifyWith, verifiableApp } from '../bot-connector/webhook-edge.js';
import type { IncomingTurnDto } from '../bot-connector/dto/incoming-turn.dto.js';
import { GenesysOAuthService } from '../oauth/genesys-oauth.service.js';
import { BotListPublisher } from '../publishing/bot-list-publisher.service.js';
import { botBackendCheck, type DoctorCheck } from './bot-backend-check.js';

export interface SetupStep {
  id: 'webhook' | 'app' | 'oauth' | 'bots' | 'enabled';
  title: string;
  done: boolean;
  detail: string;
  /** What to do next, when not done. */
  next: string | null;
}

export type { DoctorCheck };

/** Genesys has not called for this long: worth saying in the doctor (not a failure by itself). */
const QUIET_MS = 24 * 3600_000;

/**
 * The admin's view of a channel's setup: the checklist in the order it is done, a doctor that
 * checks from the gateway's side everything it can and says the exact fix, and a test turn that
 * goes through the real pipeline (queue, worker, bot, renderer).
 */
@Injectable()
export class ChannelSetupService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly config: IngressConfig,
    private readonly oauth: GenesysOAuthService,
    private readonly publisher: BotListPublisher,
    private readonly contact: GenesysContactTracker,
    private readonly dispatcher: TurnDispatcher,
    private readonly verifier: BotConnectorTokenVerifier,
    private readonly api: GenesysApiClientFactory,
    private readonly tokens: GenesysTokenStore,
    private readonly providers: BotProviderRegistry,
  ) {}

  private async channel(id: string): Promise<Channel> {
    const c = await this.channels.getFresh(id);
    if (!c) throw new GatewayError('channel_not_found', `no channel "${id}"`);
    return c;
  }

  /** What enabling takes: development-only settings replaced first (where not allowed), then the switch, wherever the channel is owned. */
  private howToEnable(channel: Channel): string {
    const dev = this.config.devSecretsAllowed ? [] : developmentOnlySettings(channel);
    const where = byOwner(channel, '', ' in the channels file (CHANNELS_FILE)');
    if (dev.length) return `Replace the development-only settings${where} (${dev.join(', ')}), then ${byOwner(channel, 'enable the channel', 'set enabled: true there and restart the gateway')}`;
    return byOwner(channel, 'Enable the channel', 'Set enabled: true in the channels file (CHANNELS_FILE) and restart the gateway');
  }

  async status(id: string) {
    const channel = await this.channel(id);
    const [oauth, publish, lastContact] = await Promise.all([this.oauth.status(id), this.publisher.status(id).catch(() => ({}) as Awaited<ReturnType<BotListPublisher['status']>>), this.contact.last(id)]);
    const webhookUrl = `${this.config.publicBaseUrl}/genesys/${id}/botconnector`;
    const v2Only = !channel.genesys.integrationId && !!channel.genesys.digitalBotConnector;
    const published = publish.lastPublish?.ok === true && publish.upToDate !== false;
    const steps: SetupStep[] = [
      {
        id: 'webhook',
        title: 'Webhook URL and region',
        done: true,
        detail: `Webhook URL ${webhookUrl}; region ${channel.genesys.environment}`,
        next: null,
      },
      {
        id: 'app',
        title: 'App credential',
        done: channel.app.clientSecrets.length > 0,
        detail: channel.app.clientSecrets.length ? `${channel.app.clientSecrets.length} app secret(s) for client id ${channel.app.clientId}` : 'no app secret yet',
        next: channel.app.clientSecrets.length
          ? null
          : byOwner(channel, "Create an app secret and paste the credential into the integration's Credentials (Field Name Authorization, value bearer <JWT>)", 'Add a secret to app.clientSecrets in the channels file (CHANNELS_FILE) and restart the gateway; then paste its credential (Field Name Authorization, value bearer <JWT>) into the integration\'s Credentials'),
      },
      {
        id: 'oauth',
        title: 'Genesys OAuth',
        done: oauth.connected && !oauth.reauthorizeNeeded,
        detail: !oauth.configured ? 'no OAuth client configured' : oauth.connected ? `connected (${oauth.grant})` : (oauth.reason ?? 'not connected'),
        next: !oauth.configured
          ? `Create an OAuth client in Genesys Cloud with redirect URI ${this.config.publicBaseUrl}/oauth/genesys/callback and ${byOwner(channel, 'enter its id and secret', 'put its id and secret into genesys.oauth in the channels file (CHANNELS_FILE), then restart the gateway')}`
          : oauth.connected && !oauth.reauthorizeNeeded
            ? null
            : oauth.grant === 'client_credentials'
              ? 'Connect (client credentials)'
              : 'Authorize the gateway in Genesys Cloud',
      },
      {
        id: 'bots',
        title: 'Bots published',
        done: v2Only ? true : published,
        detail: v2Only
          ? 'Digital Bot Connector: Genesys reads the bots from /dbc/bots'
          : !channel.genesys.integrationId
            ? 'no Bot Connector integration id'
            : publish.lastPublish
              ? `last publish ${publish.lastPublish.at}: ${publish.lastPublish.ok ? 'ok' : `failed (${publish.lastPublish.error})`}${publish.upToDate === false ? '; configuration changed since' : ''}`
              : 'never published',
        next:
          v2Only || published
            ? null
            : !channel.genesys.integrationId
              ? byOwner(channel, 'Enter the Bot Connector integration id (Admin > Integrations > the integration)', 'Set genesys.integrationId in the channels file (CHANNELS_FILE) to the Bot Connector integration id (Admin > Integrations > the integration), then restart the gateway')
              : 'Publish the bot list',
      },
      {
        id: 'enabled',
        title: 'Channel enabled',
        done: channel.enabled,
        detail: channel.enabled ? 'enabled: Genesys calls are answered' : 'disabled: Genesys calls get 403',
        next: channel.enabled ? null : this.howToEnable(channel),
      },
    ];
    return {
      channelId: id,
      steps,
      lastGenesysContactAt: lastContact ? new Date(lastContact).toISOString() : null,
      lastPublish: publish.lastPublish ? { at: publish.lastPublish.at, ok: publish.lastPublish.ok, ...(publish.lastPublish.error ? { error: publish.lastPublish.error } : {}) } : null,
      oauth: { connected: oauth.connected, reauthorizeNeeded: oauth.reauthorizeNeeded, ...(oauth.reason ? { reason: oauth.reason } : {}), ...(oauth.expiresAt ? { expiresAt: oauth.expiresAt } : {}), ...(oauth.scopes ? { scopes: oauth.scopes } : {}) },
      // Errors, not unfinished steps: a failed publish, or a grant Genesys revoked.
      lastError: publish.lastPublish && !publish.lastPublish.ok ? { at: publish.lastPublish.at, message: `publish failed: ${publish.lastPublish.error}` } : oauth.revokedAt ? { at: oauth.revokedAt, message: oauth.reason ?? 're-authorization needed' } : null,
    };
  }

  /** Checks what the gateway can check itself; every failure says exactly how to fix it. */
  async doctor(id: string): Promise<{ checks: DoctorCheck[] }> {
    const channel = await this.channel(id);
    const checks: DoctorCheck[] = [];
    const base = this.config.publicBaseUrl;

    // 1. The Webhook URL leads back here (PUBLIC_BASE_URL right, proxy routing the path).
    checks.push(await this.check('webhook', 'Webhook URL reaches this gateway', async () => {
      const res = await fetch(`${base}/genesys/${id}/botconnector`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
      // A body that is not JSON is not the gateway's error envelope: the check below fails with the status.
      const body = (await res.json().catch(() => undefined)) as { errorInfo?: { errorCode?: string } } | undefined;
      if (res.status === 401 && body?.errorInfo) return `${base}/genesys/${id}/botconnector answers as the gateway (401 without a credential, as expected)`;
      throw new Error(`${base}/genesys/${id}/botconnector answered ${res.status}, not the gateway's 401|set PUBLIC_BASE_URL to the address Genesys uses and route /genesys/* to the ingress`);
    }));

    // 2. The credential Genesys holds verifies (we can only check the newest one we issued), with
    // the secrets the webhook really accepts here (never a DEV-ONLY one in production).
    checks.push(await this.check('app', 'App credential valid', async () => {
      const secret = channel.app.clientSecrets.at(-1);
      const newSecret = byOwner(channel, 'create an app secret', 'add a secret to app.clientSecrets in the channels file (CHANNELS_FILE) and restart the gateway');
      if (!secret) throw new Error(`no app secret|${newSecret} and paste its credential into the integration`);
      if (!mayVerifyWith(secret, this.config.devSecretsAllowed)) throw new Error(`the newest app secret is a DEV-ONLY secret, which the webhook refuses here|${newSecret} and paste its credential into the integration`);
      const verdict = this.verifier.verify(bearerCredential(mintBotConnectorToken({ clientId: channel.app.clientId, clientSecret: secret })), verifiableApp(channel.app, this.config.devSecretsAllowed));
      if (!verdict.ok) throw new Error(`a freshly minted credential is refused (${verdict.reason})|${newSecret}`);
      return `client id ${channel.app.clientId}, ${channel.app.clientSecrets.length} secret(s)`;
    }));

    // 3. OAuth token valid, with the scopes the channel needs.
    checks.push(await this.check('oauth', 'Genesys OAuth token valid with the needed scopes', async () => {
      const oauth = channel.genesys.oauth;
      if (!oauth) throw new Error(`no OAuth client configured|create one in Genesys Cloud (redirect URI ${base}/oauth/genesys/callback) and ${byOwner(channel, 'enter its id and secret', 'put its id and secret into genesys.oauth in the channels file (CHANNELS_FILE), then restart the gateway')}`);
      const client = this.api.oauthClientFor(channel);
      let token: string;
      try {
        token = await this.tokens.getAccessToken(id, client);
      } catch (e) {
        throw new Error(`${(e as Error).message}|${oauth.grant === 'client_credentials' ? 'connect the channel (client credentials)' : 'authorize the gateway again'}`);
      }
      try {
        const info = await client.verify(token, oauth.grant === 'authorization_code' ? oauth.scopes : []);
        return `organization ${info.organization?.name ?? info.organization?.id ?? '?'}${info.authorizedScope?.length ? `, scopes ${info.authorizedScope.join(' ')}` : ''}`;
      } catch (e) {
        throw new Error(`${(e as Error).message}|add the missing scopes to the OAuth client in Genesys Cloud and authorize again`);
      }
    }));

    // 4. Bot list published and matching (v1), or served (v2).
    checks.push(await this.check('bots', 'Bot list published and matching', async () => {
      if (!channel.genesys.integrationId) {
        if (channel.genesys.digitalBotConnector) return 'Digital Bot Connector: Genesys reads /dbc/bots, nothing to publish';
        throw new Error(`no Bot Connector integration id|${byOwner(channel, 'enter the id of the integration (Admin > Integrations > Details)', 'set genesys.integrationId in the channels file (CHANNELS_FILE) to the id of the integration (Admin > Integrations > Details), then restart the gateway')}`);
      }
      const view = await this.publisher.status(id, true).catch((e: Error) => {
        throw new Error(`${e.message}|fix the OAuth connection, then publish`);
      });
      if (!view.drift || view.upToDate) {
        const kept = view.drift && !view.drift.inSync ? '; Genesys also keeps older versions for running flows' : '';
        return `Genesys holds the configured bots (integration ${channel.genesys.integrationId})${kept}`;
      }
      const d = view.drift;
      const what = [
        d.missingBots.length ? `missing bots ${d.missingBots.join(', ')}` : '',
        d.missingVersions.length ? `missing versions ${d.missingVersions.map((v) => `${v.botId} ${v.version}`).join(', ')}` : '',
        d.changedVersions.length ? `changed versions ${d.changedVersions.map((v) => `${v.botId} ${v.version}`).join(', ')}` : '',
        d.changedBots.length ? `changed bot names or descriptions ${d.changedBots.map((b) => b.botId).join(', ')}` : '',
      ].filter(Boolean);
      throw new Error(`${what.join('; ')}|${d.changedVersions.length ? 'add a new version for the changed bot and publish' : 'publish the bot list'}`);
    }));

    // 5. Enabled.
    checks.push({ id: 'enabled', title: 'Channel enabled', ok: channel.enabled, detail: channel.enabled ? 'enabled' : 'disabled: Genesys calls are refused with 403', ...(channel.enabled ? {} : { fix: this.howToEnable(channel) }) });

    // 6. Genesys actually calls.
    const last = await this.contact.last(id);
    checks.push({
      id: 'traffic',
      title: 'Last call from Genesys',
      ok: !!last,
      detail: last ? `${new Date(last).toISOString()}${Date.now() - last > QUIET_MS ? ' (more than a day ago)' : ''}` : 'no authenticated call from Genesys yet',
      ...(last ? {} : { fix: 'in Genesys: activate the integration, point an Architect flow (Call Bot Connector) at this bot, publish it, and send a message' }),
    });

    // 7. v2, when configured: its endpoint answers with the secret.
    if (channel.genesys.digitalBotConnector) {
      const dbc = channel.genesys.digitalBotConnector;
      checks.push(await this.check('dbc', 'Digital Bot Connector endpoint', async () => {
        const res = await fetch(`${base}/genesys/${id}/dbc/bots`, { headers: { [dbc.secretHeader]: dbc.secret }, signal: AbortSignal.timeout(5000) });
        if (res.ok) return `${base}/genesys/${id}/dbc answers GET /bots with the connection secret`;
        throw new Error(`${base}/genesys/${id}/dbc/bots answered ${res.status}|${res.status === 403 && !channel.enabled ? this.howToEnable(channel) : 'check PUBLIC_BASE_URL and the proxy route for /genesys/*'}`);
      }));
    }

    // 8. Each bot's backend: one harmless call with the stored config (all at once: each is bounded by 5 s).
    checks.push(...(await Promise.all(channel.bots.map((bot, i) => botBackendCheck(this.providers, channel, bot, i)))));
    return { checks };
  }

  /** One customer message through the real pipeline (queue, worker, bot, renderer), as Genesys would send it. */
  async testTurn(id: string, input: { text?: string; quickReply?: { text: string; payload: string }; botSessionId?: string }) {
    const channel = await this.channel(id);
    const bot = channel.bots[0];
    if (!bot) throw new GatewayError('conflict', `channel "${id}" has no bot`);
    const botSessionId = input.botSessionId ?? `console-test-${randomUUID()}`;
    const turn = {
      botId: bot.id,
      botVersion: bot.versions.at(-1),
      botSessionId,
      messageId: randomUUID(),
      inputMessage: input.quickReply
        ? { type: 'Structured', text: input.quickReply.text, content: [{ contentType: 'ButtonResponse', buttonResponse: { type: 'QuickReply', text: input.quickReply.text, payload: input.quickReply.payload } }] }
        : { type: 'Text', text: input.text ?? '' },
      languageCode: channel.defaultLanguage,
      botSessionTimeout: 60,
      genesysConversationId: `console-test-${botSessionId.slice(-12)}`,
    } as IncomingTurnDto;
    const started = Date.now();
    // The dispatcher, not the webhook: the test works before the channel is enabled or has a credential.
    const response = await this.dispatcher.dispatch(turn, { channel, bot, receivedAt: started, correlationId: 'console-test' });
    return { request: turn, response, ms: Date.now() - started, botSessionId };
  }

  private async check(id: string, title: string, run: () => Promise<string>): Promise<DoctorCheck> {
    try {
      return { id, title, ok: true, detail: await run() };
    } catch (e) {
      const [detail, fix] = (e as Error).message.split('|');
      return { id, title, ok: false, detail: detail ?? 'failed', ...(fix ? { fix } : {}) };
    }
  }
}

/** Advice for an admin: a file channel is changed in CHANNELS_FILE, an API channel here (see ChannelsAdminService). */
function byOwner(channel: Channel, api: string, file: string): string {
  return channel.source === 'file' ? file : api;
}
