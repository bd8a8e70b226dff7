import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { InvalidBotResultError, validateBotResult, type CanonicalMessage } from '@app/bot-providers';
import { ChannelRepository, type Channel } from '@app/channels';
import { GatewayError } from '@app/errors';
import { validateAgentlessTarget } from '@app/genesys';
import { traceCarrierOf, type Context } from '@app/observability';
import { NOTIFICATIONS_QUEUE, queueNotification } from '@app/queue';
import { NotificationStore, SessionStore, hashIdempotencyKey, sessionKeyOf, type NotificationRecord, type NotificationTarget } from '@app/store';
import type { CreateNotificationDto } from './dto/create-notification.dto.js';

/** The DTO's class instances as the plain object that is stored and sent. */
function plainTemplate(t: NonNullable<CreateNotificationDto['template']>): NonNullable<NotificationRecord['template']> {
  const params = (list?: { id: string; value: string }[]) => list?.map(({ id, value }) => ({ id, value }));
  return {
    responseId: t.responseId,
    ...(t.headerParameters ? { headerParameters: params(t.headerParameters) } : {}),
    ...(t.bodyParameters ? { bodyParameters: params(t.bodyParameters) } : {}),
    ...(t.buttonUrlParameters ? { buttonUrlParameters: params(t.buttonUrlParameters) } : {}),
  };
}

/** What the API shows of a notification: everything but the idempotency key's hash. */
export type NotificationView = Omit<NotificationRecord, 'idempotencyKeyHash' | 'trace'>;

export function viewOf(r: NotificationRecord): NotificationView {
  const { idempotencyKeyHash: _, trace: __, ...view } = r;
  return view;
}

/**
 * Accepts proactive notifications: checks them completely up front (a notification that can
 * never be sent is refused now, with the reason, not failed later), stores them once per
 * idempotency key and queues one send job each.
 */
@Injectable()
export class NotificationIntake {
  private readonly logger = new Logger(NotificationIntake.name);

  constructor(
    private readonly store: NotificationStore,
    private readonly sessions: SessionStore,
    private readonly channels: ChannelRepository,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
  ) {}

  async create(channelId: string, dto: CreateNotificationDto, traceContext?: Context): Promise<{ created: boolean; notification: NotificationView }> {
    const channel = await this.channels.get(channelId);
    if (!channel) throw new GatewayError('channel_not_found', `no channel "${channelId}"`);
    if (!channel.genesys.oauth) {
      throw new GatewayError('invalid_request', `channel "${channelId}" has no genesys.oauth configuration; notifications are sent through the Genesys API`);
    }
    const hasSession = dto.target.botSessionId !== undefined;
    if (hasSession === (dto.target.address !== undefined)) throw new GatewayError('invalid_request', 'target must have exactly one of "botSessionId" or "address"');
    if (hasSession) {
      if ((dto.text === undefined) === (dto.messages === undefined)) throw new GatewayError('invalid_request', 'a session notification needs exactly one of "text" or "messages"');
      if (dto.template) throw new GatewayError('invalid_request', '"template" (a messaging template) is for address targets; a session takes "messages"');
    } else if (dto.messages !== undefined) {
      throw new GatewayError('invalid_request', 'agentless messages are text only: use "text" (and a "template" where the messenger needs one), not "messages"; Genesys sends no cards or buttons this way');
    } else if (dto.text === undefined && dto.template === undefined) {
      throw new GatewayError('invalid_request', 'an address notification needs "text", a "template", or both');
    }

    const target = hasSession ? await this.sessionTarget(channel, dto.target.botSessionId!) : this.addressTarget(channel, dto);
    const messages = dto.messages !== undefined ? this.checkMessages(dto.messages) : undefined;

    const { created, record } = await this.store.accept({
      channelId,
      idempotencyKeyHash: hashIdempotencyKey(channelId, dto.idempotencyKey),
      target,
      ...(dto.text !== undefined ? { text: dto.text } : {}),
      ...(messages ? { messages } : {}),
      ...(dto.template ? { template: plainTemplate(dto.template) } : {}),
      trace: traceCarrierOf(traceContext),
    });
    if (created) {
      try {
        await queueNotification(this.queue, { notificationId: record.id, channelId });
      } catch (e) {
        // Not queued means not accepted: say so on the record and to the caller (who may retry with the same key).
        // The caller gets the queueing error below either way; the record update is only a courtesy.
        await this.store.update(record.id, { status: 'failed', error: 'could not be queued; send it again with the same idempotency key' }).catch(() => undefined);
        this.logger.error({ channelId, notificationId: record.id, error: (e as Error).message }, 'could not queue notification');
        throw new GatewayError('unavailable', 'queue unavailable; retry', undefined, 1);
      }
    }
    // A retried request whose first attempt could not be queued is queued now (same id, no duplicate job).
    else if (record.status === 'failed' && record.error?.startsWith('could not be queued')) {
      await this.store.update(record.id, { status: 'queued', error: undefined });
      await queueNotification(this.queue, { notificationId: record.id, channelId });
      return { created: false, notification: viewOf({ ...record, status: 'queued', error: undefined }) };
    }
    return { created, notification: viewOf(record) };
  }

  async get(id: string): Promise<NotificationView> {
    if (!/^n[0-9a-f]{32}$/.test(id)) throw new GatewayError('not_found', 'no such notification');
    const r = await this.store.get(id);
    if (!r) throw new GatewayError('not_found', 'no such notification (unknown or expired)');
    return viewOf(r);
  }

  private async sessionTarget(channel: Channel, botSessionId: string): Promise<NotificationTarget> {
    if (!channel.genesys.digitalBotConnector) {
      throw new GatewayError('invalid_request', `channel "${channel.id}" has no Digital Bot Connector; only v2 sessions can receive messages outside a turn`);
    }
    const s = await this.sessions.get(sessionKeyOf(channel.id, botSessionId));
    if (!s) throw new GatewayError('not_found', `no open bot session "${botSessionId}" on channel "${channel.id}" (unknown or expired)`);
    if (s.protocol !== 'v2') throw new GatewayError('conflict', `bot session "${botSessionId}" came through the v1 Bot Connector, which has no way to send messages outside a turn`);
    if (s.closed) throw new GatewayError('conflict', `bot session "${botSessionId}" has ended (${s.closed}); Genesys would refuse the message`);
    return { kind: 'session', botSessionId };
  }

  private addressTarget(channel: Channel, dto: CreateNotificationDto): NotificationTarget {
    const a = dto.target.address!;
    const from = a.from ?? channel.notifications.from[a.messengerType];
    if (!from) throw new GatewayError('invalid_request', `no sender for ${a.messengerType}: give target.address.from or set notifications.from.${a.messengerType} on the channel`);
    const problems = validateAgentlessTarget({ messengerType: a.messengerType, toAddress: a.to, fromAddress: from, text: dto.text ?? '', hasTemplate: dto.template !== undefined });
    if (problems.length) throw new GatewayError('invalid_request', problems.join('; '), problems);
    return { kind: 'address', messengerType: a.messengerType, to: a.to, from, useExistingActiveConversation: a.useExistingActiveConversation ?? false };
  }

  /** Only session targets get here: `create` refuses "messages" for an address target. */
  private checkMessages(raw: unknown[]): CanonicalMessage[] {
    try {
      return validateBotResult({ messages: raw }).messages;
    } catch (e) {
      if (e instanceof InvalidBotResultError) throw new GatewayError('invalid_request', 'invalid messages', e.problems.slice(0, 20));
      throw e;
    }
  }
}
