import {
  BotState,
  DBC_ENTITY_TYPES,
  type BotConnectorResponse,
  type DbcBot,
  type DbcEntityType,
  type DbcEntityValue,
  type IncomingMessagesResponse,
  type OutgoingMessageBody,
} from '@app/genesys';
import type { Channel, ChannelBot } from './channel.types.js';
import { HANDOFF_SLOTS, registeredIntentDefinitions } from './handoff-response.js';

/** The provider name Genesys records for analytics (§3.2: ≤ 100 characters). */
export const DBC_PROVIDER = 'genesys-bot-gateway';

const ENTITY_TYPE_BY_LOWER = new Map<string, DbcEntityType>(DBC_ENTITY_TYPES.map((t) => [t.toLowerCase(), t]));

/** Slot types are configured case-insensitively (v1 uses lower case); v2 wants its own casing. */
export function dbcEntityType(type: string): DbcEntityType {
  return ENTITY_TYPE_BY_LOWER.get(type.toLowerCase()) ?? 'String';
}

/** One bot as `GET {base}/bots` describes it: every configured version, every registered intent. */
export function dbcBotOf(channel: Channel, bot: ChannelBot): DbcBot {
  const intents = registeredIntentDefinitions(channel, bot.id).map((i) => ({
    name: i.name,
    ...(i.slots.length ? { entities: i.slots.map((s) => ({ name: s.name, type: dbcEntityType(s.type) })) } : {}),
  }));
  return {
    id: bot.id,
    name: bot.name,
    provider: DBC_PROVIDER,
    ...(bot.description ? { description: bot.description } : {}),
    versions: bot.versions.map((version) => ({ version, supportedLanguages: [...bot.languages], intents })),
  };
}

/**
 * Our response in the v2 shape. A handoff also carries its slots as `entities`, since Architect
 * exposes the entities of the intent path taken (§3.4); they must match what `/bots` declared.
 */
export function toDbcResponse(channel: Channel, response: BotConnectorResponse): IncomingMessagesResponse {
  if (response.botState !== BotState.Complete || response.intent !== channel.handoff.intent) return response;
  const entities: DbcEntityValue[] = [];
  for (const slot of HANDOFF_SLOTS) {
    const value = response.parameters?.[slot.parameter];
    if (value) entities.push({ name: slot.name, type: slot.type, value });
  }
  return entities.length ? { ...response, entities } : response;
}

export interface OutgoingTarget {
  botId: string;
  botVersion: string;
  botSessionId: string;
  languageCode: string;
}

/** A result delivered later through the outgoing-messages API (§3.5). */
export function toOutgoingMessage(channel: Channel, target: OutgoingTarget, response: BotConnectorResponse): OutgoingMessageBody {
  const v2 = toDbcResponse(channel, response);
  const body: OutgoingMessageBody = { ...target, botState: v2.botState, replyMessages: v2.replyMessages ?? [] };
  if (v2.intent) body.intent = v2.intent;
  if (v2.confidence !== undefined) body.confidence = v2.confidence;
  if (v2.parameters && Object.keys(v2.parameters).length) body.parameters = v2.parameters;
  if (v2.entities?.length) body.entities = v2.entities;
  if (v2.errorInfo) {
    const { errorCode, errorMessage } = v2.errorInfo;
    body.errorInfo = { errorCode, errorMessage, code: errorCode, message: errorMessage };
  }
  return body;
}
