import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { AdminActor } from '@app/admin-auth';
import { ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { AuditLog, SessionEraser, sessionKeyOf } from '@app/store';

export type ErasureTarget = { botSessionId: string; channelId?: string } | { genesysConversationId: string };

/**
 * A customer's erasure request: deletes what the gateway keeps about a bot session, or about every
 * session of a Genesys conversation, and records that it happened.
 *
 * The audit entry says who, when and which kind of deletion, never what was said. It keeps the
 * SHA-256 of the id asked for, not the id: the audit log outlives the transcript (it has no TTL),
 * and a plain id there would keep a pointer to a person in a log meant to show their data is gone.
 * Genesys ids are random UUIDs, so the digest cannot be reversed by guessing, while whoever holds
 * the id (the person asking, a DPO checking the request was done) can recompute and find the entry.
 */
@Injectable()
export class ConversationErasure {
  private readonly logger = new Logger(ConversationErasure.name);

  constructor(
    private readonly eraser: SessionEraser,
    private readonly channels: ChannelRepository,
    private readonly audit: AuditLog,
  ) {}

  /** Throws `not_found` when nothing was stored for the target. */
  async erase(actor: AdminActor, target: ErasureTarget): Promise<void> {
    let sessionKeys: string[];
    let conversationId: string | undefined;
    let id: string;
    if ('genesysConversationId' in target) {
      conversationId = id = target.genesysConversationId;
      sessionKeys = await this.eraser.sessionsOf(conversationId);
    } else {
      id = target.botSessionId;
      const channelIds = target.channelId ? [target.channelId] : (await this.channels.list()).map((c) => c.id);
      sessionKeys = channelIds.map((ch) => sessionKeyOf(ch, target.botSessionId));
    }
    const erased: string[] = [];
    let inFlight = false;
    for (const key of sessionKeys) {
      const outcome = await this.eraser.erase(key, conversationId);
      if (outcome.erased) erased.push(key);
      inFlight ||= outcome.inFlight;
    }
    if (erased.length === 0) throw new GatewayError('not_found', 'nothing is stored for that conversation');
    const by = conversationId ? 'genesysConversationId' : 'botSessionId';
    const channels = [...new Set(erased.map((k) => k.slice(0, k.indexOf(':'))))];
    await this.audit.record(actor, 'conversation.delete', 'conversation', {
      by,
      idSha256: createHash('sha256').update(id).digest('hex'),
      sessions: erased.length,
      channels,
      turnsInFlight: inFlight,
    });
    this.logger.log({ by, sessions: erased.length, channels, turnsInFlight: inFlight, actor: actor.name }, 'conversation data deleted');
  }
}
