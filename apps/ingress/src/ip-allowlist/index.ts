import type { Provider } from '@nestjs/common';
import { GenesysIpRangesFetcher } from './genesys-ip-ranges.fetcher.js';
import { GenesysIpRanges } from './genesys-ip-ranges.service.js';
import { GenesysSourceCheck } from './genesys-source-check.service.js';

export { GenesysIpRangesFetcher, IpRangesFetchError, type IpRangesSource } from './genesys-ip-ranges.fetcher.js';
export { GenesysIpRanges, IP_RANGES_OPTIONS, type IpRangesOptions, type SourceVerdict } from './genesys-ip-ranges.service.js';
export { GenesysSourceCheck } from './genesys-source-check.service.js';
export { SourceRanges, type RejectedCidr } from './source-ranges.js';
export { trustProxyHops } from './trust-proxy.js';

/** What the ingress module registers for the Genesys source-range check. */
export const IP_ALLOWLIST_PROVIDERS: Provider[] = [GenesysIpRangesFetcher, GenesysIpRanges, GenesysSourceCheck];
