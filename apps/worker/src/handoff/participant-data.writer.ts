import { Injectable, Logger } from '@nestjs/common';
import type { Channel } from '@app/channels';
import { WorkerConfig } from '@app/config';
import { GenesysApiClientFactory } from '@app/genesys-api';

/** What an agent should see when the conversation reaches them. */
export interface HandoffContext {
  genesysConversationId: string;
  botSessionId: string;
  reason: string;
  queue?: string;
  summary?: string;
  language: string;
  lastUtterance?: string;
}

/** Participant attribute values Genesys keeps; longer ones are cut (our bound, generous). */
const MAX_ATTRIBUTE_LENGTH = 2000;
/** The whole write may take this long; it runs after the handoff answer went out. */
const WRITE_TIMEOUT_MS = 10_000;

/** Whether the channel's OAuth client may write participant data (and the admin did not turn it off). */
export function writesParticipantData(channel: Channel): boolean {
  const oauth = channel.genesys.oauth;
  if (!oauth || channel.genesys.participantData === false) return false;
  return channel.genesys.participantData === true || oauth.grant === 'client_credentials' || oauth.scopes.includes('conversations');
}

/**
 * Writes the handoff package to the customer participant's attributes (Participant Data), where
 * agent scripts and the interaction panel read it, so agents get the context even when the
 * Architect flow has no Set Participant Data step. Best effort by design: it runs after the
 * handoff answer and nothing that goes wrong here reaches the customer.
 */
@Injectable()
export class ParticipantDataWriter {
  private readonly logger = new Logger(ParticipantDataWriter.name);

  constructor(
    private readonly api: GenesysApiClientFactory,
    private readonly config: WorkerConfig,
  ) {}

  attributesOf(ctx: HandoffContext): Record<string, string> {
    const clip = (s: string) => (s.length > MAX_ATTRIBUTE_LENGTH ? `${s.slice(0, MAX_ATTRIBUTE_LENGTH - 1)}…` : s);
    const attrs: Record<string, string> = {
      'bot.handoffReason': ctx.reason,
      'bot.language': ctx.language,
      'bot.sessionId': ctx.botSessionId,
    };
    if (ctx.queue) attrs['bot.handoffQueue'] = clip(ctx.queue);
    if (ctx.summary) attrs['bot.summary'] = clip(ctx.summary);
    if (ctx.lastUtterance) attrs['bot.lastUtterance'] = clip(ctx.lastUtterance);
    if (this.config.PUBLIC_BASE_URL) {
      attrs['bot.transcriptUrl'] = `${this.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/conversations/${encodeURIComponent(ctx.botSessionId)}`;
    }
    return attrs;
  }

  /** Never throws and never takes longer than WRITE_TIMEOUT_MS; says whether the attributes were written. */
  async write(channel: Channel, ctx: HandoffContext): Promise<boolean> {
    if (!writesParticipantData(channel)) return false;
    const log = { channelId: channel.id, botSessionId: ctx.botSessionId, genesysConversationId: ctx.genesysConversationId };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.doWrite(channel, ctx), timeout]);
      this.logger.debug(log, 'handoff context written to participant data');
      return true;
    } catch (e) {
      this.logger.warn({ ...log, error: (e as Error).message }, 'could not write handoff context to participant data (the handoff itself went ahead)');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async doWrite(channel: Channel, ctx: HandoffContext): Promise<void> {
    const client = this.api.forChannel(channel, { correlationId: ctx.botSessionId });
    const conversation = await client.getMessageConversation(ctx.genesysConversationId);
    const customer = (conversation.participants ?? []).find((p) => p.purpose === 'customer' && p.id);
    if (!customer?.id) throw new Error('the conversation has no customer participant');
    await client.patchParticipantAttributes(ctx.genesysConversationId, customer.id, this.attributesOf(ctx));
  }
}
