import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ChannelRepository, type Channel } from '@app/channels';
import { IngressConfig } from '@app/config';
import { genesysHosts, normalizeGenesysEnvironment } from '@app/genesys';
import { GenesysApiClientFactory } from '@app/genesys-api';
import { IpRangesStore, type SharedIpRanges } from '@app/store';
import { GenesysIpRangesFetcher, type IpRangesSource } from './genesys-ip-ranges.fetcher.js';
import { SourceRanges } from './source-ranges.js';

export const IP_RANGES_OPTIONS = Symbol('IP_RANGES_OPTIONS');

export interface IpRangesOptions {
  /**
   * A refused address makes the list be fetched again at once when the list in hand is at least
   * this old: a range Genesys just added is then honoured within this time instead of at the next
   * hourly refresh, while addresses outside the ranges cannot make the gateway call Genesys more
   * than once per this time per region. Default 30 s.
   */
  refetchOnRefusalAfterMs?: number;
  /** While no list is known, a request starts a new fetch at most this often. Default 5 s. */
  retryUnknownAfterMs?: number;
  /** How long a request waits for a fetch it started (or found running). Default 2 s. */
  requestWaitMs?: number;
  /** First retry after a failed refresh; doubled per failure, capped at the refresh interval. Default 30 s. */
  retryBaseMs?: number;
  /** Lifetime of the shared copy in Redis. Default 30 days. */
  sharedTtlMs?: number;
}

export type SourceVerdict = 'allowed' | 'denied' | 'unavailable';

interface Region {
  apiBaseUrl: string;
  /** Channels of this region that use the check, by id (for a token if Genesys wants one). */
  channels: Map<string, Channel>;
  ranges?: SourceRanges;
  /** When `ranges` was fetched from Genesys. */
  fetchedAt: number;
  /** When this process last asked Genesys. */
  attemptedAt: number;
  loading?: Promise<void>;
  /** Failed fetches in a row; a warning is logged on the first one only. */
  failures: number;
  timer?: NodeJS.Timeout;
}

const JITTER = 0.1;

/**
 * Genesys's published `bot-connector` source ranges, per region (API base URL), for the channels
 * that set `genesys.restrictToGenesysIps`. Nothing is fetched for a region until such a channel
 * is seen (at start or on its first call). A list is kept in memory and in Redis, so other ingress
 * processes and a restart have it even while Genesys cannot be reached; it is refreshed every
 * GENESYS_IP_RANGES_REFRESH_MS (with jitter), and a failed refresh keeps the last good list.
 */
