/**
 * The bot-list drift as GET/POST /api/channels/:id/publish report it, shared with the console
 * (which imports this file as is: keep it free of imports).
 */

export interface BotVersionRef {
  botId: string;
  version: string;
}

export interface BotListDrift {
  /** Genesys holds exactly what the channel configures (up to case where Genesys ignores it). */
  inSync: boolean;
  /** Configured bots Genesys does not list: publishing adds them. */
  missingBots: string[];
  /** Configured versions of listed bots that Genesys lacks: publishing adds them. */
  missingVersions: BotVersionRef[];
  /**
   * Versions present on both sides whose intents, slots or languages differ. Published flows keep
   * the list they were published with, so the fix is a new version, not a republish.
   */
  changedVersions: Array<BotVersionRef & { differences: string[] }>;
  /** Bots Genesys lists that the channel no longer configures: a publish (PUT) would delete them. */
  extraBots: string[];
  /** Versions Genesys lists that the channel no longer configures: a publish would delete them. */
  extraVersions: BotVersionRef[];
  /** Bot name or description differ; a publish overwrites them. */
  changedBots: Array<{ botId: string; differences: string[] }>;
}
