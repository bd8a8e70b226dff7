import type { SessionSummary } from '@app/store';
import type { NumberedChoice } from '../rendering/structured-message.renderer.js';

/** What the gateway remembers about one bot session between turns (Redis, TTL = botSessionTimeout). */
export interface SessionState extends SessionSummary {
  turnIndex: number;
  consecutiveFallbacks: number;
  /** Bot-owned state, returned by the provider and given back on the next turn. */
  botState: Record<string, unknown>;
  /** Architect session variables received so far (Genesys may send them on the first turn only). */
  parameters: Record<string, string>;
  /** Numbered options of the last response, when buttons had to be degraded to text. */
  choices: NumberedChoice[];
  /** Button payloads the renderer had to make unique in the last response → the bot's payloads. */
  payloadAliases?: Record<string, string>;
  createdAt: string;
}

export function newSession(channelId: string, botSessionId: string, botId: string, language: string, timeoutMinutes: number): SessionState {
  const now = new Date().toISOString();
  return {
    channelId,
    botSessionId,
    botId,
    language,
    turnIndex: 0,
    consecutiveFallbacks: 0,
    botState: {},
    parameters: {},
    choices: [],
    createdAt: now,
    lastTurnAt: now,
    timeoutMinutes,
  };
}
