import { BotState, GenesysLimits, type BotConnectorResponse, type ReplyMessage } from '@app/genesys';
import { redactorFor } from '@app/privacy';
import type { Channel } from './channel.types.js';

export interface HandoffDetails {
  reason: string;
  /** The bot's own words for why (a backend's handoff reason), next to the gateway's category in `reason`. */
  detail?: string;
  queue?: string;
  summary?: string;
  lastUtterance?: string;
  language: string;
}

/** The farewell for a language: exact tag, then primary language, then `default`. */
export function farewellFor(channel: Channel, language: string): string {
  const f = channel.handoff.farewell;
  return f[language] ?? f[language.split('-')[0]!] ?? f.default ?? 'Connecting you to an agent.';
}

/**
 * Architect reads these names from the session-variable outputs; values must be strings (reference §2.4).
 * The texts an agent reads (summary, last utterance, the bot's reason) are redacted here, under the
 * channel's policy, before they are clipped: this is the one place both the worker's handoffs and
 * the ingress's deadline handoff build them, and the participant data is written from them.
 */
export function handoffParameters(channel: Channel, d: HandoffDetails): Record<string, string> {
  const redactor = redactorFor(channel.privacy);
  const clip = (s: string | undefined, n: number) => (s ?? '').slice(0, n);
  return {
    handoffReason: d.reason,
    handoffQueue: d.queue ?? channel.handoff.defaultQueue ?? '',
    handoffSummary: clip(redactor.text('handoff.summary', d.summary), GenesysLimits.maxParameterValueLength),
    lastUtterance: clip(redactor.text('handoff.lastUtterance', d.lastUtterance), GenesysLimits.maxParameterValueLength),
    language: d.language,
    ...(d.detail ? { handoffDetail: clip(redactor.text('handoff.detail', d.detail), GenesysLimits.maxParameterValueLength) } : {}),
  };
}

/**
 * `Complete` with the channel's handoff intent leaves the Call Bot Connector action on that
 * intent's path, where the flow transfers to ACD (reference §4). The farewell goes in the same
 * response because the bot session closes with it.
 */
export function buildHandoffResponse(channel: Channel, d: HandoffDetails, before: ReplyMessage[] = []): BotConnectorResponse {
  return {
    botState: BotState.Complete,
    intent: channel.handoff.intent,
    confidence: 1,
    replyMessages: [...before, { type: 'Text', text: farewellFor(channel, d.language) }],
    parameters: handoffParameters(channel, d),
  };
}

/** The hold answer: keep the session open and say we are still working (deadline policy `hold`). */
export function buildHoldResponse(channel: Channel): BotConnectorResponse {
  return { botState: BotState.MoreData, replyMessages: [{ type: 'Text', text: channel.holdMessage }] };
}

/** Intents Genesys knows for a bot: its own plus the handoff and end intents, always registered. */
export function registeredIntents(channel: Channel, botId: string): Set<string> {
  const bot = channel.bots.find((b) => b.id === botId);
  return new Set([channel.handoff.intent, channel.handoff.endIntent, ...(bot?.intents.map((i) => i.name) ?? [])]);
}

/** A registered intent with its slots (v1 `slots` map, v2 `entities` list), as Architect shows it. */
export interface IntentDefinition {
  name: string;
  slots: { name: string; type: string }[];
}

/**
 * Slots of the handoff intent: the flow can route on them (Transfer to ACD by `queue`) without
 * reading session variables. Their values mirror the handoff parameters.
 */
export const HANDOFF_SLOTS: { name: string; type: 'String'; parameter: keyof ReturnType<typeof handoffParameters> }[] = [
  { name: 'queue', type: 'String', parameter: 'handoffQueue' },
  { name: 'reason', type: 'String', parameter: 'handoffReason' },
  { name: 'summary', type: 'String', parameter: 'handoffSummary' },
];

/**
 * Every intent registered for a bot, in order: its own, then handoff and end. The handoff intent
 * always has the handoff slots; if the bot declares that intent itself, its slots are kept and
 * the missing handoff slots added. One source for the v1 bot list and the v2 `/bots`.
 */
export function registeredIntentDefinitions(channel: Channel, botId: string): IntentDefinition[] {
  const bot = channel.bots.find((b) => b.id === botId);
  const byName = new Map<string, IntentDefinition>();
  const add = (name: string, slots: { name: string; type: string }[] = []) => {
    const def = byName.get(name) ?? { name, slots: [] };
    for (const slot of slots) if (!def.slots.some((s) => s.name === slot.name)) def.slots.push(slot);
    byName.set(name, def);
  };
  for (const i of bot?.intents ?? []) add(i.name, Object.entries(i.slots ?? {}).map(([key, s]) => ({ name: s.name ?? key, type: s.type })));
  add(channel.handoff.intent, HANDOFF_SLOTS.map(({ name, type }) => ({ name, type })));
  add(channel.handoff.endIntent);
  return [...byName.values()];
}
