import { Inject, Injectable, Optional } from '@nestjs/common';
import { ChannelRecords } from '@app/store';
import { SecretBox } from '@app/secrets';
import type { Channel, ChannelDigitalBotConnector, ChannelGenesysOAuth } from './channel.types.js';
import { BOT_PROVIDER_RULES, mapSecretValues, openSealedValues, type BotProviderRules } from './provider-rules.js';

/** How a channel sits in Redis: its app secrets sealed, never in clear. */
type StoredOAuth = Omit<ChannelGenesysOAuth, 'clientSecret'> & { sealedClientSecret: string };
type StoredDbc = Omit<ChannelDigitalBotConnector, 'secret'> & { sealedSecret: string };
type StoredChannel = Omit<Channel, 'app' | 'genesys'> & {
  app: { clientId: string; sealedSecrets?: string[]; clientSecrets?: string[] };
  genesys: Omit<Channel['genesys'], 'oauth' | 'digitalBotConnector'> & { oauth?: StoredOAuth; digitalBotConnector?: StoredDbc };
};

const secretContext = (channelId: string) => `channel:${channelId}:clientSecret`;
const oauthSecretContext = (channelId: string) => `channel:${channelId}:oauthClientSecret`;
const dbcSecretContext = (channelId: string) => `channel:${channelId}:dbcSecret`;
const providerSecretContext = (channelId: string, botId: string, path: string) => `channel:${channelId}:${botId}:config:${path.toLowerCase()}`;

function withoutSecret(o: ChannelGenesysOAuth): Omit<ChannelGenesysOAuth, 'clientSecret'> {
  const { clientSecret: _, ...rest } = o;
  return rest;
}

/** bot-backends §0: the config keys that hold secrets in the built-in providers. */
const FALLBACK_SECRET_PATHS = ['headers', 'clientSecret', 'secret', 'apiKey', 'credentials'];

/** How long a process trusts its copy of a channel; a disable takes effect within this. */
const CACHE_MS = 1000;

/** Another change to the same channel is still running; the caller may retry at once. */
export class ChannelBusyError extends Error {
  constructor(readonly channelId: string) {
    super(`another change to channel "${channelId}" is in progress; retry`);
    this.name = 'ChannelBusyError';
  }
}

/**
 * Channels live in Redis so every ingress and worker sees the same configuration. Reads are
 * cached for a second per process: a turn must not pay a Redis round trip for static config.
 */
@Injectable()
export class ChannelRepository {
  private readonly cache = new Map<string, { at: number; channel: Channel | undefined }>();

  constructor(
    private readonly records: ChannelRecords,
    private readonly box: SecretBox,
    /** The registered bot providers' rules; absent only where no provider module is loaded (then `headers` are sealed, as before). */
    @Optional() @Inject(BOT_PROVIDER_RULES) readonly providerRules?: BotProviderRules,
  ) {}

  /**
   * Secret paths of a provider's config, `headers` always. Without
   * the providers' rules (a process that loads no provider module), every key the built-in providers
   * use for a secret is sealed, so a store written there never holds one in clear.
   */
  private secretPaths(provider: string): readonly string[] {
    const paths = this.providerRules?.secretPaths(provider) ?? FALLBACK_SECRET_PATHS;
    // The store does not rely on every rules implementation to name headers: they never sit in clear.
    return paths.includes('headers') ? paths : [...paths, 'headers'];
  }

  private toStored(channel: Channel): string {
    const { oauth, digitalBotConnector: dbc, ...genesys } = channel.genesys;
    const stored: StoredChannel = {
      ...channel,
      genesys: {
        ...genesys,
        ...(oauth ? { oauth: { ...withoutSecret(oauth), sealedClientSecret: this.box.seal(oauth.clientSecret, oauthSecretContext(channel.id)) } } : {}),
        ...(dbc ? { digitalBotConnector: { secretHeader: dbc.secretHeader, inlineWindowMs: dbc.inlineWindowMs, sealedSecret: this.box.seal(dbc.secret, dbcSecretContext(channel.id)) } } : {}),
      },
      app: { clientId: channel.app.clientId, sealedSecrets: channel.app.clientSecrets.map((s) => this.box.seal(s, secretContext(channel.id))) },
      // Each secret of a bot's provider config (per the provider's spec) is sealed in place, bound to its channel, bot and path.
      bots: channel.bots.map((b) => ({
        ...b,
        provider: { ...b.provider, config: mapSecretValues(b.provider.config, this.secretPaths(b.provider.name), (v, path) => ({ $sealed: this.box.seal(v, providerSecretContext(channel.id, b.id, path)) })) },
      })),
    };
    return JSON.stringify(stored);
  }