@Injectable()
export class GenesysIpRanges implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GenesysIpRanges.name);
  private readonly regions = new Map<string, Region>();
  private readonly baseUrls = new WeakMap<Channel, string>();
  private readonly options: Required<IpRangesOptions>;
  private readonly refreshMs: number;
  private closed = false;

  constructor(
    private readonly config: IngressConfig,
    private readonly shared: IpRangesStore,
    private readonly channels: ChannelRepository,
    private readonly factory: GenesysApiClientFactory,
    @Inject(GenesysIpRangesFetcher) private readonly source: IpRangesSource,
    @Optional() @Inject(IP_RANGES_OPTIONS) options?: IpRangesOptions,
  ) {
    this.refreshMs = config.GENESYS_IP_RANGES_REFRESH_MS;
    this.options = {
      refetchOnRefusalAfterMs: options?.refetchOnRefusalAfterMs ?? 30_000,
      retryUnknownAfterMs: options?.retryUnknownAfterMs ?? 5_000,
      requestWaitMs: options?.requestWaitMs ?? 2_000,
      retryBaseMs: options?.retryBaseMs ?? 30_000,
      sharedTtlMs: options?.sharedTtlMs ?? 30 * 86_400_000,
    };
  }

  /** Warm-up: start loading the lists of the channels that use the check (not awaited). */
  async onApplicationBootstrap(): Promise<void> {
    let all: Channel[];
    try {
      all = await this.channels.list();
    } catch (e) {
      this.logger.warn({ error: (e as Error).message }, 'could not list channels to load Genesys source ranges; they load on first use');
      return;
    }
    for (const channel of all) {
      if (!channel.enabled || !channel.genesys.restrictToGenesysIps) continue;
      const region = this.regionOf(channel);
      if (region && !region.ranges && !region.loading) void this.load(region, this.refreshMs);
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const r of this.regions.values()) clearTimeout(r.timer);
  }

  /**
   * Whether `ip` is a Genesys bot-connector address for this channel's region. `unavailable`
   * when no list is known yet (nothing fetched, nothing shared in Redis).
   */
  async verdict(channel: Channel, ip: string | undefined): Promise<SourceVerdict> {
    const region = this.regionOf(channel);
    if (!region) return 'unavailable';
    if (!region.ranges) {
      if (!region.loading && Date.now() - region.attemptedAt >= this.options.retryUnknownAfterMs) void this.load(region, this.refreshMs);
      await this.waitFor(region);
      if (!region.ranges) return 'unavailable';
    }
    if (region.ranges!.contains(ip)) return 'allowed';
    const newest = Math.max(region.fetchedAt, region.attemptedAt);
    if (!region.loading && Date.now() - newest >= this.options.refetchOnRefusalAfterMs) {
      void this.load(region, this.options.refetchOnRefusalAfterMs);
    }
    if (region.loading) {
      await this.waitFor(region);
      if (region.ranges!.contains(ip)) return 'allowed';
    }
    return 'denied';
  }

  /** The region of a channel, resolved as GenesysApiClientFactory resolves its API host. */
  apiBaseUrlOf(channel: Channel): string {
    const known = this.baseUrls.get(channel);
    if (known) return known;
    let url: string;
    if (channel.genesys.oauth) {
      url = this.factory.oauthClientFor(channel).apiBaseUrl;
    } else if (this.config.GENESYS_BASE_URL) {
      url = new URL(this.config.GENESYS_BASE_URL).origin;
    } else {
      const env = normalizeGenesysEnvironment(channel.genesys.environment);
      if (!env) throw new Error(`unknown Genesys Cloud environment "${channel.genesys.environment}"`);
      url = genesysHosts(env).api;
    }
    this.baseUrls.set(channel, url);
    return url;
  }

  private regionOf(channel: Channel): Region | undefined {
    let apiBaseUrl: string;
    try {
      apiBaseUrl = this.apiBaseUrlOf(channel);
    } catch (e) {
      this.logger.error({ channelId: channel.id, error: (e as Error).message }, 'cannot tell which Genesys region to load source ranges from');
      return undefined;
    }
    let region = this.regions.get(apiBaseUrl);
    if (!region) {
      region = { apiBaseUrl, channels: new Map(), fetchedAt: 0, attemptedAt: 0, failures: 0 };
      this.regions.set(apiBaseUrl, region);
    }
    // The latest copy of the channel (a rotated OAuth secret), for a token if one is needed.
    region.channels.set(channel.id, channel);
    return region;
  }

  /** Waits for the running load, at most `requestWaitMs`. */
  private async waitFor(region: Region): Promise<void> {
    if (!region.loading) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([region.loading, new Promise<void>((r) => (timer = setTimeout(r, this.options.requestWaitMs)))]);
    clearTimeout(timer);
  }

  /** One load per region at a time; `maxAgeMs`: how old a list may be and still be kept without asking Genesys. */
  private load(region: Region, maxAgeMs: number): Promise<void> {
    region.loading ??= this.doLoad(region, maxAgeMs)
      .catch((e: unknown) => this.logger.error({ apiBaseUrl: region.apiBaseUrl, error: (e as Error).message }, 'loading Genesys source ranges failed'))
      .finally(() => {
        region.loading = undefined;
      });
    return region.loading;
  }

  private async doLoad(region: Region, maxAgeMs: number): Promise<void> {
    const hadList = !!region.ranges;
    const shared = await this.readShared(region);
    if (shared && shared.fetchedAt > region.fetchedAt) this.adopt(region, shared);
    if (region.ranges && Date.now() - region.fetchedAt < maxAgeMs) {
      this.schedule(region, region.fetchedAt + this.refreshMs - Date.now());
      return;
    }
    if (!hadList && region.ranges) {
      // A stale shared copy: serve it now, and ask Genesys right after.
      this.schedule(region, 0, false);
      return;
    }
    await this.fetch(region);
  }

  private async fetch(region: Region): Promise<void> {
    region.attemptedAt = Date.now();
    try {
      const cidrs = await this.source.fetchBotConnectorCidrs(region.apiBaseUrl, [...region.channels.values()]);
      const { ranges, rejected } = SourceRanges.build(cidrs);
      if (rejected.length) {
        this.logger.warn({ apiBaseUrl: region.apiBaseUrl, ignored: rejected.slice(0, 20), count: rejected.length }, 'Genesys listed bot-connector ranges that are not valid CIDRs; they were ignored');
      }
      // An empty list would refuse every call; more likely a glitch than Genesys's real answer.
      if (!ranges.size) throw new Error('Genesys listed no usable bot-connector range');
      const fetchedAt = Date.now();
      const recovered = region.failures;
      region.ranges = ranges;
      region.fetchedAt = fetchedAt;
      region.failures = 0;
      if (recovered) this.logger.log({ apiBaseUrl: region.apiBaseUrl, ranges: ranges.size, afterFailures: recovered }, 'Genesys bot-connector source ranges loaded again');
      else this.logger.debug({ apiBaseUrl: region.apiBaseUrl, ranges: ranges.size }, 'Genesys bot-connector source ranges loaded');
      if (this.closed) return;
      await this.writeShared(region, { apiBaseUrl: region.apiBaseUrl, cidrs: [...ranges.cidrs], fetchedAt });
      this.schedule(region, this.refreshMs);
    } catch (e) {
      region.failures++;
      const error = (e as Error).message;
      if (region.failures === 1) {
        if (region.ranges) {
          this.logger.warn({ apiBaseUrl: region.apiBaseUrl, error, listAgeMs: Date.now() - region.fetchedAt }, 'refreshing Genesys source ranges failed; keeping the last good list');
        } else {
          this.logger.error(
            { apiBaseUrl: region.apiBaseUrl, error, channels: [...region.channels.keys()] },
            'Genesys source ranges could not be loaded; calls to channels that restrict to Genesys IPs get 503 until they are',
          );
        }
      }
      this.schedule(region, Math.min(this.refreshMs, this.options.retryBaseMs * 2 ** (region.failures - 1)));
    }
  }

  private adopt(region: Region, shared: SharedIpRanges): void {
    const { ranges } = SourceRanges.build(shared.cidrs);
    if (!ranges.size) return;
    region.ranges = ranges;
    region.fetchedAt = shared.fetchedAt;
  }

  /** Next load in `delayMs` (± jitter); the timer reads Redis first, so processes share one fetch. */
  private schedule(region: Region, delayMs: number, jitter = true): void {
    if (this.closed) return;
    clearTimeout(region.timer);
    const base = Math.max(0, delayMs);
    const wait = jitter ? base * (1 - JITTER + Math.random() * 2 * JITTER) : base;
    region.timer = setTimeout(() => void this.load(region, this.refreshMs / 2), wait);
    region.timer.unref();
  }

  private async readShared(region: Region): Promise<SharedIpRanges | undefined> {
    try {
      return await this.shared.get(region.apiBaseUrl);
    } catch (e) {
      this.logger.debug({ apiBaseUrl: region.apiBaseUrl, error: (e as Error).message }, 'shared Genesys source ranges not readable');
      return undefined;
    }
  }

  private async writeShared(region: Region, value: SharedIpRanges): Promise<void> {
    try {
      await this.shared.put(value, this.options.sharedTtlMs);
    } catch (e) {
      this.logger.warn({ apiBaseUrl: region.apiBaseUrl, error: (e as Error).message }, 'could not share Genesys source ranges through Redis');
    }
  }
}
