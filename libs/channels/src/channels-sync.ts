import type { Channel } from './channel.types.js';
import type { ChannelRepository } from './channel.repository.js';
import { loadChannelsFile, usesDevSecret } from './channels-file.loader.js';

export interface SyncReport {
  loaded: Channel[];
  /** Channels disabled because they carry development-only secrets where those are not allowed. */
  refusedDevSecrets: string[];
}

/**
 * Upserts the channels of CHANNELS_FILE into Redis. Channels created elsewhere (admin API) are
 * left alone. A channel still using a development-only secret is stored disabled when such
 * secrets are not allowed (production), so it can never answer Genesys with a public secret.
 */
export async function syncChannelsFromFile(repo: ChannelRepository, path: string, devSecretsAllowed: boolean): Promise<SyncReport> {
  const channels = await loadChannelsFile(path);
  const refusedDevSecrets: string[] = [];
  for (const ch of channels) {
    if (!devSecretsAllowed && usesDevSecret(ch)) {
      refusedDevSecrets.push(ch.id);
      ch.enabled = false;
    }
    await repo.upsert(ch);
  }
  return { loaded: channels, refusedDevSecrets };
}
