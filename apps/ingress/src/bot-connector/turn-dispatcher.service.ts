import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { IngressConfig } from '@app/config';
import { buildHandoffResponse, buildHoldResponse, type Channel, type ChannelBot } from '@app/channels';
import { GatewayError } from '@app/errors';
import { BotState, type BotConnectorResponse } from '@app/genesys';
import { RepeatLimiter, SpanAttributes, annotateSpan, errorKind, traceCarrierOf, withTraceContext, type Context } from '@app/observability';
import { DrainRequester } from '@app/queue';
import { TurnLostError, TurnStore, sessionKeyOf, turnIdOf, type TurnEnvelope, type TurnProtocol, type TurnResult } from '@app/store';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import type { IncomingTurnDto } from './dto/incoming-turn.dto.js';
import { LoadShedder, overloaded } from './load-shedder.service.js';
import { ReplyStreamListener } from './reply-stream.listener.js';

/** Time kept back from the deadline for our own answer to travel (serialization, network). */
const SEND_MARGIN_MS = 60;

export interface DispatchContext {
  channel: Channel;
  bot: ChannelBot;
  correlationId?: string;
  /** When the request arrived (ms epoch); the deadline counts from here. */
  receivedAt: number;
  /** v1 waits up to the channel's reply deadline; v2 up to its inline window, then defers. */
  protocol?: TurnProtocol;
  /** The webhook request's trace (its server span), when tracing is on: the worker's turn span continues it. */
  traceContext?: Context;
}

/**
 * Accepts a turn, queues it, and answers within the channel's deadline: with the worker's
 * result when it comes in time, otherwise with the channel's fallback (hold or handoff).
 */
