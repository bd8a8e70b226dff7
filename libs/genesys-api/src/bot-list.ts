import type { Models } from 'purecloud-platform-client-v2';
import { HANDOFF_SLOTS, registeredIntentDefinitions, type Channel, type ChannelBot } from '@app/channels';
import { BotListLimits, isBotSlotType, isDisplayableName, normalizeLanguageCode } from '@app/genesys';
import type { BotListDrift, BotVersionRef } from './bot-list-drift.js';

export type { BotListDrift, BotVersionRef };

/** The handoff intent's slots as a v1 `slots` map (the definition lives in @app/channels). */
export const HANDOFF_SLOT_MAP: Readonly<Record<string, Models.BotSlot>> = Object.fromEntries(HANDOFF_SLOTS.map(({ name, type }) => [name, { name, type }]));

export class BotListValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`The bot list would be refused by Genesys:\n  - ${problems.join('\n  - ')}`);
    this.name = 'BotListValidationError';
  }
}

/**
 * The v1 bot list for a channel: every bot, every configured version, and per version the bot's
 * intents plus the channel's handoff and end intents, which the gateway may answer with on any
 * turn and so must always exist as Architect output paths.
 */
export function buildBotList(channel: Channel): Models.BotList {
  return {
    chatBots: channel.bots.map((bot) => ({
      id: bot.id,
      name: bot.name,
      ...(bot.description ? { description: bot.description } : {}),
      versions: bot.versions.map((version) => ({
        version,
        supportedLanguages: languagesOf(bot),
        intents: intentsOf(channel, bot),
      })),
    })),
  };
}

function languagesOf(bot: ChannelBot): string[] {
  return unique(bot.languages.map((l) => normalizeLanguageCode(l) ?? l.toLowerCase()));
}

function intentsOf(channel: Channel, bot: ChannelBot): Models.BotIntent[] {
  return registeredIntentDefinitions(channel, bot.id).map((i) =>
    i.slots.length ? { name: i.name, slots: Object.fromEntries(i.slots.map((slot) => [slot.name, { name: slot.name, type: slot.type }])) } : { name: i.name },
  );
}

/**
 * Every reason Genesys would refuse the list (or Architect would misbehave with it), each as
 * `<field path>: <problem>` with the exact path, e.g. `chatBots[0].versions[1].intents[3].name:
 * longer than 100 characters`. Empty when the list may be published.
 */
export function validateBotList(list: Models.BotList): string[] {
  const problems: string[] = [];
  const p = (path: string, problem: string) => problems.push(`${path}: ${problem}`);
  if (!isObject(list) || !Array.isArray(list.chatBots)) {
    p('chatBots', 'must be an array');
    return problems;
  }
  if (list.chatBots.length > BotListLimits.maxBots) p('chatBots', `more than ${BotListLimits.maxBots} bots (${list.chatBots.length})`);
  const botIds = new Map<string, number>();
  list.chatBots.forEach((bot, b) => {
    const bp = `chatBots[${b}]`;
    if (!isObject(bot)) return p(bp, 'must be an object');
    if (typeof bot.id !== 'string' || !bot.id) p(`${bp}.id`, 'required');
    else {
      checkName(p, `${bp}.id`, bot.id, BotListLimits.maxBotIdLength);
      duplicate(p, botIds, bot.id, b, `${bp}.id`, (i) => `chatBots[${i}].id`);
    }
    if (bot.name !== undefined) checkName(p, `${bp}.name`, bot.name, BotListLimits.maxBotNameLength);
    if (bot.description !== undefined) {
      if (typeof bot.description !== 'string') p(`${bp}.description`, 'must be a string');
      else if (bot.description.length > BotListLimits.maxDescriptionLength) p(`${bp}.description`, `longer than ${BotListLimits.maxDescriptionLength} characters`);
    }
    if (!Array.isArray(bot.versions)) return p(`${bp}.versions`, 'must be an array');
    if (bot.versions.length === 0) p(`${bp}.versions`, 'must list at least one version');
    if (bot.versions.length > BotListLimits.maxVersions) p(`${bp}.versions`, `more than ${BotListLimits.maxVersions} versions (${bot.versions.length})`);
    const versions = new Map<string, number>();
    bot.versions.forEach((ver, v) => {
      const vp = `${bp}.versions[${v}]`;
      if (!isObject(ver)) return p(vp, 'must be an object');
      if (typeof ver.version !== 'string' || !ver.version) p(`${vp}.version`, 'required');
      else {
        checkName(p, `${vp}.version`, ver.version, BotListLimits.maxVersionLength);
        duplicate(p, versions, ver.version, v, `${vp}.version`, (i) => `${bp}.versions[${i}].version`);
      }
      checkLanguages(p, `${vp}.supportedLanguages`, ver.supportedLanguages);
      if (!Array.isArray(ver.intents)) return p(`${vp}.intents`, 'must be an array');
      if (ver.intents.length > BotListLimits.maxIntents) p(`${vp}.intents`, `more than ${BotListLimits.maxIntents} intents (${ver.intents.length})`);
      const intents = new Map<string, number>();
      ver.intents.forEach((intent, i) => {
        const ip = `${vp}.intents[${i}]`;
        if (!isObject(intent)) return p(ip, 'must be an object');
        if (typeof intent.name !== 'string' || !intent.name) p(`${ip}.name`, 'required');
        else {
          checkName(p, `${ip}.name`, intent.name, BotListLimits.maxIntentNameLength);
          duplicate(p, intents, intent.name, i, `${ip}.name`, (j) => `${vp}.intents[${j}].name`);
        }
        checkSlots(p, `${ip}.slots`, intent.slots);
      });
    });
  });
  return problems;
}

