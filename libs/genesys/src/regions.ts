/** Genesys Cloud environments by AWS region (reference genesys-protocol.md §5.1). The one table. */
export const GENESYS_REGIONS: Readonly<Record<string, string>> = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'eusc-de-east-1': 'edee1.eusc-pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
};

const KNOWN_ENVIRONMENTS = new Set(Object.values(GENESYS_REGIONS));

/**
 * Accepts what an admin pastes (a login, API or apps URL, or a bare domain) and returns the
 * environment domain, or undefined when it is not a known Genesys environment.
 */
export function normalizeGenesysEnvironment(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  let host = input.trim().toLowerCase();
  host = host.replace(/^[a-z]+:\/\//, '');
  host = host.split(/[/?#]/, 1)[0] ?? '';
  host = host.replace(/:\d+$/, '');
  host = host.replace(/^(login|api|apps|webmessaging)\./, '');
  if (KNOWN_ENVIRONMENTS.has(host)) return host;
  const byRegion = GENESYS_REGIONS[host];
  return byRegion;
}

export function isKnownGenesysEnvironment(env: string): boolean {
  return KNOWN_ENVIRONMENTS.has(env);
}

export function genesysHosts(env: string): { api: string; login: string; apps: string } {
  return { api: `https://api.${env}`, login: `https://login.${env}`, apps: `https://apps.${env}` };
}

