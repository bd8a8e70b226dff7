import { Injectable, Logger } from '@nestjs/common';
import type { Models } from 'purecloud-platform-client-v2';
import { ChannelRepository, type Channel } from '@app/channels';
import { GatewayError } from '@app/errors';
import { GenesysApiClientFactory, GenesysApiError, GenesysNotConnectedError, botListDrift, buildBotList, publishState, validateBotList, type BotListDrift } from '@app/genesys-api';
import { ReauthorizationRequiredError } from '@app/genesys-oauth';
import { ChannelActivityStore } from '@app/store';

/** The last publish of a channel, as kept in Redis and shown in its status. */
export interface PublishRecord {
  at: string;
  ok: boolean;
  integrationId: string;
  /** What was PUT (on success): the list Genesys holds since. */
  published?: Models.BotList;
  error?: string;
}

function driftView(configured: Models.BotList, against: Models.BotList | undefined, comparedWith: 'last_publish' | 'genesys') {
  const drift = botListDrift(configured, against);
  return { drift, upToDate: publishState(configured, drift).upToDate, comparedWith };
}

export interface PublishView {
  /** Nothing to publish (older versions Genesys keeps with their own intents do not count). */
  upToDate?: boolean;
  lastPublish?: Omit<PublishRecord, 'published'> & { bots?: { id: string; versions: string[] }[] };
  /** Configured vs last published (or vs Genesys's live list when refreshed). */
  drift?: BotListDrift;
  /** Where `drift` compares against. */
  comparedWith?: 'last_publish' | 'genesys';
}

export interface PublishOptions {
  /** Drop bots and versions Genesys lists that the channel no longer configures (default: keep them). */
  prune?: boolean;
  /** Overwrite versions that are live with different intents (running flows may break). */
  force?: boolean;
}

/**
 * Publishes a channel's bots to its v1 Bot Connector integration
 * (`PUT /api/v2/integrations/botconnector/{integrationId}/bots`, reference §2.6), so Architect's
 * "Call Bot Connector" lists them. The list is checked against Genesys's limits before anything
 * is sent. A version already live with other intents is not overwritten: Architect flows keep the
 * list they were published with, so the admin adds a version instead (or forces it knowingly).
 */
@Injectable()
export class BotListPublisher {
  private readonly logger = new Logger(BotListPublisher.name);

  constructor(
    private readonly activity: ChannelActivityStore,
    private readonly channels: ChannelRepository,
    private readonly api: GenesysApiClientFactory,
  ) {}

