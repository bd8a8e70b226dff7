import { Injectable } from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import type { Models } from 'purecloud-platform-client-v2';
import type { Channel } from '@app/channels';
import { GenesysApiClientFactory, GenesysApiError, botConnectorIpRanges } from '@app/genesys-api';

const PATH = '/api/v2/ipranges';
const TIMEOUT_MS = 5_000;
/** The published list is a few hundred entries; anything far larger is not it. */
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** A fetch of the ranges that failed; the message names the host and status, never a token. */
export class IpRangesFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpRangesFetchError';
  }
}

/** Where GenesysIpRanges gets a region's list from; tests pass their own. */
export interface IpRangesSource {
  /**
   * The `bot-connector` CIDRs Genesys publishes at `apiBaseUrl`. `channels` are the channels of
   * that region that use the check; one with `genesys.oauth` supplies a token if Genesys wants one.
   */
  fetchBotConnectorCidrs(apiBaseUrl: string, channels: readonly Channel[]): Promise<string[]>;
}

/**
 * `GET /api/v2/ipranges`. The reference (§2.1) says it needs no permission, the SDK says it needs
 * OAuth: it is asked without a token first, and only after a 401 with a channel's API client
 * (remembered per region, so Genesys does not see a 401 every refresh).
 */
@Injectable()
export class GenesysIpRangesFetcher implements IpRangesSource {
  private readonly http: AxiosInstance = axios.create();
  private readonly needsToken = new Set<string>();

  constructor(private readonly factory: GenesysApiClientFactory) {}

  async fetchBotConnectorCidrs(apiBaseUrl: string, channels: readonly Channel[]): Promise<string[]> {
    if (!this.needsToken.has(apiBaseUrl)) {
      const listing = await this.withoutToken(apiBaseUrl);
      if (listing) return cidrsOf(listing);
      this.needsToken.add(apiBaseUrl);
    }
    const channel = channels.find((c) => c.genesys.oauth);
    if (!channel) {
      throw new IpRangesFetchError(`${apiBaseUrl} wants a token for GET ${PATH}, and no channel of this region that restricts to Genesys IPs has genesys.oauth to get one with`);
    }
    try {
      return cidrsOf(await this.factory.forChannel(channel).getIpRanges());
    } catch (e) {
      const detail = e instanceof GenesysApiError ? `HTTP ${e.status} ${e.code}: ${e.message}` : (e as Error).message;
      throw new IpRangesFetchError(`GET ${apiBaseUrl}${PATH} with the token of channel "${channel.id}" failed (${detail})`);
    }
  }

  /** The listing, or undefined when Genesys answered 401 (a token is needed). */
  private async withoutToken(apiBaseUrl: string): Promise<Models.IpAddressRangeListing | undefined> {
    let status: number;
    let text: string;
    try {
      const res = await this.http.request<string>({
        method: 'GET',
        url: apiBaseUrl + PATH,
        headers: { Accept: 'application/json' },
        timeout: TIMEOUT_MS,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
      });
      status = res.status;
      text = typeof res.data === 'string' ? res.data : '';
    } catch (e) {
      // Only the code: the axios error carries the whole request config.
      const err = e as { code?: unknown; cause?: { code?: unknown } };
      const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : 'UNKNOWN';
      throw new IpRangesFetchError(`could not reach ${apiBaseUrl} (${code})`);
    }
    if (status === 401) return undefined;
    if (status !== 200) throw new IpRangesFetchError(`GET ${apiBaseUrl}${PATH} answered HTTP ${status}`);
    try {
      const body = JSON.parse(text) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body)) return body as Models.IpAddressRangeListing;
    } catch {
      /* reported below */
    }
    throw new IpRangesFetchError(`GET ${apiBaseUrl}${PATH} answered something that is not a JSON object`);
  }
}

function cidrsOf(listing: Models.IpAddressRangeListing): string[] {
  if (!Array.isArray(listing.entities)) throw new IpRangesFetchError(`GET ${PATH} answered without an entities list`);
  return botConnectorIpRanges(listing).map((r) => r.cidr!);
}
