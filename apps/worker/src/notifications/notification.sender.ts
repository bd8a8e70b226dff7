import { Injectable, Logger } from '@nestjs/common';
import type { CanonicalMessage } from '@app/bot-providers';
import { ChannelRepository, type Channel } from '@app/channels';
import { GenesysApiClientFactory, GenesysApiError } from '@app/genesys-api';
import { BotState } from '@app/genesys';
import { SpanAttributes, SpanKind, SpanNames, contextOfCarrier, inSpan, traceCarrierOf, type Context } from '@app/observability';
import { NotificationStore, OutboxStore, SendRateStore, SessionStore, sessionKeyOf, type NotificationRecord, type OutboxEntry } from '@app/store';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';
import { OutgoingMessageSender } from '../outbox/outgoing-message.sender.js';
import { capabilitiesFor } from '../rendering/capability-profiles.js';
import { StructuredMessageRenderer } from '../rendering/structured-message.renderer.js';

/** Sends tried for one address notification before it is reported failed (Retry-After waits included). */
export const MAX_ADDRESS_ATTEMPTS = 6;

/** What one attempt decided: done (sent or failed for good), or try again later. */
export type NotificationAttempt = { kind: 'done'; record: NotificationRecord | undefined } | { kind: 'retry'; reason: string; retryAfterMs?: number } | { kind: 'rate_limited'; waitMs: number };

/**
 * Sends one accepted notification, at most once. A session notification joins the session's
 * outbox (rendered like a bot reply) and goes out in order with the bot's own replies; the
 * outbox sender records the outcome. An address notification goes through the agentless API;
 * if a worker died mid-call the outcome is unknown, and it is reported failed rather than risk
 * a second message to the customer.
 */
@Injectable()
export class NotificationSender {
  private readonly logger = new Logger(NotificationSender.name);

