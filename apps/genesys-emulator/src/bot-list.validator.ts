import { Problems, isRecord, type ApiErrorDetail } from './api-errors.js';

/**
 * Validation of the v1 bot list (`PUT /api/v2/integrations/botconnector/{id}/bots`, body BotList),
 * written from the Genesys model descriptions (reference §2.6; PY-SDK BotList, BotConnectorBot,
 * BotConnectorBotVersion, BotIntent, BotSlot). Deliberately independent of the gateway's own
 * limits and validation code: two implementations of the same rules catch each other's mistakes.
 */

const MAX_BOTS = 50;
const MAX_VERSIONS = 50;
const MAX_INTENTS = 50;
const MAX_SLOTS = 50;
const MAX_NAME = 100; // version, intent name, slot name
const MAX_DESCRIPTION = 256;

/** Slot types of BotSlot.type; Genesys's own blueprint sends "String", the SDK "string": case-insensitive. */
const SLOT_TYPES = new Set(
  ['string', 'integer', 'decimal', 'duration', 'boolean', 'currency', 'datetime'].flatMap((t) => [t, `${t}collection`]),
);

/** Lower-case W3C tag: ISO 639 language, optional subtags (`en-us`, `es`, `zh-hant-tw`). */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/;

/** "Displayable characters": no control, format, surrogate, private-use, unassigned or line/paragraph separators. */
const NOT_DISPLAYABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

export function validateBotList(body: unknown): ApiErrorDetail[] {
  const p = new Problems();
  if (!isRecord(body)) {
    p.add('', 'invalid.type', 'the body must be a BotList object {"chatBots": [...]}');
    return p.list;
  }
  const bots = body.chatBots;
  if (!Array.isArray(bots)) {
    p.add('chatBots', 'required', 'chatBots must be an array');
    return p.list;
  }
  if (bots.length > MAX_BOTS) p.add('chatBots', 'max.items', `at most ${MAX_BOTS} bots, got ${bots.length}`);
  const botIds = new Set<string>();
  bots.forEach((bot, i) => {
    const at = `chatBots[${i}]`;
    if (!isRecord(bot)) return p.add(at, 'invalid.type', 'must be an object');
    const id = displayable(bot.id, `${at}.id`, p, { required: true });
    if (id !== undefined) {
      if (botIds.has(id)) p.add(`${at}.id`, 'duplicate', `bot id "${id}" appears more than once`);
      botIds.add(id);
    }
    // The SDK marks name optional; Architect lists bots by name, so the emulator requires it.
    displayable(bot.name, `${at}.name`, p, { required: true, max: MAX_NAME });
    displayable(bot.description, `${at}.description`, p, { required: false, max: MAX_DESCRIPTION });
    const versions = bot.versions;
    if (!Array.isArray(versions) || versions.length === 0) return p.add(`${at}.versions`, 'required', 'at least one version is required');
    if (versions.length > MAX_VERSIONS) p.add(`${at}.versions`, 'max.items', `at most ${MAX_VERSIONS} versions per bot, got ${versions.length}`);
    const seenVersions = new Set<string>();
    versions.forEach((version, j) => {
      const vAt = `${at}.versions[${j}]`;
      if (!isRecord(version)) return p.add(vAt, 'invalid.type', 'must be an object');
      const name = displayable(version.version, `${vAt}.version`, p, { required: true, max: MAX_NAME });
      if (name !== undefined) {
        if (seenVersions.has(name)) p.add(`${vAt}.version`, 'duplicate', `version "${name}" appears more than once in bot "${String(bot.id)}"`);
        seenVersions.add(name);
      }
      checkLanguages(version.supportedLanguages, `${vAt}.supportedLanguages`, p);
      checkIntents(version.intents, `${vAt}.intents`, p);
    });
  });
  return p.list;
}

