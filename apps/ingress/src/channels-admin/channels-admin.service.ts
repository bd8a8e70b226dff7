import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AdminActor } from '@app/admin-auth';
import { ChannelConfigError, ChannelRepository, REMOVED, developmentOnlySettings, mapSecretValues, parseChannel, withoutRemoved, type Channel } from '@app/channels';
import { BotProviderRegistry, valueAt } from '@app/bot-providers';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { bearerCredential, mintBotConnectorToken } from '@app/genesys-jwt';
import { GenesysTokenStore } from '@app/genesys-oauth';
import { AdminAuthService } from '../admin/admin-auth.service.js';
import { channelView, fingerprintOf, type ChannelView } from './channel-view.js';

const MAX_APP_SECRETS = 5;
/** Keys a PATCH may not touch: identity, credentials (own endpoints) and provenance. */
const NOT_PATCHABLE = ['id', 'app', 'source'];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Deep merge of a JSON patch: objects merge, arrays and scalars replace, `null` removes. Used on
 * the channel's full definition, which is then validated again as a whole (parseChannel).
 */
export function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (v === null) delete out[k];
    else if (isObj(v) && isObj(out[k])) out[k] = mergePatch(out[k] as Json, v);
    else out[k] = v;
  }
  return out;
}

/**
 * Channel administration: create, change, enable, delete, and the credentials shown once (app
 * secrets, the v2 connection secret). Every change is validated with the same schema as
 * CHANNELS_FILE and written to the audit log with the names of the fields changed, never values.
 *
 * One rule for where a channel is changed: a channel from CHANNELS_FILE is changed in the file
 * (the file is loaded again at every start and would undo an API change, a revoked secret
 * included), so every change to it here is refused with `managed_by_file`; a channel created here
 * lives only in Redis and keeps every change. And one rule for what may serve Genesys: an enabled
 * channel has an app secret and, where development settings are not allowed, none of them.
 */