  constructor(
    private readonly store: NotificationStore,
    private readonly outbox: OutboxStore,
    private readonly sessions: SessionStore,
    private readonly sendRate: SendRateStore,
    private readonly channels: ChannelRepository,
    private readonly api: GenesysApiClientFactory,
    private readonly renderer: StructuredMessageRenderer,
    private readonly sender: OutgoingMessageSender,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** The job ran out of attempts on errors `attempt` could not record (Redis trouble): a record still queued is marked failed. */
  async recordGivenUp(id: string, error: string): Promise<void> {
    const record = await this.store.get(id);
    if (record && record.status === 'queued') {
      await this.store.update(record.id, { status: 'failed', error });
      this.metrics.notificationDone(record.channelId, record.target.kind, 'failed');
    }
  }

  async attempt(id: string): Promise<NotificationAttempt> {
    const record = await this.store.get(id);
    if (!record || record.status === 'sent' || record.status === 'failed') return { kind: 'done', record };
    const attributes = { [SpanAttributes.notificationId]: record.id, [SpanAttributes.channelId]: record.channelId, 'gbg.notification.target': record.target.kind };
    return inSpan(SpanNames.notificationSend, { kind: SpanKind.CONSUMER, parent: contextOfCarrier(record.trace), attributes }, async (span, ctx) => {
      const outcome = await this.attemptRecord(record, ctx);
      span?.setAttribute('gbg.notification.attempt', outcome.kind === 'done' ? (outcome.record?.status ?? 'gone') : outcome.kind);
      return outcome;
    });
  }

  private async attemptRecord(record: NotificationRecord, traceContext: Context | undefined): Promise<NotificationAttempt> {
    const channel = await this.channels.get(record.channelId);
    if (!channel) return this.fail(record, `channel ${record.channelId} was removed`);

    if (record.target.kind === 'session') {
      // 'sending' means it is in the outbox already; the outbox sender finishes the record.
      if (record.status === 'sending') return { kind: 'done', record };
      const wait = await this.rateLimit(channel);
      if (wait) return { kind: 'rate_limited', waitMs: wait };
      return this.toSession(record, channel, traceContext);
    }

    if (record.status === 'sending') {
      return this.fail(record, 'interrupted while sending (worker stopped); Genesys may or may not have delivered it, so it is not sent again');
    }
    const wait = await this.rateLimit(channel);
    if (wait) return { kind: 'rate_limited', waitMs: wait };
    return this.toAddress(record, channel, traceContext);
  }

  private async toSession(record: NotificationRecord, channel: Channel, traceContext: Context | undefined): Promise<NotificationAttempt> {
    const target = record.target as Extract<NotificationRecord['target'], { kind: 'session' }>;
    const sessionKey = sessionKeyOf(channel.id, target.botSessionId);
    const session = await this.sessions.get(sessionKey);
    if (!session) return this.fail(record, 'the bot session expired before the notification could be sent');
    if (session.closed) return this.fail(record, `the bot session ended (${session.closed}) before the notification could be sent`);
    const messages: CanonicalMessage[] = record.messages ?? [{ type: 'text', text: record.text ?? '' }];
    const rendered = this.renderer.render(messages, capabilitiesFor(channel.templates.profile, channel.templates.disable));
    const now = Date.now();
    const entry: OutboxEntry = {
      turnId: record.id,
      notificationId: record.id,
      channelId: channel.id,
      botSessionId: target.botSessionId,
      botId: session.botId,
      botVersion: session.botVersion ?? '',
      languageCode: session.language,
      genesysConversationId: session.genesysConversationId,
      result: { turnId: record.id, outcome: 'reply', response: { botState: BotState.MoreData, replyMessages: rendered.replyMessages }, timings: { queueWaitMs: 0, botMs: 0, renderMs: 0, totalMs: 0 }, completedAt: now },
      trace: traceCarrierOf(traceContext),
    };
    const sending: NotificationRecord = { ...record, status: 'sending', attempts: record.attempts + 1, updatedAt: new Date(now).toISOString() };
    await this.outbox.enqueue(sessionKey, entry, Math.max(60_000, session.timeoutMinutes * 60_000), this.store.writeOf(sending));
    await this.sender.flush(sessionKey, traceContext);
    return { kind: 'done', record: await this.store.get(record.id) };
  }

  private async toAddress(record: NotificationRecord, channel: Channel, traceContext: Context | undefined): Promise<NotificationAttempt> {
    const isLastAttempt = record.attempts + 1 >= MAX_ADDRESS_ATTEMPTS;
    const target = record.target as Extract<NotificationRecord['target'], { kind: 'address' }>;
    await this.store.update(record.id, { status: 'sending', attempts: record.attempts + 1 });
    try {
      const res = await this.api.forChannel(channel, { correlationId: record.id, traceContext }).sendAgentlessMessage({
        fromAddress: target.from,
        toAddress: target.to,
        toAddressMessengerType: target.messengerType,
        ...(record.text !== undefined ? { textBody: record.text } : {}),
        ...(record.template ? { messagingTemplate: record.template } : {}),
        useExistingActiveConversation: target.useExistingActiveConversation,
      });
      const done = await this.store.update(record.id, { status: 'sent', error: undefined, genesys: { id: res.id, conversationId: res.conversationId } });
      this.metrics.notificationDone(channel.id, 'address', 'sent');
      this.logger.log({ channelId: channel.id, notificationId: record.id, conversationId: res.conversationId }, 'notification sent (agentless)');
      return { kind: 'done', record: done };
    } catch (e) {
      if (e instanceof GenesysApiError && e.outcomeUnknown) {
        return this.fail(record, `Genesys did not say whether it took the message (${e.status || e.code}); it is not sent again, to avoid a duplicate`, { status: e.status, code: e.code });
      }
      if (e instanceof GenesysApiError && !e.transient) {
        return this.fail(record, `Genesys refused the message: ${e.status}${e.code ? ` ${e.code}` : ''} ${e.message}`.trim(), { status: e.status, code: e.code });
      }
      const reason = e instanceof GenesysApiError ? `Genesys answered ${e.status}${e.code ? ` ${e.code}` : ''}` : (e as Error).message;
      // The API said it did not take it (429/5xx) or we could not reach it: safe to try again.
      if (isLastAttempt) return this.fail(record, `not delivered after ${record.attempts + 1} attempts: ${reason}`);
      await this.store.update(record.id, { status: 'queued', error: reason });
      return { kind: 'retry', reason, retryAfterMs: e instanceof GenesysApiError ? e.retryAfterMs : undefined };
    }
  }

  private async fail(record: NotificationRecord, error: string, genesys?: NotificationRecord['genesys']): Promise<NotificationAttempt> {
    this.logger.warn({ channelId: record.channelId, notificationId: record.id, error }, 'notification failed');
    this.metrics.notificationDone(record.channelId, record.target.kind, 'failed');
    return { kind: 'done', record: await this.store.update(record.id, { status: 'failed', error, ...(genesys ? { genesys } : {}) }) };
  }

  /**
   * Sends of a channel are spaced 1/ratePerSecond apart across all workers (a shared "next slot"
   * time in Redis), so no second ever carries more than the rate, window edges included. Returns
   * how long to wait for a slot, or 0 when this send took one.
   */
  private async rateLimit(channel: Channel): Promise<number> {
    const intervalMs = Math.max(1, Math.floor(1000 / channel.notifications.ratePerSecond));
    const wait = await this.sendRate.take(channel.id, intervalMs);
    return wait <= 0 ? 0 : wait + Math.floor(Math.random() * 20);
  }
}
