import type { MessengerProfile, TemplateFeature } from '@app/channels/channel.types.js';
import { GenesysLimits } from '@app/genesys';

/**
 * What one Genesys messenger can show of a bot reply (reference genesys-protocol.md §7). The flags
 * say whether a feature is usable at all; the numbers bound it. A number only matters while its
 * flag is on, so a channel that disables a feature keeps the profile's number untouched.
 */
export interface TemplateCapabilities {
  quickReplies: boolean;
  /** Postback buttons, on cards and on canonical `buttons` messages. */
  buttons: boolean;
  cards: boolean;
  carousels: boolean;
  /** Link actions on cards; without them a URL button is written out as text. */
  linkButtons: boolean;
  attachments: boolean;
  maxCardButtons: number;
  maxCarouselCards: number;
  maxTextLength: number;
  maxQuickReplies: number;
}

/**
 * Genesys documents 3 buttons per card only as best practice, except on WhatsApp where a fourth is
 * an error (HELP-CARDS). Facebook, Instagram and LINE templates cap buttons at 3 themselves. Web
 * messaging and Open have no documented cap, so this bound is ours: enough for a menu card while
 * keeping it readable.
 */
const UNCAPPED_CARD_BUTTONS = 10;

/**
 * Genesys publishes no quick-reply count for any messenger (reference §10 item 5). Facebook,
 * Instagram and LINE cap quick replies at 13 themselves; WhatsApp lists hold at most 10 rows. For
 * the rest, 20 is our own bound: beyond it a numbered list reads better than a wall of chips.
 */
const UNCAPPED_QUICK_REPLIES = 20;

const EVERYTHING = {
  quickReplies: true,
  buttons: true,
  cards: true,
  carousels: true,
  linkButtons: true,
  attachments: true,
} as const;

const NOTHING = {
  quickReplies: false,
  buttons: false,
  cards: false,
  carousels: false,
  linkButtons: false,
  attachments: false,
} as const;

const PROFILES: Readonly<Record<MessengerProfile, TemplateCapabilities>> = {
  webmessaging: {
    ...EVERYTHING,
    maxCardButtons: UNCAPPED_CARD_BUTTONS,
    maxCarouselCards: GenesysLimits.maxCarouselCards,
    maxTextLength: GenesysLimits.maxReplyTextLength,
    maxQuickReplies: UNCAPPED_QUICK_REPLIES,
  },
  // No carousels on WhatsApp and a hard cap of 3 buttons per card (HELP-CAROUSEL, HELP-CARDS).
  whatsapp: {
    ...EVERYTHING,
    carousels: false,
    maxCardButtons: 3,
    maxCarouselCards: 0,
    maxTextLength: GenesysLimits.maxReplyTextLength,
    maxQuickReplies: 10,
  },
  // 765 is the multi-part SMS limit (HELP-MSG); a single segment would be 160.
  sms: {
    ...NOTHING,
    maxCardButtons: 0,
    maxCarouselCards: 0,
    maxTextLength: 765,
    maxQuickReplies: 0,
  },
  open: {
    ...EVERYTHING,
    maxCardButtons: UNCAPPED_CARD_BUTTONS,
    maxCarouselCards: GenesysLimits.maxCarouselCards,
    maxTextLength: GenesysLimits.maxReplyTextLength,
    maxQuickReplies: UNCAPPED_QUICK_REPLIES,
  },
  facebook: {
    ...EVERYTHING,
    maxCardButtons: 3,
    maxCarouselCards: GenesysLimits.maxCarouselCards,
    maxTextLength: 2000,
    maxQuickReplies: 13,
  },
  instagram: {
    ...EVERYTHING,
    maxCardButtons: 3,
    maxCarouselCards: GenesysLimits.maxCarouselCards,
    maxTextLength: 1000,
    maxQuickReplies: 13,
  },
  // HELP-MSG gives no LINE figure. LINE itself accepts 5000 characters, and Genesys caps agentless
  // messages on every non-SMS messenger at 2000 (PY-SDK), so 2000 is safe under both. LINE ignores
  // a card's defaultAction (HELP-CARDS); it is still sent because Genesys drops it harmlessly.
  line: {
    ...EVERYTHING,
    maxCardButtons: 3,
    maxCarouselCards: GenesysLimits.maxCarouselCards,
    maxTextLength: 2000,
    maxQuickReplies: 13,
  },
};

/** The capabilities of `profile`, minus the features the channel configuration turns off. */
export function capabilitiesFor(profile: MessengerProfile, disable: TemplateFeature[] = []): TemplateCapabilities {
  const base = PROFILES[profile];
  if (!base) {
    throw new Error(`Unknown messenger profile: ${String(profile)}`);
  }
  const capabilities: TemplateCapabilities = { ...base };
  for (const feature of disable) {
    capabilities[feature] = false;
  }
  return capabilities;
}
