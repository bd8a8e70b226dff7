import { badRequest, notFound, type ApiErrorDetail } from './api-errors.js';
import { empty, json, type EmulatorResponse } from './emulator-response.js';
import type { EmulatorIntegration } from './emulator.options.js';
import { validateBotList } from './bot-list.validator.js';

/** One `PUT …/bots` as received, accepted or not, for assertions ("the gateway registered exactly once"). */
export interface BotListPut {
  at: string;
  status: number;
  botList: unknown;
  errors?: ApiErrorDetail[];
}

interface StoredBot {
  id: string;
  versions: { version: string; intents: { name: string }[] }[];
}

/**
 * The v1 bot list store (reference §2.6): vendors PUT the whole list, Genesys keeps it per
 * integration and Architect fills its bot, version and intent pickers from it.
 */
export class BotListEmulator {
  private readonly lists = new Map<string, unknown>();
  private readonly history = new Map<string, BotListPut[]>();

  constructor(
    private readonly integrations: ReadonlyMap<string, Required<EmulatorIntegration>>,
    private readonly now: () => number,
  ) {}

  put(integrationId: string, body: unknown): EmulatorResponse {
    const integration = this.integrations.get(integrationId);
    // Guess: a Digital Bot Connector integration has no PUT-able list (Genesys GETs it from the
    // connector, reference §3.2), so the v1 bot-list service does not know the id at all.
    if (!integration || integration.type !== 'botconnector') {
      return notFound(integration ? `Integration ${integrationId} is a Digital Bot Connector integration; its bots are read from the connector's GET {base}/bots, not PUT here` : `Integration ${integrationId} not found`);
    }
    const errors = validateBotList(body);
    const log = this.historyOf(integrationId);
    const at = new Date(this.now()).toISOString();
    if (errors.length) {
      log.push({ at, status: 400, botList: structuredClone(body), errors });
      return badRequest('Bot list is invalid', errors);
    }
    this.lists.set(integrationId, structuredClone(body));
    log.push({ at, status: 204, botList: structuredClone(body) });
    return empty(204);
  }

  get(integrationId: string): EmulatorResponse {
    const integration = this.integrations.get(integrationId);
    if (!integration || integration.type !== 'botconnector') return notFound(`Integration ${integrationId} not found`);
    return json(200, structuredClone(this.lists.get(integrationId) ?? { chatBots: [] }));
  }

  /** Every PUT for this integration, oldest first (accepted ones have status 204). */
  historyOf(integrationId: string): BotListPut[] {
    let log = this.history.get(integrationId);
    if (!log) this.history.set(integrationId, (log = []));
    return log;
  }

  /**
   * Intent names registered for one bot version, or undefined when nothing is registered for it
   * (then the flow's own intent paths are the only reference). Matches the bot by id or by name,
   * as Architect shows names.
   */
  registeredIntents(integrationId: string, botId: string, version: string): string[] | undefined {
    const list = this.lists.get(integrationId) as { chatBots: (StoredBot & { name?: string })[] } | undefined;
    const bot = list?.chatBots.find((b) => b.id === botId) ?? list?.chatBots.find((b) => b.name === botId);
    const v = bot?.versions.find((x) => x.version === version);
    return v ? v.intents.map((i) => i.name) : undefined;
  }
}