  private fromStored(raw: string): Channel {
    const stored = JSON.parse(raw) as StoredChannel;
    const clientSecrets = stored.app.sealedSecrets
      ? stored.app.sealedSecrets.map((s) => this.box.open(s, secretContext(stored.id)))
      : // Written before secrets were sealed; sealed again on the next upsert.
        (stored.app.clientSecrets ?? []);
    const bots = stored.bots.map((b) => {
      const legacy = this.openLegacyHeaders(b.provider.config, `${stored.id}:${b.id}`);
      const config = openSealedValues(legacy, (sealed, path) => this.box.open(sealed, providerSecretContext(stored.id, b.id, path))) as Record<string, unknown>;
      return { ...b, provider: { ...b.provider, config } };
    });
    const { oauth: sealedOAuth, digitalBotConnector: sealedDbc, ...genesys } = stored.genesys;
    const { sealedClientSecret, ...oauthRest } = sealedOAuth ?? ({} as StoredOAuth);
    return {
      ...stored,
      genesys: {
        ...genesys,
        ...(sealedOAuth ? { oauth: { ...oauthRest, clientSecret: this.box.open(sealedClientSecret, oauthSecretContext(stored.id)) } } : {}),
        ...(sealedDbc
          ? { digitalBotConnector: { secretHeader: sealedDbc.secretHeader, inlineWindowMs: sealedDbc.inlineWindowMs, secret: this.box.open(sealedDbc.sealedSecret, dbcSecretContext(stored.id)) } }
          : {}),
      },
      bots,
      source: stored.source ?? 'file',
      // Stored before notifications existed.
      notifications: stored.notifications ?? { ratePerSecond: 10, from: {} },
      app: { clientId: stored.app.clientId, clientSecrets },
    };
  }

  /** Channels stored before provider secrets were sealed in place kept their headers under `sealedHeaders`. */
  private openLegacyHeaders(config: Record<string, unknown>, owner: string): Record<string, unknown> {
    const sealed = config.sealedHeaders;
    if (!sealed || typeof sealed !== 'object' || Array.isArray(sealed)) return config;
    const { sealedHeaders: _, ...rest } = config;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(sealed as Record<string, unknown>)) {
      if (typeof v === 'string') headers[k] = this.box.open(v, `channel:${owner}:header:${k.toLowerCase()}`);
    }
    return { ...rest, headers };
  }

  async get(id: string): Promise<Channel | undefined> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_MS) return hit.channel;
    const raw = await this.records.get(id);
    const channel = raw ? this.fromStored(raw) : undefined;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(id, { at: now, channel });
    return channel;
  }

  async list(): Promise<Channel[]> {
    const ids = await this.records.ids();
    const found = await Promise.all(ids.sort().map((id) => this.get(id)));
    return found.filter((c): c is Channel => !!c);
  }

  async upsert(channel: Channel): Promise<void> {
    await this.records.put(channel.id, this.toStored(channel));
    this.cache.delete(channel.id);
  }

  async remove(id: string): Promise<boolean> {
    const existed = await this.records.remove(id);
    this.cache.delete(id);
    return existed;
  }

  /**
   * Runs one read-modify-write of a channel while holding its lock, shared by every ingress: two
   * admin changes never write over each other (a revoke undone by a concurrent secret creation, a
   * disable undone by a PATCH in flight). `fn` reads with getFresh and writes with upsert.
   */
  async change<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const outcome = await this.records.withChangeLock(id, fn);
    if (!outcome.ran) throw new ChannelBusyError(id);
    return outcome.value;
  }

  /** Reads past the per-process cache: for read-modify-write by the admin API. */
  async getFresh(id: string): Promise<Channel | undefined> {
    this.cache.delete(id);
    return this.get(id);
  }
}
