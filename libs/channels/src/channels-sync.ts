import type { Channel } from './channel.types.js';
import type { ChannelRepository } from './channel.repository.js';
import { loadChannelsFile } from './channels-file.loader.js';
import { developmentOnlySettings } from './development-settings.js';

export interface SyncReport {
  loaded: Channel[];
  /** Channels stored disabled because they carry development-only settings where those are not allowed. */
  disabledForDevelopmentSettings: { id: string; fields: string[] }[];
  /** Channels an earlier CHANNELS_FILE defined that this one no longer does. */
  removed: string[];
  /** Channels created with the admin API that the file now defines (its definition replaced theirs). */
  takenOverFromApi: string[];
}

export interface SyncOptions {
  /**
   * Remove file channels the file no longer defines. Only the ingress does: a worker started from
   * an older image or ConfigMap (a scale-out during a rollout) must not delete channels a newer
   * file added.
   */
  removeStale: boolean;
}

/**
 * Makes Redis hold exactly the channels of CHANNELS_FILE, as the file says: the file is the one
 * source of truth for its channels (the admin API refuses to change them, so nothing an admin did
 * is silently undone here). Channels created with the admin API are left alone. A channel with
 * development-only settings is stored disabled where those are not allowed (production), so it can
 * never answer Genesys with a public secret.
 */
export async function syncChannelsFromFile(repo: ChannelRepository, path: string, devSettingsAllowed: boolean, options: SyncOptions): Promise<SyncReport> {
  const channels = await loadChannelsFile(path, repo.providerRules);
  const disabledForDevelopmentSettings: SyncReport['disabledForDevelopmentSettings'] = [];
  const takenOverFromApi: string[] = [];
  for (const ch of channels) {
    if ((await repo.getFresh(ch.id))?.source === 'api') takenOverFromApi.push(ch.id);
    const fields = devSettingsAllowed ? [] : developmentOnlySettings(ch);
    if (fields.length) {
      disabledForDevelopmentSettings.push({ id: ch.id, fields });
      ch.enabled = false;
    }
    await repo.upsert(ch);
  }
  const inFile = new Set(channels.map((c) => c.id));
  const removed: string[] = [];
  for (const stored of options.removeStale ? await repo.list() : []) {
    if (stored.source === 'file' && !inFile.has(stored.id) && (await repo.remove(stored.id))) removed.push(stored.id);
  }
  return { loaded: channels, disabledForDevelopmentSettings, removed, takenOverFromApi };
}

/** What a start should tell the operator about the sync (both processes log the same). */
export function logSyncReport(logger: { error(o: object, m: string): void; warn(o: object, m: string): void; info(o: object, m: string): void }, report: SyncReport): void {
  for (const id of report.takenOverFromApi) {
    logger.warn({ channelId: id }, 'CHANNELS_FILE defines a channel that was created with the admin API: the file\'s definition (and its credentials) replaced it, and it is now changed in the file');
  }
  for (const { id, fields } of report.disabledForDevelopmentSettings) {
    logger.error({ channelId: id, fields }, 'channel has development-only settings (DEV-ONLY secrets or a plain-http Genesys host) and was stored disabled; replace them in CHANNELS_FILE (or set ALLOW_DEV_SECRETS=true for a local demo)');
  }
  for (const id of report.removed) logger.info({ channelId: id }, 'channel removed: CHANNELS_FILE no longer defines it');
}