/** Throws BotListValidationError with every problem; returns the list when it is valid. */
export function assertValidBotList(list: Models.BotList): Models.BotList {
  const problems = validateBotList(list);
  if (problems.length) throw new BotListValidationError(problems);
  return list;
}

type Report = (path: string, problem: string) => void;

function checkName(p: Report, path: string, value: unknown, max: number): void {
  if (typeof value !== 'string') return p(path, 'must be a string');
  if (value.length > max) p(path, `longer than ${max} characters`);
  if (!isDisplayableName(value)) p(path, 'must be displayable characters without leading or trailing whitespace');
}

function duplicate(p: Report, seen: Map<string, number>, value: string, index: number, path: string, pathOf: (i: number) => string): void {
  const first = seen.get(value);
  if (first !== undefined) p(path, `duplicate of ${pathOf(first)} ("${value}")`);
  else seen.set(value, index);
}

function checkLanguages(p: Report, path: string, langs: unknown): void {
  if (!Array.isArray(langs)) return p(path, 'must be an array');
  if (langs.length === 0) p(path, 'must list at least one language');
  const seen = new Map<string, number>();
  langs.forEach((l, i) => {
    const lp = `${path}[${i}]`;
    if (typeof l !== 'string' || !normalizeLanguageCode(l) || normalizeLanguageCode(l) !== l) {
      return p(lp, `"${String(l)}" is not a lower-case language tag (e.g. en-us)`);
    }
    duplicate(p, seen, l, i, lp, (j) => `${path}[${j}]`);
  });
}

