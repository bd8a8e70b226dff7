import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { ChannelRepository, toOutgoingMessage } from '@app/channels';
import { WorkerConfig } from '@app/config';
import { GenesysApiClientFactory, GenesysApiError } from '@app/genesys-api';
import { OUTGOING_CONFLICT_CODES } from '@app/genesys';
import { SpanAttributes, SpanKind, SpanNames, contextOfCarrier, inSpan, linksTo, markSpanFailed, type Context } from '@app/observability';
import { Redactor } from '@app/privacy';
import { NotificationStore, OutboxStore, SessionStore, TranscriptStore, redactTranscript, sessionKeyOf, type OutboxEntry, type OutboxLease, type TranscriptEntry, type TranscriptRecord } from '@app/store';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';

/** What became of one outbox entry. */
type SendOutcome =
  | { kind: 'sent'; messageId?: string }
  | { kind: 'dropped'; reason: string; configError: boolean; status?: number; code?: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

/**
 * The send lock is renewed every third of this while held, so this is how long a crashed
 * sender's outbox stays blocked before another worker takes over.
 */
const LOCK_TTL_MS = 8_000;
/** 409s that mean the customer's bot session is gone: the message has nowhere to go. */
const SESSION_GONE = new Set<string>(['session.not.found', 'session.already.closed']);

/**
 * Sends a session's v2 results through `POST /api/v2/integrations/botconnectors/outgoing/messages`,
 * strictly in order and each once: an entry leaves the outbox only after Genesys accepted it or
 * it was given up and recorded in the transcript. A 409 for a closed or unknown session drops
 * the entry (Genesys will never take it); a bot id/version mismatch or an inactive integration
 * is a configuration error, logged as such. 429/5xx/network failures are retried with backoff
 * until OUTBOX_GIVE_UP_MS has passed since the result was queued.
 */
@Injectable()
export class OutgoingMessageSender {
  private readonly logger = new Logger(OutgoingMessageSender.name);

  constructor(
    private readonly store: OutboxStore,
    private readonly notifications: NotificationStore,
    private readonly sessions: SessionStore,
    private readonly transcripts: TranscriptStore,
    private readonly config: WorkerConfig,
    private readonly channels: ChannelRepository,
    private readonly api: GenesysApiClientFactory,
    private readonly metrics: WorkerMetrics,
    private readonly redactor: Redactor,
  ) {}

  /**
   * Sends everything in the session's outbox. When another process holds the outbox, waits for it
   * to finish: the caller is about to run the session's next turn, whose answer must not overtake.
   */
  async flush(sessionKey: string, traceContext?: Context): Promise<void> {
    const waitUntil = Date.now() + this.config.OUTBOX_GIVE_UP_MS + LOCK_TTL_MS;
    for (;;) {
      // The common case (v1, or nothing parked): one LLEN. The sweeper tidies the index.
      if ((await this.store.length(sessionKey)) === 0) return;
      const lease = await this.store.lease(sessionKey, LOCK_TTL_MS);
      if (lease) {
        try {
          await this.sendAll(lease, traceContext);
        } finally {
          await lease.release();
        }
        return;
      }
      if (Date.now() > waitUntil) throw new Error(`outbox of ${sessionKey} stayed locked by another process`);
      await sleep(100);
    }
  }

  // Not cockatiel's retry: giving up is by the result's age, not a count, and every pass re-reads the head under a lease that may lapse.
  private async sendAll(lease: OutboxLease, caller: Context | undefined): Promise<void> {
    let attempt = 0;
    while (lease.held) {
      const head = await lease.head();
      if (!head) return;
      const { entry } = head;
      const outcome = await this.sendTraced(entry, caller);
      const log = { channelId: entry.channelId, botSessionId: entry.botSessionId, turnId: entry.turnId, genesysConversationId: entry.genesysConversationId };
      if (outcome.kind === 'retry') {
        const queuedFor = Date.now() - entry.result.completedAt;
        if (queuedFor < this.config.OUTBOX_GIVE_UP_MS) {
          attempt++;
          const delay = Math.min(outcome.retryAfterMs ?? Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)), Math.max(0, this.config.OUTBOX_GIVE_UP_MS - queuedFor));
          if (attempt === 1) this.logger.warn({ ...log, reason: outcome.reason }, 'outgoing message not sent yet; retrying');
          await sleep(Math.max(50, delay));
          continue;
        }
        this.metrics.outgoing.inc({ channel: entry.channelId, result: 'given_up' });
        this.logger.error({ ...log, reason: outcome.reason, queuedForMs: queuedFor }, 'outgoing message given up; recorded as failed');
        await this.recordFailure(entry, `outgoing message not delivered after ${Math.round(queuedFor / 1000)} s: ${outcome.reason}`);
        await this.settleNotification(entry, { status: 'failed', error: `not delivered after ${Math.round(queuedFor / 1000)} s: ${outcome.reason}` });
      } else if (outcome.kind === 'dropped') {
        this.metrics.outgoing.inc({ channel: entry.channelId, result: outcome.configError ? 'config_error' : 'dropped' });
        if (outcome.configError) this.logger.error({ ...log, reason: outcome.reason }, 'outgoing message refused by Genesys: check the channel configuration');
        else this.logger.warn({ ...log, reason: outcome.reason }, 'outgoing message dropped');
        await this.recordFailure(entry, `outgoing message not delivered: ${outcome.reason}`);
        await this.settleNotification(entry, { status: 'failed', error: outcome.reason, genesys: outcome.status ? { status: outcome.status, code: outcome.code } : undefined });
      } else {
        this.metrics.outgoing.inc({ channel: entry.channelId, result: 'sent' });
        this.metrics.outgoingSeconds.observe({ channel: entry.channelId }, (Date.now() - entry.result.completedAt) / 1000);
        this.logger.debug({ ...log, messageId: outcome.messageId }, 'outgoing message sent');
        await this.settleNotification(entry, { status: 'sent', error: undefined, genesys: { messageId: outcome.messageId } });
        if (entry.notificationId) await this.appendTranscript(entry, { kind: 'notification', outcome: 'reply', replies: entry.result.response.replyMessages });
      }
      attempt = 0;
      // Not the head any more means a successor took over after our lock lapsed; it continues.
      if (!(await lease.ack(head))) return;
    }
  }

  /** One send attempt in its own span, continuing the trace of the turn (or notification) the entry answers. */
  private sendTraced(entry: OutboxEntry, caller: Context | undefined): Promise<SendOutcome> {
    const attributes = { [SpanAttributes.turnId]: entry.turnId, [SpanAttributes.channelId]: entry.channelId, ...(entry.notificationId ? { [SpanAttributes.notificationId]: entry.notificationId } : {}) };
    return inSpan(SpanNames.outboxSend, { kind: SpanKind.PRODUCER, parent: contextOfCarrier(entry.trace) ?? caller, links: linksTo(caller), attributes }, async (span, ctx) => {
      const outcome = await this.sendOne(entry, ctx);
      span?.setAttribute('gbg.outbox.result', outcome.kind);
      if (outcome.kind !== 'sent') markSpanFailed(span, outcome.kind === 'retry' ? 'retry' : outcome.code ?? 'dropped');
      return outcome;
    });
  }

  private async sendOne(entry: OutboxEntry, traceContext: Context | undefined): Promise<SendOutcome> {
    let channel;
    try {
      channel = await this.channels.get(entry.channelId);
    } catch (e) {
      return { kind: 'retry', reason: `configuration store unavailable (${(e as Error).message})` };
    }
    if (!channel) return { kind: 'dropped', reason: `channel ${entry.channelId} was removed`, configError: true };
    const body = toOutgoingMessage(channel, { botId: entry.botId, botVersion: entry.botVersion, botSessionId: entry.botSessionId, languageCode: entry.languageCode }, entry.result.response);
    try {
      const client = this.api.forChannel(channel, { correlationId: entry.turnId, traceContext });
      const res = await client.sendOutgoingMessage(body);
      return { kind: 'sent', messageId: res.messageId };
    } catch (e) {
      if (e instanceof GenesysApiError) {
        const what = `Genesys answered ${e.status}${e.code ? ` ${e.code}` : ''}`;
        // An unknown outcome (timeout, 500 after sending) is retried too: a reply the customer
        // never gets breaks the conversation, a rare duplicate does not.
        if (e.transient) return { kind: 'retry', reason: e.outcomeUnknown ? `${what} (outcome unknown; a resend may duplicate)` : what, retryAfterMs: e.retryAfterMs };
        const about = { status: e.status, code: e.code };
        if (e.status === 409 && SESSION_GONE.has(e.code ?? '')) {
          await this.markClosedByGenesys(entry);
          return { kind: 'dropped', reason: `${what} (the bot session is closed or unknown)`, configError: false, ...about };
        }
        const known = (OUTGOING_CONFLICT_CODES as readonly string[]).includes(e.code ?? '');
        return { kind: 'dropped', reason: known ? what : `${what}: ${e.message}`, configError: true, ...about };
      }
      // Not connected (no OAuth tokens, re-authorization needed) or a local error: the admin can
      // fix it within the give-up window, so keep trying.
      return { kind: 'retry', reason: (e as Error).message };
    }
  }

  /**
   * Remembers that Genesys closed the session, so later notifications for it are refused at once
   * instead of accepted and failed. Read-modify-write is fine: the session's turns are over.
   */
  private async markClosedByGenesys(entry: OutboxEntry): Promise<void> {
    await this.sessions
      .markClosedByGenesys(sessionKeyOf(entry.channelId, entry.botSessionId))
      .catch((e: Error) => this.logger.debug({ turnId: entry.turnId, error: e.message }, 'could not mark the session closed; the 409 is recorded either way'));
  }

  /** A notification's record follows its entry: sent with Genesys's message id, or failed with why. */
  private async settleNotification(entry: OutboxEntry, change: Parameters<NotificationStore['update']>[1]): Promise<void> {
    if (!entry.notificationId) return;
    if (change.status === 'sent' || change.status === 'failed') this.metrics.notificationDone(entry.channelId, 'session', change.status);
    await this.notifications.update(entry.notificationId, change).catch((e: Error) => this.logger.error({ notificationId: entry.notificationId, error: e.message }, 'could not record notification outcome'));
  }

  /** The transcript says what the customer did not get, next to the turn that produced it. */
  private recordFailure(entry: OutboxEntry, error: string): Promise<void> {
    return this.appendTranscript(entry, { kind: 'outgoing_failed', outcome: 'failed', replies: [], error });
  }

  private async appendTranscript(entry: OutboxEntry, what: Pick<TranscriptEntry, 'outcome' | 'replies' | 'error'> & { kind: 'outgoing_failed' | 'notification' }): Promise<void> {
    const record: TranscriptRecord = {
      turnId: entry.turnId,
      at: new Date().toISOString(),
      channelId: entry.channelId,
      botSessionId: entry.botSessionId,
      genesysConversationId: entry.genesysConversationId,
      botState: entry.result.response.botState,
      degradations: [],
      ...what,
    };
    // A notification's text and Genesys's error message are stored under the channel's policy too;
    // without the channel (removed meanwhile) the default policy applies.
    const channel = await this.channels.get(entry.channelId).catch(() => undefined);
    await this.transcripts
      .append(sessionKeyOf(entry.channelId, entry.botSessionId), redactTranscript(this.redactor.for(channel?.privacy), record))
      .catch((e: Error) => this.logger.warn({ turnId: entry.turnId, channelId: entry.channelId, error: e.message }, 'could not append to the transcript'));
  }
}
