import { GenesysLimits } from './limits.js';

/**
 * Limits of the v1 bot list (`PUT /api/v2/integrations/botconnector/{integrationId}/bots`),
 * from the PY-SDK model descriptions (reference genesys-protocol.md §2.6). The counts reuse
 * GenesysLimits so the channel schema and the bot list validator cannot disagree.
 */
export const BotListLimits = {
  maxBots: GenesysLimits.maxBots,
  maxDescriptionLength: GenesysLimits.maxDescriptionLength,
  maxVersions: GenesysLimits.maxBotVersions,
  maxVersionLength: 100,
  maxIntents: GenesysLimits.maxIntents,
  maxIntentNameLength: GenesysLimits.maxNameLength,
  maxSlots: GenesysLimits.maxSlots,
  maxSlotNameLength: GenesysLimits.maxNameLength,
  maxBotNameLength: GenesysLimits.maxNameLength,
  /** Genesys publishes no bound for the user-chosen bot id; this one is ours. */
  maxBotIdLength: GenesysLimits.maxIdLength,
} as const;

/**
 * Slot types, as the SDKs spell them. Genesys accepts any case in practice (PY-SDK lower case,
 * the official blueprint `String`), so compare with `isBotSlotType`, never with `includes`.
 */
export const BOT_SLOT_TYPES = [
  'String',
  'Integer',
  'Decimal',
  'Duration',
  'Boolean',
  'Currency',
  'Datetime',
  'StringCollection',
  'IntegerCollection',
  'DecimalCollection',
  'DurationCollection',
  'BooleanCollection',
  'CurrencyCollection',
  'DatetimeCollection',
] as const;

export type BotSlotType = (typeof BOT_SLOT_TYPES)[number];

const SLOT_TYPES_LOWER = new Set(BOT_SLOT_TYPES.map((t) => t.toLowerCase()));

export function isBotSlotType(type: unknown): boolean {
  return typeof type === 'string' && SLOT_TYPES_LOWER.has(type.toLowerCase());
}

/**
 * "Displayable characters without leading or trailing whitespace" (PY-SDK): Architect shows these
 * names in drop-downs and output paths, so control characters and padding are refused.
 */
export function isDisplayableName(name: unknown): boolean {
  return typeof name === 'string' && /^\S(.*\S)?$/su.test(name) && !/\p{Cc}/u.test(name);
}
