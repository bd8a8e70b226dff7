import type { Channel, ChannelBot } from '@app/channels';
import { BotState, matchLanguage, type BotConnectorResponse, type ReplyMessage } from '@app/genesys';
import type { TurnEnvelope, TurnOutcomeKind, TurnResult } from '@app/store';
import { newSession, type SessionState } from '../sessions/session.types.js';

const DEFAULT_SESSION_MINUTES = 60;

/**
 * The session a turn runs in: the stored state (or a new one), updated with what this request
 * says. Genesys may send some fields (parameters, conversation id) on the first turn only, so a
 * field the request leaves out keeps its stored value.
 */
export function loadSession(envelope: TurnEnvelope, storedJson: string | undefined, channel: Channel | undefined, bot: ChannelBot | undefined): SessionState {
  const req = envelope.request;
  const timeoutMinutes = req.botSessionTimeout ?? DEFAULT_SESSION_MINUTES;
  const session: SessionState = storedJson
    ? (JSON.parse(storedJson) as SessionState)
    : newSession(envelope.channelId, req.botSessionId, envelope.botId, channel?.defaultLanguage ?? 'en-us', timeoutMinutes);
  session.timeoutMinutes = timeoutMinutes;
  if (req.genesysConversationId) session.genesysConversationId = req.genesysConversationId;
  session.protocol = envelope.protocol ?? 'v1';
  if (req.botVersion) session.botVersion = req.botVersion;
  Object.assign(session.parameters, req.parameters ?? {});
  if (channel && bot) session.language = matchLanguage(req.languageCode ?? session.language, bot.languages, channel.defaultLanguage);
  return session;
}

/** Late results (the ingress answered with its fallback) as they go out with this turn's response. */
export interface LateDelivery {
  /** Every late reply, in order; they come before anything this turn produces. */
  replies: ReplyMessage[];
  consumed: number;
  /** The bot already ended or handed off while we held the customer: that is this turn's answer. */
  terminal?: { response: BotConnectorResponse; outcome: TurnOutcomeKind; handoffReason?: string; closed: NonNullable<SessionState['closed']> };
}

export function mergeLate(late: TurnResult[]): LateDelivery {
  const replies = late.flatMap((r) => r.response.replyMessages ?? []);
  const delivery: LateDelivery = { replies, consumed: late.length };
  const terminal = late.find((r) => r.response.botState !== BotState.MoreData);
  if (terminal) {
    delivery.terminal = {
      response: { ...terminal.response, replyMessages: replies },
      outcome: terminal.outcome,
      handoffReason: terminal.handoffReason,
      closed: terminal.outcome === 'handoff' ? 'handoff' : terminal.outcome === 'end' ? 'end' : 'failed',
    };
  }
  return delivery;
}
