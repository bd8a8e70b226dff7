import { Injectable } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import type { TurnEnvelope } from '@app/store';
import { BotCaller } from '../bot-calls/bot-caller.service.js';
import { ParticipantDataWriter } from '../handoff/participant-data.writer.js';
import type { SessionState } from '../sessions/session.types.js';
import type { TurnOutcome } from './turn-record.js';

/**
 * What follows a completed turn once its answer went out: the agent gets the handoff package as
 * participant data, and a backend that keeps sessions of its own (Kore) hears that this one ended.
 * Best effort and not awaited: nothing here may hold up the session's next turn.
 */
@Injectable()
export class AfterTurnEffects {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly participantData: ParticipantDataWriter,
    private readonly bots: BotCaller,
  ) {}

  /** `storedSession` is the session as it was before the turn: only a turn that closed it ends it. */
  turnCompleted(envelope: TurnEnvelope, outcome: TurnOutcome, storedSession: string | undefined): void {
    if (outcome.result.outcome === 'handoff') void this.shareHandoffContext(envelope, outcome);
    if (outcome.session.closed && !(storedSession && (JSON.parse(storedSession) as SessionState).closed)) void this.tellBotSessionEnded(envelope, outcome);
  }

  private async shareHandoffContext(envelope: TurnEnvelope, outcome: TurnOutcome): Promise<void> {
    const conversationId = outcome.session.genesysConversationId;
    if (!conversationId) return;
    // Best effort (the answer already went out): without the channel there is no context to share.
    const channel = await this.channels.get(envelope.channelId).catch(() => undefined);
    if (!channel) return;
    const p = outcome.result.response.parameters ?? {};
    await this.participantData.write(channel, {
      genesysConversationId: conversationId,
      botSessionId: envelope.request.botSessionId,
      reason: outcome.result.handoffReason ?? p.handoffReason ?? 'unknown',
      queue: p.handoffQueue || undefined,
      summary: p.handoffSummary || undefined,
      language: outcome.session.language,
      lastUtterance: p.lastUtterance || undefined,
    });
  }

  private async tellBotSessionEnded(envelope: TurnEnvelope, outcome: TurnOutcome): Promise<void> {
    // Best effort (the answer already went out): without the channel there is no backend to tell.
    const channel = await this.channels.get(envelope.channelId).catch(() => undefined);
    const bot = channel?.bots.find((b) => b.id === envelope.botId);
    if (!channel || !bot) return;
    const closed = outcome.session.closed;
    await this.bots.sessionEnded(channel, bot, {
      channelId: channel.id,
      botSessionId: envelope.request.botSessionId,
      genesysConversationId: outcome.session.genesysConversationId,
      language: outcome.session.language,
      outcome: closed === 'handoff' ? 'Handoff' : closed === 'end' ? 'Complete' : 'Failed',
      state: outcome.session.botState,
    });
  }
}