function checkLanguages(v: unknown, at: string, p: Problems): void {
  if (!Array.isArray(v) || v.length === 0) return p.add(at, 'required', 'at least one language tag is required, e.g. ["en-us"]');
  v.forEach((tag, k) => {
    if (typeof tag !== 'string' || !LANGUAGE_TAG.test(tag)) {
      p.add(`${at}[${k}]`, 'invalid.language', `"${String(tag)}" is not a lower-case language tag such as "en-us" or "es" (Genesys matches them exactly)`);
    }
  });
}

function checkIntents(v: unknown, at: string, p: Problems): void {
  if (!Array.isArray(v)) return p.add(at, 'required', 'intents must be an array');
  if (v.length > MAX_INTENTS) p.add(at, 'max.items', `at most ${MAX_INTENTS} intents per version, got ${v.length}`);
  const seen = new Set<string>();
  v.forEach((intent, k) => {
    const iAt = `${at}[${k}]`;
    if (!isRecord(intent)) return p.add(iAt, 'invalid.type', 'must be an object');
    const name = displayable(intent.name, `${iAt}.name`, p, { required: true, max: MAX_NAME });
    if (name !== undefined) {
      // Architect draws one output path per intent, so two intents of the same name cannot both exist.
      if (seen.has(name)) p.add(`${iAt}.name`, 'duplicate', `intent "${name}" appears more than once`);
      seen.add(name);
    }
    // v2 describes entities as an array; v1 uses a `slots` map. Genesys may silently drop the
    // unknown field, which would lose every slot output: the emulator refuses it instead.
    if ('entities' in intent) p.add(`${iAt}.entities`, 'unknown.property', 'v1 bot lists carry slots in a "slots" map; "entities" is the Digital Bot Connector (v2) shape');
    if (intent.slots !== undefined) checkSlots(intent.slots, `${iAt}.slots`, p);
  });
}

function checkSlots(v: unknown, at: string, p: Problems): void {
  if (!isRecord(v)) return p.add(at, 'invalid.type', 'slots must be a map of slot name → {name, type}, not an array');
  const entries = Object.entries(v);
  if (entries.length > MAX_SLOTS) p.add(at, 'max.items', `at most ${MAX_SLOTS} slots per intent, got ${entries.length}`);
  for (const [key, slot] of entries) {
    const sAt = `${at}.${key}`;
    if (!isRecord(slot)) {
      p.add(sAt, 'invalid.type', 'must be an object {name, type}');
      continue;
    }
    const name = displayable(slot.name, `${sAt}.name`, p, { required: true, max: MAX_NAME });
    // Guess: the map key and the slot name are the same thing in every example (BP-PVA, COGNIGY, CXAS).
    if (name !== undefined && name !== key) p.add(`${sAt}.name`, 'mismatch', `slot name "${name}" differs from its map key "${key}"`);
    if (typeof slot.type !== 'string' || !SLOT_TYPES.has(slot.type.toLowerCase())) {
      p.add(`${sAt}.type`, 'invalid.slot.type', `"${String(slot.type)}" is not one of string, integer, decimal, duration, boolean, currency, datetime or their ...Collection forms`);
    }
  }
}

/** A name made of displayable characters without leading or trailing whitespace (PY-SDK wording). */
function displayable(v: unknown, at: string, p: Problems, o: { required: boolean; max?: number }): string | undefined {
  if (v === undefined || v === null) {
    if (o.required) p.add(at, 'required', 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    p.add(at, 'invalid.type', 'must be a string');
    return undefined;
  }
  if (v.length === 0) {
    if (o.required) p.add(at, 'required', 'must not be empty');
    return undefined;
  }
  if (o.max !== undefined && v.length > o.max) p.add(at, 'max.length', `at most ${o.max} characters, got ${v.length}`);
  if (v !== v.trim()) p.add(at, 'whitespace', 'must not start or end with whitespace');
  if (NOT_DISPLAYABLE.test(v)) p.add(at, 'not.displayable', 'must contain displayable characters only');
  return v;
}
