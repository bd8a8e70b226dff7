import type { NumberedChoice } from '../rendering/structured-message.renderer.js';

/** What the gateway remembers about one bot session between turns (Redis, TTL = botSessionTimeout). */
export interface SessionState {
  channelId: string;
  botSessionId: string;
  botId: string;
  genesysConversationId?: string;
  language: string;
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
  /** Set once the bot session ended (handoff, end, failure); Genesys sends no more turns. */
  closed?: 'handoff' | 'end' | 'failed';
  createdAt: string;
  lastTurnAt: string;
  /** Minutes Genesys keeps the bot session (botSessionTimeout). */
  timeoutMinutes: number;
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