function checkSlots(p: Report, path: string, slots: unknown): void {
  if (slots === undefined) return;
  if (!isObject(slots)) return p(path, 'must be an object mapping slot names to slots');
  const entries = Object.entries(slots);
  if (entries.length > BotListLimits.maxSlots) p(path, `more than ${BotListLimits.maxSlots} slots (${entries.length})`);
  for (const [key, slot] of entries) {
    const sp = `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
    if (!isObject(slot)) {
      p(sp, 'must be an object');
      continue;
    }
    if (typeof slot.name !== 'string' || !slot.name) p(`${sp}.name`, 'required');
    else {
      checkName(p, `${sp}.name`, slot.name, BotListLimits.maxSlotNameLength);
      if (slot.name !== key) p(`${sp}.name`, `"${slot.name}" differs from its key "${key}"`);
    }
    if (!isBotSlotType(slot.type)) p(`${sp}.type`, `"${String(slot.type)}" is not a slot type (String, Integer, Decimal, Duration, Boolean, Currency, Datetime, or one of those + Collection)`);
  }
}

/** Compares the list the channel would publish with the one Genesys holds (`undefined`: none yet). */
export function botListDrift(configured: Models.BotList, published: Models.BotList | undefined): BotListDrift {
  const drift: BotListDrift = { inSync: false, missingBots: [], missingVersions: [], changedVersions: [], extraBots: [], extraVersions: [], changedBots: [] };
  const pubBots = new Map((published?.chatBots ?? []).map((b) => [b.id, b]));
  const cfgIds = new Set(configured.chatBots.map((b) => b.id));
  for (const bot of configured.chatBots) {
    const pub = pubBots.get(bot.id);
    if (!pub) {
      drift.missingBots.push(bot.id);
      continue;
    }
    const botDiffs: string[] = [];
    if ((bot.name ?? '') !== (pub.name ?? '')) botDiffs.push(`name: published "${pub.name ?? ''}", configured "${bot.name ?? ''}"`);
    if ((bot.description ?? '') !== (pub.description ?? '')) botDiffs.push('description differs');
    if (botDiffs.length) drift.changedBots.push({ botId: bot.id, differences: botDiffs });
    const pubVersions = new Map((pub.versions ?? []).map((v) => [v.version, v]));
    for (const ver of bot.versions) {
      const pv = pubVersions.get(ver.version);
      if (!pv) drift.missingVersions.push({ botId: bot.id, version: ver.version });
      else {
        const differences = versionDifferences(ver, pv);
        if (differences.length) drift.changedVersions.push({ botId: bot.id, version: ver.version, differences });
      }
    }
    const cfgVersions = new Set(bot.versions.map((v) => v.version));
    for (const pv of pub.versions ?? []) if (!cfgVersions.has(pv.version)) drift.extraVersions.push({ botId: bot.id, version: pv.version });
  }
  for (const id of pubBots.keys()) if (!cfgIds.has(id)) drift.extraBots.push(id);
  drift.inSync =
    !drift.missingBots.length &&
    !drift.missingVersions.length &&
    !drift.changedVersions.length &&
    !drift.extraBots.length &&
    !drift.extraVersions.length &&
    !drift.changedBots.length;
  return drift;
}

function versionDifferences(cfg: Models.BotConnectorBotVersion, pub: Models.BotConnectorBotVersion): string[] {
  const diffs: string[] = [];
  const langs = (l: string[] | undefined) => unique((l ?? []).map((x) => x.toLowerCase())).sort();
  const cl = langs(cfg.supportedLanguages);
  const pl = langs(pub.supportedLanguages);
  if (cl.join(',') !== pl.join(',')) diffs.push(`supportedLanguages: published [${pl.join(', ')}], configured [${cl.join(', ')}]`);

  const pubIntents = new Map((pub.intents ?? []).map((i) => [i.name, i]));
  const cfgIntents = new Map((cfg.intents ?? []).map((i) => [i.name, i]));
  for (const [name, ci] of cfgIntents) {
    const pi = pubIntents.get(name);
    if (!pi) {
      diffs.push(`intent "${name}": not published`);
      continue;
    }
    const cs = ci.slots ?? {};
    const ps = pi.slots ?? {};
    for (const [key, slot] of Object.entries(cs)) {
      const other = ps[key];
      if (!other) diffs.push(`intent "${name}" slot "${key}": not published`);
      else {
        if (slot.name !== other.name) diffs.push(`intent "${name}" slot "${key}": name published "${other.name}", configured "${slot.name}"`);
        if (String(slot.type).toLowerCase() !== String(other.type).toLowerCase()) diffs.push(`intent "${name}" slot "${key}": type published ${other.type}, configured ${slot.type}`);
      }
    }
    for (const key of Object.keys(ps)) if (!(key in cs)) diffs.push(`intent "${name}" slot "${key}": published but not configured`);
  }
  for (const name of pubIntents.keys()) if (!cfgIntents.has(name)) diffs.push(`intent "${name}": published but not configured`);
  return diffs;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * How a drift reads once versions are understood as frozen: a flow keeps the version it was
 * published with, so only each bot's newest configured version must carry the current intents.
 * Older versions that Genesys holds with other intents are expected (they are what running flows
 * use), and so are versions and bots Genesys keeps that the channel no longer lists.
 */
export interface PublishState {
  /** Nothing to publish: every configured bot and version exists, and each bot's newest version is current. */
  upToDate: boolean;
  /** Newest versions live with other intents: a new version is needed (or a forced overwrite). */
  changedLatest: Array<BotVersionRef & { differences: string[] }>;
  /** Older versions live with their original intents: left as they are. */
  frozen: BotVersionRef[];
}

export function publishState(configured: Models.BotList, drift: BotListDrift): PublishState {
  const latest = new Map(configured.chatBots.map((b) => [b.id, b.versions.at(-1)?.version]));
  const changedLatest = drift.changedVersions.filter((v) => latest.get(v.botId) === v.version);
  const frozen = drift.changedVersions.filter((v) => latest.get(v.botId) !== v.version).map(({ botId, version }) => ({ botId, version }));
  return { upToDate: !drift.missingBots.length && !drift.missingVersions.length && !changedLatest.length && !drift.changedBots.length, changedLatest, frozen };
}
