import { checkGenesysBaseUrl } from '@app/genesys';
import type { Channel } from './channel.types.js';

/** Secrets shipped in the repository for the demo start with this and must never face Genesys. */
export const DEV_SECRET_PREFIX = 'DEV-ONLY';

export function isDevSecret(secret: string | undefined): boolean {
  return !!secret?.startsWith(DEV_SECRET_PREFIX);
}

/**
 * The fields of a channel that only belong on a developer's machine: the public DEV-ONLY secrets
 * of the shipped demo, and a plain-http Genesys host (the local emulator). A channel with any of
 * them is never served where development settings are not allowed (production), whichever way it
 * was configured.
 */
export function developmentOnlySettings(channel: Channel): string[] {
  const found: string[] = [];
  channel.app.clientSecrets.forEach((s, i) => isDevSecret(s) && found.push(`app.clientSecrets[${i}]`));
  if (isDevSecret(channel.genesys.digitalBotConnector?.secret)) found.push('genesys.digitalBotConnector.secret');
  const oauth = channel.genesys.oauth;
  if (isDevSecret(oauth?.clientSecret)) found.push('genesys.oauth.clientSecret');
  if (oauth?.baseUrl) {
    const checked = checkGenesysBaseUrl(oauth.baseUrl);
    if ('localEmulator' in checked && checked.localEmulator) found.push('genesys.oauth.baseUrl');
  }
  return found;
}