@Injectable()
export class TurnDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TurnDispatcher.name);
  private draining = false;

  constructor(
    private readonly store: TurnStore,
    private readonly drains: DrainRequester,
    private readonly replies: ReplyStreamListener,
    private readonly metrics: IngressMetrics,
    private readonly cfg: IngressConfig,
    private readonly load: LoadShedder,
  ) {
    // Without a listener BullMQ prints every reconnect failure; one line per 10 s and kind is
    // enough, since readiness, the 503s and gbg_redis_errors_total already tell the story.
    const errorLines = new RepeatLimiter(10_000);
    this.drains.queue.on('error', (e: Error) => {
      const kind = errorKind(e);
      const said = errorLines.admit(kind);
      if (said) this.logger.warn({ kind, error: e.message, ...(said.heldBack ? { repeatsNotLogged: said.heldBack } : {}) }, 'queue connection error');
    });
  }

  /**
   * Holds the turn until enough replicas have it, so a failover right after the answer cannot lose
   * it. A short count means the write may exist only on a master about to be replaced (a failover
   * in progress, or the replica down): the turn is refused with a 503 instead of acknowledged. If
   * the write survives after all, the worker runs it and its reply comes with the session's next
   * turn, like any late result.
   */
  private async waitForReplicas(turnId: string, log: Record<string, unknown>, waiter: { cancel(): void }): Promise<void> {
    const want = this.cfg.REDIS_WAIT_REPLICAS;
    if (await this.store.confirmReplicated(turnId, want, this.cfg.REDIS_WAIT_TIMEOUT_MS).catch(() => false)) return;
    waiter.cancel();
    this.metrics.replicaWaitsShort.inc();
    this.logger.warn({ ...log, wanted: want }, 'turn refused: not enough replicas confirmed it in time');
    throw new GatewayError('unavailable', 'turn store not replicated; retry', undefined, 1);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async dispatch(turn: IncomingTurnDto, ctx: DispatchContext): Promise<BotConnectorResponse> {
    if (this.draining) throw new GatewayError('unavailable', 'gateway is shutting down; retry', undefined, 1);
    this.load.inFlight++;
    try {
      // Within the request's span, so the Redis calls below are its children.
      return await withTraceContext(ctx.traceContext, () => this.run(turn, ctx));
    } finally {
      this.load.inFlight--;
    }
  }

  private async run(turn: IncomingTurnDto, ctx: DispatchContext): Promise<BotConnectorResponse> {
    const { channel, bot } = ctx;
    const protocol = ctx.protocol ?? 'v1';
    // v2 answers MoreData at the end of its window and the worker sends the result later, so only
    // v1 keeps a margin for its own answer to travel within Genesys's timeout.
    const waitMs = protocol === 'v2' ? (channel.genesys.digitalBotConnector?.inlineWindowMs ?? 0) : channel.replyDeadlineMs;
    // With REDIS_WAIT_REPLICAS the fallback's claim is confirmed by the replicas too (claimOrFallback),
    // which may take up to REDIS_WAIT_TIMEOUT_MS: that is kept back as well.
    const margin = protocol === 'v2' ? 0 : SEND_MARGIN_MS + (this.cfg.REDIS_WAIT_REPLICAS > 0 ? this.cfg.REDIS_WAIT_TIMEOUT_MS : 0);
    // Drains are taken in order, so once the oldest waiting one is older than the channel's
    // deadline a turn accepted now cannot be answered in time either (R5: shed on queue age).
    const overdue = this.load.oldestWaitingMs >= channel.replyDeadlineMs;
    if (overdue && protocol === 'v2') {
      this.metrics.rejected.inc({ reason: 'overloaded_queue_age' });
      throw overloaded();
    }
    const sessionKey = sessionKeyOf(channel.id, turn.botSessionId);
    const turnId = turnIdOf(channel.id, turn.botSessionId, turn.messageId, () => randomUUID().replace(/-/g, ''));
    const envelope: TurnEnvelope = {
      protocol,
      seq: 0,
      turnId,
      channelId: channel.id,
      botId: bot.id,
      sessionKey,
      acceptedAt: Date.now(),
      deadlineAt: ctx.receivedAt + waitMs,
      ingressId: this.replies.ingressId,
      correlationId: ctx.correlationId,
      request: turn,
      trace: traceCarrierOf(ctx.traceContext),
    };
    if (ctx.traceContext) annotateSpan(ctx.traceContext, { [SpanAttributes.turnId]: turnId, [SpanAttributes.channelId]: channel.id, [SpanAttributes.protocol]: protocol });
    const log = { channelId: channel.id, botSessionId: turn.botSessionId, genesysConversationId: turn.genesysConversationId, correlationId: ctx.correlationId, turnId };

    const waiter = this.replies.expect(turnId);
    let accepted;
    try {
      accepted = await this.store.accept(envelope);
    } catch (e) {
      waiter.cancel();
      this.logger.error({ ...log, error: (e as Error).message }, 'could not store turn');
      throw new GatewayError('unavailable', 'turn store unavailable; retry', undefined, 1);
    }
    if (accepted.status === 'new' && this.cfg.REDIS_WAIT_REPLICAS > 0) await this.waitForReplicas(turnId, log, waiter);
    if (accepted.status !== 'new') {
      this.metrics.duplicates.inc({ channel: channel.id });
      if (accepted.status === 'duplicate-held') {
        waiter.cancel();
        return this.fallback(turn, ctx);
      }
      if (accepted.result) {
        waiter.cancel();
        return this.finish(accepted.result, ctx, 'duplicate');
      }
    }
    try {
      // Also for a duplicate still in progress: if the first ingress died before queueing,
      // this add starts it; otherwise deduplication makes it a no-op.
      await this.drains.request({ sessionKey, channelId: channel.id, botSessionId: turn.botSessionId });
    } catch (e) {
      waiter.cancel();
      this.logger.error({ ...log, error: (e as Error).message }, 'could not queue turn');
      throw new GatewayError('unavailable', 'queue unavailable; retry', undefined, 1);
    }

    // v1 behind an overdue queue: the turn is kept (queued above, its result comes with the next
    // turn like any late one) and the deadline policy answers now instead of after the deadline.
    const remaining = overdue ? 0 : ctx.receivedAt + waitMs - margin - Date.now();
    const result = (await waiter.wait(remaining)) ?? (await this.claimOrFallback(turnId, log));
    if (result) return this.finish(result, ctx, 'worker');

    if (protocol === 'v2') {
      this.metrics.deferred.inc({ channel: channel.id });
      return this.fallback(turn, ctx);
    }

    this.metrics.deadlineMiss(channel.id, channel.deadlinePolicy);
    if (overdue) {
      // Counted, not logged: under overload a line per turn would add to the load.
      this.metrics.rejected.inc({ reason: 'overloaded_queue_age' });
    } else {
      this.logger.warn({ ...log, policy: channel.deadlinePolicy }, 'reply deadline reached; answering with fallback');
    }
    return this.fallback(turn, ctx);
  }

  /**
   * The answer when the worker's result is not here in time. v1: the channel's deadline policy,
   * hold (MoreData + message) or handoff (reason `deadline`). v2: MoreData with no messages, the
   * documented asynchronous acknowledgement (reference §3.4); the reply follows from the outbox.
   */
  private fallback(turn: IncomingTurnDto, ctx: DispatchContext): BotConnectorResponse {
    const { channel } = ctx;
    if (ctx.traceContext) annotateSpan(ctx.traceContext, { [SpanAttributes.answeredBy]: ctx.protocol === 'v2' ? 'deferred' : channel.deadlinePolicy });
    if (ctx.protocol === 'v2') {
      const deferred: BotConnectorResponse = { botState: BotState.MoreData, replyMessages: [] };
      this.metrics.observeResponse(channel.id, deferred, Date.now() - ctx.receivedAt);
      return deferred;
    }
    const language = (turn.languageCode ?? channel.defaultLanguage).toLowerCase();
    const response =
      channel.deadlinePolicy === 'handoff'
        ? buildHandoffResponse(channel, { reason: 'deadline', language, lastUtterance: turn.inputMessage?.text })
        : buildHoldResponse(channel);
    this.metrics.observeResponse(channel.id, response, Date.now() - ctx.receivedAt, channel.deadlinePolicy === 'handoff' ? 'deadline' : undefined);
    return response;
  }

  /**
   * At the deadline: one last look for the result, racing the worker atomically for the answer.
   * With REDIS_WAIT_REPLICAS, a won fallback is acknowledged only once the replicas hold the claim:
   * during a failover this connection may still be on the deposed master, which keeps the turn
   * until its resync from the new master wipes it (a hold answered from there is a turn lost).
   */
  private async claimOrFallback(turnId: string, log: object): Promise<TurnResult | undefined> {
    try {
      const result = await this.store.claimFallback(turnId);
      const want = this.cfg.REDIS_WAIT_REPLICAS;
      if (!result && want > 0 && !(await this.store.confirmClaimReplicated(turnId, want, this.cfg.REDIS_WAIT_TIMEOUT_MS).catch(() => false))) {
        this.metrics.replicaWaitsShort.inc();
        this.logger.warn({ ...log, wanted: want }, 'fallback refused: not enough replicas confirmed the held turn in time');
        throw new GatewayError('unavailable', 'turn store not replicated; retry', undefined, 1);
      }
      return result;
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      if (e instanceof TurnLostError) {
        // Answering the fallback would tell Genesys a turn nothing will ever run was taken.
        this.logger.error(log, 'turn lost by Redis before its deadline (failover); refusing it');
        throw new GatewayError('unavailable', 'turn lost in a Redis failover; retry', undefined, 1);
      }
      this.logger.error({ ...log, error: (e as Error).message }, 'could not claim fallback');
      return undefined;
    }
  }

  private finish(result: TurnResult, ctx: DispatchContext, via: 'worker' | 'duplicate'): BotConnectorResponse {
    if (ctx.traceContext) annotateSpan(ctx.traceContext, { [SpanAttributes.answeredBy]: via, [SpanAttributes.outcome]: result.outcome });
    this.metrics.observeResult(ctx.channel.id, result, Date.now() - ctx.receivedAt, via);
    return result.response;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const until = Date.now() + this.cfg.SHUTDOWN_GRACE_MS;
    while (this.load.inFlight > 0 && Date.now() < until) await sleep(25);
    if (this.load.inFlight > 0) this.logger.warn({ inFlight: this.load.inFlight }, 'shutdown grace period over with turns in flight');
  }
}
