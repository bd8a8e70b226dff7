import { isLoopbackHostname } from '@app/net';

export type GenesysBaseUrlCheck = { origin: string; localEmulator: boolean } | { problem: string };

/**
 * An override of the Genesys login and API hosts (GENESYS_BASE_URL, a channel's
 * `genesys.oauth.baseUrl`): OAuth client secrets and tokens are sent there, so it must be https.
 * Plain http is accepted only on a loopback host, which is the local emulator, and callers treat
 * that as a development-only setting.
 */
export function checkGenesysBaseUrl(raw: string): GenesysBaseUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'must be an https URL' };
  }
  if (url.username || url.password) return { problem: 'must not carry credentials' };
  if (url.protocol === 'https:') return { origin: url.origin, localEmulator: false };
  if (url.protocol === 'http:' && isLoopbackHostname(url.hostname)) return { origin: url.origin, localEmulator: true };
  return { problem: 'must be an https URL (http only for the local emulator on a loopback host)' };
}
