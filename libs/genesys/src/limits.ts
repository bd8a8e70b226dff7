/**
 * Every limit of the Genesys wire in one place (reference genesys-protocol.md §2.2, §2.6, §3.2, §7
 * and perf-reliability.md §3.5). Where Genesys publishes no number, the value is our own bound,
 * chosen generously and marked as such.
 */
export const GenesysLimits = {
  /** Request body accepted by the webhook; a v1 turn is a few hundred bytes (ours). */
  maxBodyBytes: 256 * 1024,
  /** Ids (bot, session, conversation, message) (ours). */
  maxIdLength: 256,
  /** Inbound text: 4000 on web messaging, with margin (ours). */
  maxInputTextLength: 8000,
  maxInputContentItems: 20,
  maxParameters: 50,
  maxParameterKeyLength: 256,
  maxParameterValueLength: 1024,
  /** botSessionTimeout in minutes: Architect allows up to 3 days; we accept up to 7. */
  maxBotSessionTimeoutMinutes: 7 * 24 * 60,
  maxLanguageCodeLength: 35,
  /** Reply text on web messaging, WhatsApp and Open (HELP-MSG). */
  maxReplyTextLength: 4000,
  /** Cards in one carousel (HELP-CAROUSEL). */
  maxCarouselCards: 10,
  /** Bot list limits (PY-SDK). */
  maxBots: 50,
  maxBotVersions: 50,
  maxIntents: 50,
  maxSlots: 50,
  maxNameLength: 100,
  maxDescriptionLength: 256,
  /** The reply deadline we design for on v1 and the hard cap (reference §2.5). */
  defaultReplyDeadlineMs: 5000,
  maxReplyDeadlineMs: 7000,
  /**
   * v2 `/messages`: Genesys waits at least 1.5 s (DBC-SPEC, §3.4) and Architect's Bot Response
   * Timeout can be as low as 1 s (HELP-CDBC), so the inline window stays well under 1 s by
   * default; a longer one is the admin's choice, capped below the 30 s Architect default.
   */
  defaultDbcInlineWindowMs: 800,
  maxDbcInlineWindowMs: 25_000,
} as const;