@Injectable()
export class ChannelsAdminService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly config: IngressConfig,
    private readonly auth: AdminAuthService,
    private readonly tokens: GenesysTokenStore,
    private readonly providers: BotProviderRegistry,
  ) {}

  view(channel: Channel): ChannelView {
    return channelView(channel, this.config.publicBaseUrl, this.config.GENESYS_BASE_URL, (name) => this.providers.secretPaths(name));
  }

  async get(id: string): Promise<Channel> {
    const channel = await this.channels.getFresh(id);
    if (!channel) throw new GatewayError('channel_not_found', `no channel "${id}"`);
    return channel;
  }

  async list(): Promise<Channel[]> {
    return this.channels.list();
  }

  async create(actor: AdminActor, body: { id: string; name?: string; environment: string; bots?: unknown[] }): Promise<ChannelView> {
    return this.channels.change(body.id, async () => {
      if (await this.channels.getFresh(body.id)) throw new GatewayError('conflict', `channel "${body.id}" already exists`);
      const channel = this.parse({
        id: body.id,
        name: body.name ?? body.id,
        // Disabled until it has a credential and the admin turns it on.
        enabled: false,
        source: 'api',
        genesys: { environment: body.environment },
        bots: body.bots ?? [{ id: 'demo-bot', name: 'Demo Bot', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'demo', config: {} } }],
      });
      // Tokens a deleted channel of the same id left behind belong to that one.
      await this.tokens.clear(channel.id);
      await this.channels.upsert(channel);
      await this.auth.audit.record(actor, 'channel.create', `channel:${channel.id}`);
      return this.view(channel);
    });
  }

  /** The channel, when the admin API may change it (it was not defined in CHANNELS_FILE). */
  private async getChangeable(id: string): Promise<Channel> {
    const channel = await this.get(id);
    if (channel.source === 'file') {
      throw new GatewayError(
        'managed_by_file',
        `channel "${id}" is defined in the channels file (CHANNELS_FILE=${this.config.CHANNELS_FILE}): change it there and restart the gateway; a change made here would be undone at the next start`,
      );
    }
    return channel;
  }

  /** Refuses to store an enabled channel that Genesys could not call, or that would serve a development-only setting. */
  private assertServable(channel: Channel): void {
    if (!channel.enabled) return;
    if (channel.app.clientSecrets.length === 0) {
      throw new GatewayError('conflict', `channel "${channel.id}" has no app secret yet, so Genesys could not call it; create one first`);
    }
    const dev = this.config.devSecretsAllowed ? [] : developmentOnlySettings(channel);
    if (dev.length) {
      throw new GatewayError('conflict', `channel "${channel.id}" cannot be enabled: ${dev.join(', ')} ${dev.length === 1 ? 'is a development-only setting' : 'are development-only settings'} (DEV-ONLY secrets, a plain-http Genesys host), not allowed here; replace ${dev.length === 1 ? 'it' : 'them'} first`, dev);
    }
  }

  /**
   * Where development settings are not allowed, a change cannot bring one in, enabled or not: the
   * OAuth client secret would otherwise be sent over plain http by authorize or connect, which do
   * not depend on the channel being enabled.
   */
  private assertNoNewDevelopmentSettings(current: Channel, next: Channel): void {
    if (this.config.devSecretsAllowed) return;
    const before = new Set(developmentOnlySettings(current));
    const added = developmentOnlySettings(next).filter((f) => !before.has(f));
    if (added.length) {
      throw new GatewayError('invalid_request', `${added.join(', ')}: development-only settings (DEV-ONLY secrets, a plain-http Genesys host) are not allowed here`, added);
    }
  }

  async update(actor: AdminActor, id: string, patch: Json): Promise<ChannelView> {
    return this.channels.change(id, async () => {
      const bad = NOT_PATCHABLE.filter((k) => k in patch);
      if (bad.length) throw new GatewayError('invalid_request', `these fields cannot be changed here: ${bad.join(', ')}`);
      const current = await this.getChangeable(id);
      const { patch: withConfigs, dropped } = withProviderConfigs(current, patch, this.providers);
      const definition = mergePatch(toDefinition(current), withConfigs);
      const next = this.parse({ ...definition, id, source: current.source, app: current.app });
      assertOAuthSecretFollowsHost(current, next, patch);
      this.assertNoNewDevelopmentSettings(current, next);
      this.assertServable(next);
      await this.channels.upsert(next);
      // New OAuth client or host: the stored tokens belong to the old one.
      const before = current.genesys.oauth;
      const after = next.genesys.oauth;
      if (before && (!after || after.clientId !== before.clientId || after.baseUrl !== before.baseUrl || next.genesys.environment !== current.genesys.environment)) {
        await this.tokens.clear(id);
      }
      await this.auth.audit.record(actor, 'channel.update', `channel:${id}`, { fields: changedPaths(patch), ...(dropped.length ? { credentialsDropped: dropped } : {}) });
      return this.view(next);
    });
  }

  async setEnabled(actor: AdminActor, id: string, enabled: boolean): Promise<ChannelView> {
    return this.channels.change(id, async () => {
      const current = await this.getChangeable(id);
      const next = { ...current, enabled };
      this.assertServable(next);
      await this.channels.upsert(next);
      await this.auth.audit.record(actor, enabled ? 'channel.enable' : 'channel.disable', `channel:${id}`);
      return this.view(next);
    });
  }

  async remove(actor: AdminActor, id: string): Promise<void> {
    return this.channels.change(id, async () => {
      await this.getChangeable(id);
      await this.channels.remove(id);
      await this.tokens.clear(id);
      await this.auth.audit.record(actor, 'channel.delete', `channel:${id}`);
    });
  }

  /**
   * A new app secret, shown once with the credential to paste into Genesys. Older secrets keep
   * verifying until revoked, so a rotation never breaks a running integration.
   */
  async createAppSecret(actor: AdminActor, id: string) {
    return this.channels.change(id, async () => {
      const current = await this.getChangeable(id);
      if (current.app.clientSecrets.length >= MAX_APP_SECRETS) {
        throw new GatewayError('conflict', `channel "${id}" already has ${MAX_APP_SECRETS} app secrets; revoke an old one first`);
      }
      const secret = randomBytes(32).toString('base64url');
      const next: Channel = { ...current, app: { ...current.app, clientSecrets: [...current.app.clientSecrets, secret] } };
      await this.channels.upsert(next);
      const fingerprint = fingerprintOf(secret);
      await this.auth.audit.record(actor, 'channel.app_secret.create', `channel:${id}`, { fingerprint });
      return {
        clientId: next.app.clientId,
        clientSecret: secret,
        fingerprint,
        credential: { fieldName: 'Authorization', value: bearerCredential(mintBotConnectorToken({ clientId: next.app.clientId, clientSecret: secret })) },
      };
    });
  }

  async revokeAppSecret(actor: AdminActor, id: string, fingerprint: string): Promise<ChannelView> {
    return this.channels.change(id, async () => {
      const current = await this.getChangeable(id);
      const remaining = current.app.clientSecrets.filter((s) => fingerprintOf(s) !== fingerprint);
      if (remaining.length === current.app.clientSecrets.length) throw new GatewayError('not_found', `channel "${id}" has no app secret ${fingerprint.slice(0, 12)}`);
      if (remaining.length === 0 && current.enabled) {
        throw new GatewayError('conflict', `that is the channel's last app secret and the channel is enabled: Genesys would be locked out; create a new secret first or disable the channel`);
      }
      const next: Channel = { ...current, app: { ...current.app, clientSecrets: remaining } };
      await this.channels.upsert(next);
      await this.auth.audit.record(actor, 'channel.app_secret.revoke', `channel:${id}`, { fingerprint });
      return this.view(next);
    });
  }

  /** Turns on (or re-keys) the Digital Bot Connector: a new connection secret, shown once. */
  async createDbcSecret(actor: AdminActor, id: string, opts: { secretHeader?: string; inlineWindowMs?: number }) {
    return this.channels.change(id, async () => {
      const current = await this.getChangeable(id);
      const secret = randomBytes(32).toString('base64url');
      const dbc = current.genesys.digitalBotConnector;
      // Unset header and window take the schema's defaults (or keep the current ones).
      const next = this.parse(
        mergePatch(toDefinition(current), {
          genesys: { digitalBotConnector: { secret, ...(opts.secretHeader ? { secretHeader: opts.secretHeader } : {}), ...(opts.inlineWindowMs !== undefined ? { inlineWindowMs: opts.inlineWindowMs } : {}) } },
        }),
      );
      await this.channels.upsert(next);
      await this.auth.audit.record(actor, 'channel.dbc_secret.create', `channel:${id}`, { fingerprint: fingerprintOf(secret) });
      return { secretHeader: next.genesys.digitalBotConnector!.secretHeader, secret, botConnectorUri: `${this.config.publicBaseUrl}/genesys/${id}/dbc` };
    });
  }

  private parse(definition: Json): Channel {
    try {
      return parseChannel(definition, this.providers);
    } catch (e) {
      if (e instanceof ChannelConfigError) throw new GatewayError('invalid_request', 'invalid channel settings', e.problems.map((p) => p.replace(/^channel \S+: /, '').replace(/^channel \S+\./, '')).slice(0, 50));
      throw e;
    }
  }
}