  async publish(channelId: string, opts: PublishOptions = {}): Promise<PublishView> {
    const channel = await this.channelFor(channelId);
    const integrationId = channel.genesys.integrationId;
    if (!integrationId) {
      throw new GatewayError('invalid_request', `channel "${channelId}" has no genesys.integrationId: copy the id of its Bot Connector integration from Genesys Cloud (Admin > Integrations > the integration > Details)`);
    }
    const configured = buildBotList(channel);
    const problems = validateBotList(configured);
    if (problems.length) throw new GatewayError('invalid_request', 'the bot list would be refused by Genesys; nothing was sent', problems.slice(0, 50));

    const client = this.api.forChannel(channel);
    const live = await this.call(channelId, integrationId, () => client.getBotList(integrationId));
    const drift = botListDrift(configured, live);
    const state = publishState(configured, drift);
    if (state.changedLatest.length && !opts.force) {
      const list = state.changedLatest.map((v) => `${v.botId} ${v.version}: ${v.differences.slice(0, 3).join('; ')}`);
      throw new GatewayError(
        'conflict',
        `the intents changed but the newest version is already published: add a new version after it (e.g. "1.1" after "1.0") and publish again; the published versions stay as they are for the flows that use them (or publish with force=true to overwrite)`,
        list.slice(0, 20),
      );
    }
    // Published versions are frozen unless forced: an older version keeps what Genesys holds.
    const body = freezeLive(opts.prune ? configured : mergeKeepingLive(configured, live), live, opts.force ? new Set() : new Set(state.frozen.map((v) => `${v.botId}\u0000${v.version}`)));
    const merged = validateBotList(body);
    if (merged.length) throw new GatewayError('invalid_request', 'with the versions Genesys already lists, the bot list exceeds Genesys limits; publish with prune=true to drop versions no longer configured', merged.slice(0, 50));

    try {
      await this.call(channelId, integrationId, () => client.putBotList(integrationId, body));
    } catch (e) {
      await this.record(channelId, { at: new Date().toISOString(), ok: false, integrationId, error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    await this.record(channelId, { at: new Date().toISOString(), ok: true, integrationId, published: body });
    this.logger.log({ channelId, integrationId, bots: body.chatBots.length }, 'bot list published');
    return this.view(channel, await this.last(channelId), body, 'genesys');
  }

  /** The last publish and the drift since, against the last publish or (refresh) Genesys's live list. */
  async status(channelId: string, refresh = false): Promise<PublishView> {
    const channel = await this.channelFor(channelId);
    const last = await this.last(channelId);
    if (refresh) {
      const integrationId = channel.genesys.integrationId;
      if (!integrationId) throw new GatewayError('invalid_request', `channel "${channelId}" has no genesys.integrationId`);
      const client = this.api.forChannel(channel);
      const live = await this.call(channelId, integrationId, () => client.getBotList(integrationId));
      return this.view(channel, last, live, 'genesys');
    }
    // A failed attempt still carries the last good list (see record()), so drift stays meaningful.
    return this.view(channel, last, last?.published, 'last_publish');
  }

  private view(channel: Channel, last: PublishRecord | undefined, against: Models.BotList | undefined, comparedWith: 'last_publish' | 'genesys'): PublishView {
    const { published, ...rest } = last ?? ({} as PublishRecord);
    return {
      ...(last ? { lastPublish: { ...rest, ...(published ? { bots: published.chatBots.map((b) => ({ id: b.id, versions: (b.versions ?? []).map((v) => v.version) })) } : {}) } } : {}),
      ...(against || comparedWith === 'genesys' ? driftView(buildBotList(channel), against, comparedWith) : {}),
    };
  }

  private last(channelId: string): Promise<PublishRecord | undefined> {
    return this.activity.lastPublish<PublishRecord>(channelId);
  }

  private async record(channelId: string, r: PublishRecord): Promise<void> {
    // A failed attempt keeps what the last good publish put there, so drift stays meaningful.
    if (!r.ok) {
      const prev = await this.last(channelId);
      if (prev?.published) r = { ...r, published: prev.published };
    }
    await this.activity.savePublish(channelId, r);
  }

  private async channelFor(channelId: string): Promise<Channel> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new GatewayError('channel_not_found', `no channel "${channelId}"`);
    if (!channel.genesys.oauth) {
      throw new GatewayError('invalid_request', `channel "${channelId}" has no genesys.oauth configuration: the gateway needs an OAuth client to call the Genesys API`);
    }
    return channel;
  }

  /** Genesys failures become errors an admin can act on. */
  private async call<T>(channelId: string, integrationId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ReauthorizationRequiredError || e instanceof GenesysNotConnectedError) {
        throw new GatewayError('conflict', `channel "${channelId}" is not connected to Genesys Cloud (${e.message}); authorize it first`);
      }
      if (e instanceof GenesysApiError) {
        if (e.status === 404) throw new GatewayError('invalid_request', `Genesys has no Bot Connector integration "${integrationId}" in this organization; check genesys.integrationId and the region`);
        if (e.status === 403) throw new GatewayError('upstream_error', `Genesys refused: the OAuth client lacks a permission (integration:botconnector:view/edit) or scope (integrations): ${e.message}`);
        throw new GatewayError('upstream_error', `Genesys answered ${e.status} ${e.code}: ${e.message}`);
      }
      throw e;
    }
  }
}

/**
 * Configured bots and versions, plus every bot and version Genesys lists that the channel no
 * longer configures: a PUT replaces the whole list, and a running flow may still use those.
 */
export function mergeKeepingLive(configured: Models.BotList, live: Models.BotList | undefined): Models.BotList {
  const byId = new Map(configured.chatBots.map((b) => [b.id, { ...b, versions: [...(b.versions ?? [])] }]));
  for (const pub of live?.chatBots ?? []) {
    const mine = byId.get(pub.id);
    if (!mine) {
      byId.set(pub.id, pub);
      continue;
    }
    const have = new Set(mine.versions.map((v) => v.version));
    for (const v of pub.versions ?? []) if (!have.has(v.version)) mine.versions.push(v);
  }
  return { chatBots: [...byId.values()] };
}

/** Replaces the listed (frozen) versions by what Genesys holds for them. */
function freezeLive(list: Models.BotList, live: Models.BotList | undefined, frozen: Set<string>): Models.BotList {
  if (!frozen.size || !live) return list;
  const liveVersion = (botId: string, version: string) => live.chatBots.find((b) => b.id === botId)?.versions?.find((v) => v.version === version);
  return {
    chatBots: list.chatBots.map((b) => ({
      ...b,
      versions: (b.versions ?? []).map((v) => (frozen.has(`${b.id}\u0000${v.version}`) ? (liveVersion(b.id, v.version) ?? v) : v)),
    })),
  };
}