/** The channel as a definition parseChannel accepts again (the same shape, secrets included). */
export function toDefinition(channel: Channel): Json {
  return JSON.parse(JSON.stringify(channel)) as Json;
}

/**
 * Bots in a patch come from the view, which hides the secrets of provider configs: a bot that keeps
 * its provider keeps its config, and a given `config` is merged into it (JSON merge patch: objects
 * merge, `null` removes), so a form that sends the visible fields back keeps the secrets. A `url`
 * at the top of the provider updates `config.url`. Secrets belong to one backend: when any URL of
 * the config moves to another origin, the secrets the same request does not give again are
 * dropped, never sent to the new host (and a provider that needs them is then refused with the path).
 */
function withProviderConfigs(current: Channel, patch: Json, rules: BotProviderRegistry): { patch: Json; dropped: string[] } {
  if (!Array.isArray(patch.bots)) return { patch, dropped: [] };
  const dropped: string[] = [];
  const bots = patch.bots.map((b: unknown, i: number) => {
    if (!isObj(b) || !isObj(b.provider)) return b;
    const { url, ...provider } = b.provider as Json;
    const existing = current.bots.find((x) => x.id === b.id && x.provider.name === provider.name);
    const given = isObj(provider.config) ? provider.config : {};
    let config: Json = mergePatch(existing?.provider.config ?? {}, given);
    if (typeof url === 'string') config.url = url;
    if (existing) {
      const name = String(provider.name);
      const spec = rules.get(name)?.configSpec;
      const urlPaths = spec?.urls ?? ['url'];
      const origin = (c: Json, path: string) => {
        const v = valueAt(c, path);
        try {
          return typeof v === 'string' ? new URL(v.trim()).origin : undefined;
        } catch {
          return v === undefined ? undefined : String(v);
        }
      };
      if (urlPaths.some((p) => origin(config, p) !== origin(existing.provider.config, p))) {
        const secretPaths = rules.secretPaths(name);
        const givenAgain = new Set<string>();
        mapSecretValues(given, secretPaths, (_v, path) => givenAgain.add(path));
        config = mapSecretValues(config, secretPaths, (v, path) => {
          if (givenAgain.has(path)) return v;
          const declared = secretPaths.find((p) => path === p || path.startsWith(`${p}.`)) ?? path;
          if (!dropped.includes(`bots[${i}].provider.config.${declared}`)) dropped.push(`bots[${i}].provider.config.${declared}`);
          return REMOVED;
        });
        config = withoutRemoved(config);
      }
    }
    return { ...b, provider: { ...provider, config } };
  });
  return { patch: { ...patch, bots }, dropped };
}

/**
 * The OAuth client secret is sent to the login host and belongs to one client: a change of client
 * id or host (base URL or region) must bring the secret again, or the old one would go to a host
 * it was never meant for (oauth/connect sends it at once).
 */
function assertOAuthSecretFollowsHost(current: Channel, next: Channel, patch: Json): void {
  const before = current.genesys.oauth;
  const after = next.genesys.oauth;
  if (!before || !after) return;
  const given = isObj(patch.genesys) && isObj(patch.genesys.oauth) && typeof patch.genesys.oauth.clientSecret === 'string';
  if (given) return;
  const hostOf = (c: Channel) => c.genesys.oauth?.baseUrl ?? c.genesys.environment;
  if (after.clientId !== before.clientId || hostOf(next) !== hostOf(current)) {
    throw new GatewayError('invalid_request', 'the OAuth client or its Genesys host changes: give genesys.oauth.clientSecret again in the same request (the stored secret is never sent to another client or host)', ['genesys.oauth.clientSecret: required when genesys.oauth.clientId, genesys.oauth.baseUrl or genesys.environment changes']);
  }
}

/** `genesys.oauth.clientId`-style paths of a patch, for the audit log (no values). */
function changedPaths(patch: Json, prefix = ''): string[] {
  return Object.entries(patch).flatMap(([k, v]) => (isObj(v) ? changedPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`])).slice(0, 50);
}
