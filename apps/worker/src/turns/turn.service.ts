import { Injectable, Logger } from '@nestjs/common';
import type { CanonicalTurn, CanonicalUserInput } from '@app/bot-providers';
import {
  ChannelRepository,
  buildHandoffResponse,
  registeredIntents,
  type Channel,
  type ChannelBot,
} from '@app/channels';
import { WorkerConfig } from '@app/config';
import { BotState, matchLanguage, type BotConnectorResponse, type ReplyMessage } from '@app/genesys';
import type { DrainSessionJob } from '@app/queue';
import { TranscriptStore, TurnStore, type OutboxEntry, type TranscriptEntry, type TranscriptRecord, type TurnEnvelope, type TurnOutcomeKind, type TurnResult } from '@app/store';
import { BotCaller } from '../bot-calls/bot-caller.service.js';
import { customerAsksForHuman, decideAfterBot, type Decision } from '../handoff/handoff-policy.js';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';
import { OutgoingMessageSender } from '../outbox/outgoing-message.sender.js';
import { ParticipantDataWriter } from '../handoff/participant-data.writer.js';
import { capabilitiesFor } from '../rendering/capability-profiles.js';
import { StructuredMessageRenderer, type Degradation, type NumberedChoice } from '../rendering/structured-message.renderer.js';
import { newSession, type SessionState } from '../sessions/session.types.js';
import { normalizeInput } from './input-normalizer.js';

/** Most turns one drain job runs before yielding the worker slot to other sessions. */
const MAX_TURNS_PER_DRAIN = 200;
const DEFAULT_SESSION_MINUTES = 60;

interface Processed {
  result: TurnResult;
  session: SessionState;
  transcript: TranscriptEntry;
  lateConsumed: number;
}

/**
 * One job = one session drain: take the session's turns in acceptance order and run each through
 * load session → normalize input → pre-handoff → bot → post-handoff → render → persist.
 */
@Injectable()
export class TurnService {
  private readonly logger = new Logger(TurnService.name);

  constructor(
    private readonly store: TurnStore,
    private readonly transcripts: TranscriptStore,
    private readonly config: WorkerConfig,
    private readonly channels: ChannelRepository,
    private readonly bots: BotCaller,
    private readonly renderer: StructuredMessageRenderer,
    private readonly metrics: WorkerMetrics,
    private readonly outgoing: OutgoingMessageSender,
    private readonly participantData: ParticipantDataWriter,
  ) {}

  /**
   * Runs the session's turns in order. `more` says turns are left after this job's share
   * (MAX_TURNS_PER_DRAIN), so the caller queues a follow-up drain instead of stranding them.
   */
  async drainSession(job: DrainSessionJob): Promise<{ done: number; more: boolean }> {
    let done = 0;
    for (let i = 0; i < MAX_TURNS_PER_DRAIN; i++) {
      const { outboxPending, next } = await this.store.begin(job.sessionKey);
      if (outboxPending > 0) {
        // v2 results of earlier turns (or a crashed run's leftovers) go out before anything newer.
        await this.outgoing.flush(job.sessionKey);
        if (next) {
          i--;
          continue;
        }
      }
      if (!next) return { done, more: false };
      const { turnId, envelope } = next;
      if (!envelope) {
        // Expired before any worker got to it (retention passed): nothing can be answered any
        // more, but the transcript says so instead of the turn vanishing.
        this.logger.error({ sessionKey: job.sessionKey, turnId }, 'turn record expired before processing; recorded as failed');
        await this.recordExpired(job, turnId);
        await this.store.dropHead(job.sessionKey, turnId);
        continue;
      }
      const processed = await this.process(envelope, next.sessionJson, next.late);
      const outcome = await this.store.complete({
        envelope,
        result: processed.result,
        sessionJson: JSON.stringify(processed.session),
        sessionTtlMs: processed.session.timeoutMinutes * 60_000,
        transcript: processed.transcript,
        transcriptTtlMs: this.transcripts.retentionMs,
        lateConsumed: processed.lateConsumed,
        outbox: envelope.protocol === 'v2' ? outboxEntryOf(envelope, processed) : undefined,
      });
      if (outcome === 'fenced') {
        this.logger.warn({ sessionKey: job.sessionKey, turnId }, 'turn already completed by another run; stopping this drain');
        return { done, more: false };
      }
      this.metrics.observe(envelope.channelId, processed.result, outcome === 'late' || outcome === 'outbox');
      if (processed.result.outcome === 'handoff') void this.shareHandoffContext(envelope, processed);
      if (processed.session.closed && !(next.sessionJson && (JSON.parse(next.sessionJson) as SessionState).closed)) void this.tellBotSessionEnded(envelope, processed);
      done++;
    }
    return { done, more: true };
  }

  /** Best effort, after the answer went out: the agent's view gets the handoff package too. */
  private async shareHandoffContext(envelope: TurnEnvelope, processed: Processed): Promise<void> {
    const conversationId = processed.session.genesysConversationId;
    if (!conversationId) return;
    // Best effort (the answer already went out): without the channel there is no context to share.
    const channel = await this.channels.get(envelope.channelId).catch(() => undefined);
    if (!channel) return;
    const p = processed.result.response.parameters ?? {};
    await this.participantData.write(channel, {
      genesysConversationId: conversationId,
      botSessionId: envelope.request.botSessionId,
      reason: processed.result.handoffReason ?? p.handoffReason ?? 'unknown',
      queue: p.handoffQueue || undefined,
      summary: p.handoffSummary || undefined,
      language: processed.session.language,
      lastUtterance: p.lastUtterance || undefined,
    });
  }

  /** Best effort, after the answer went out: a backend that keeps sessions of its own (Kore) closes this one. */
  private async tellBotSessionEnded(envelope: TurnEnvelope, processed: Processed): Promise<void> {
    // Best effort (the answer already went out): without the channel there is no backend to tell.
    const channel = await this.channels.get(envelope.channelId).catch(() => undefined);
    const bot = channel?.bots.find((b) => b.id === envelope.botId);
    if (!channel || !bot) return;
    const closed = processed.session.closed;
    await this.bots.sessionEnded(channel, bot, {
      channelId: channel.id,
      botSessionId: envelope.request.botSessionId,
      genesysConversationId: processed.session.genesysConversationId,
      language: processed.session.language,
      outcome: closed === 'handoff' ? 'Handoff' : closed === 'end' ? 'Complete' : 'Failed',
      state: processed.session.botState,
    });
  }

  private async recordExpired(job: DrainSessionJob, turnId: string): Promise<void> {
    const entry: TranscriptRecord = {
      turnId,
      at: new Date().toISOString(),
      channelId: job.channelId,
      botSessionId: job.botSessionId,
      outcome: 'failed',
      error: `turn expired before a worker could run it (TURN_RETENTION_SECONDS=${this.config.TURN_RETENTION_SECONDS})`,
      replies: [],
      degradations: [],
    };
    await this.transcripts.append(job.sessionKey, entry);
  }

  async process(envelope: TurnEnvelope, storedSession: string | undefined, late: TurnResult[]): Promise<Processed> {
    const started = Date.now();
    const req = envelope.request;
    const channel = await this.channels.get(envelope.channelId);
    const bot = channel?.bots.find((b) => b.id === envelope.botId);
    const timeoutMinutes = req.botSessionTimeout ?? DEFAULT_SESSION_MINUTES;
    const session: SessionState = storedSession
      ? (JSON.parse(storedSession) as SessionState)
      : newSession(envelope.channelId, req.botSessionId, envelope.botId, channel?.defaultLanguage ?? 'en-us', timeoutMinutes);
    session.timeoutMinutes = timeoutMinutes;
    if (req.genesysConversationId) session.genesysConversationId = req.genesysConversationId;
    session.protocol = envelope.protocol ?? 'v1';
    if (req.botVersion) session.botVersion = req.botVersion;
    Object.assign(session.parameters, req.parameters ?? {});
    const input = normalizeInput(req.inputMessage, session.choices, session.payloadAliases);
    const ctx = { envelope, started, session, input };

    if (!channel || !bot) return this.failed(ctx, 'channel_unavailable', 'the channel or bot was removed');
    session.language = matchLanguage(req.languageCode ?? session.language, bot.languages, channel.defaultLanguage);

    // Late results (ingress answered with its fallback) come first, in order.
    const lateReplies = late.flatMap((r) => r.response.replyMessages ?? []);
    const terminalLate = late.find((r) => r.response.botState !== BotState.MoreData);
    if (terminalLate) {
      // The bot already ended or handed off while we held the customer: deliver that now.
      const response = { ...terminalLate.response, replyMessages: lateReplies };
      session.closed = terminalLate.outcome === 'handoff' ? 'handoff' : terminalLate.outcome === 'end' ? 'end' : 'failed';
      return this.finish(ctx, response, terminalLate.outcome, { handoffReason: terminalLate.handoffReason, lateConsumed: late.length, lateDelivered: lateReplies.length });
    }
    if (session.closed) return this.failed(ctx, 'session_closed', `this bot session already ended (${session.closed})`);

    if (customerAsksForHuman(input, session.language, channel.handoff)) {
      return this.handoff(ctx, channel, { kind: 'handoff', reason: 'customer_request' }, lateReplies, late.length);
    }

    const turn: CanonicalTurn = {
      turnId: envelope.turnId,
      channelId: channel.id,
      bot: { id: bot.id, name: bot.name, version: req.botVersion ?? bot.versions[bot.versions.length - 1]! },
      session: { id: req.botSessionId, genesysConversationId: session.genesysConversationId, turnIndex: session.turnIndex, state: session.botState, parameters: session.parameters },
      language: session.language,
      input,
      correlationId: envelope.correlationId,
      seq: envelope.seq,
    };
    const botStarted = Date.now();
    const call = await this.bots.call(channel, bot, turn);
    const botMs = Date.now() - botStarted;
    if (!call.ok) {
      this.metrics.botErrors.inc({ channel: channel.id, circuit: call.circuitOpen ? 'open' : 'closed' });
      if (channel.handoff.onBotError === 'handoff') {
        return this.handoff({ ...ctx, botMs, error: call.error }, channel, { kind: 'handoff', reason: 'bot_error' }, lateReplies, late.length);
      }
      return this.failed({ ...ctx, botMs }, 'bot_error', 'the bot could not answer', lateReplies, late.length);
    }

    const result = call.result;
    session.consecutiveFallbacks = result.fallback ? session.consecutiveFallbacks + 1 : 0;
    if (result.state) session.botState = result.state;
    const decision = decideAfterBot(result, session.consecutiveFallbacks, channel.handoff);

    const renderStarted = Date.now();
    const rendered = this.renderer.render(result.messages, capabilitiesFor(channel.templates.profile, channel.templates.disable));
    const renderMs = Date.now() - renderStarted;
    const replies = [...lateReplies, ...rendered.replyMessages];
    const parameters = stringParams(result.parameters);
    const timing = { botMs, renderMs, degradations: rendered.degradations, choices: rendered.choices, payloadAliases: rendered.payloadAliases };

    if (decision.kind === 'handoff') {
      return this.handoff({ ...ctx, ...timing }, channel, decision, replies, late.length, parameters, lateReplies.length);
    }
    const intents = registeredIntents(channel, bot.id);
    if (decision.kind === 'end') {
      session.closed = 'end';
      const intent = decision.intent && intents.has(decision.intent) ? decision.intent : channel.handoff.endIntent;
      const response: BotConnectorResponse = { botState: BotState.Complete, intent, confidence: result.confidence ?? 1, replyMessages: replies, parameters };
      return this.finish({ ...ctx, ...timing }, response, 'end', { lateConsumed: late.length, lateDelivered: lateReplies.length });
    }
    const response: BotConnectorResponse = { botState: BotState.MoreData, replyMessages: replies };
    // MoreData keeps the dialogue inside one Call Bot Connector action, so Genesys's
    // same-intent loop guard never sees a loop (reference §2.5); only registered intents are named.
    if (result.intent && intents.has(result.intent)) response.intent = result.intent;
    if (result.confidence !== undefined) response.confidence = result.confidence;
    if (Object.keys(parameters).length) response.parameters = parameters;
    return this.finish({ ...ctx, ...timing }, response, 'reply', { lateConsumed: late.length, lateDelivered: lateReplies.length });
  }

  private async handoff(
    ctx: TurnContext,
    channel: Channel,
    decision: Extract<Decision, { kind: 'handoff' }>,
    before: ReplyMessage[],
    lateConsumed: number,
    extraParameters: Record<string, string> = {},
    /** How many of `before` are late replies of earlier turns (the rest are this turn's bot replies). */
    lateDelivered = before.length,
  ): Promise<Processed> {
    const summary = decision.summary ?? (await this.summarize(ctx, channel));
    const base = buildHandoffResponse(
      channel,
      { reason: decision.reason, detail: decision.detail, queue: decision.queue, summary, lastUtterance: ctx.input.text, language: ctx.session.language },
      before,
    );
    const response = { ...base, parameters: { ...extraParameters, ...base.parameters } };
    ctx.session.closed = 'handoff';
    return this.finish(ctx, response, 'handoff', { handoffReason: decision.reason, lateConsumed, lateDelivered });
  }

  private failed(ctx: TurnContext, code: string, message: string, before: ReplyMessage[] = [], lateConsumed = 0): Processed {
    ctx.session.closed = 'failed';
    const response: BotConnectorResponse = { botState: BotState.Failed, replyMessages: before, errorInfo: { errorCode: code, errorMessage: message } };
    return this.finish({ ...ctx, error: message }, response, 'failed', { lateConsumed, lateDelivered: before.length });
  }

  /** A few lines an agent can read at a glance: the last turns of this session, newest last. */
  private async summarize(ctx: TurnContext, channel: Channel): Promise<string> {
    const n = channel.handoff.summaryTurns;
    if (n <= 0) return '';
    // The summary is a courtesy to the agent: without the transcript the handoff still goes ahead.
    const entries = await this.transcripts.last(ctx.envelope.sessionKey, n).catch(() => [] as TranscriptEntry[]);
    const lines: string[] = [];
    for (const e of entries) {
      if (e.kind === 'outgoing_failed') continue;
      if (e.input?.text) lines.push(`Customer: ${e.input.text}`);
      // Late replies of an earlier turn were already summarized with that turn.
      const botText = e.replies.slice(e.deliveredLate).map(describeReply).filter(Boolean).join(' / ');
      if (botText) lines.push(`Bot: ${botText}`);
    }
    if (ctx.input.text) lines.push(`Customer: ${ctx.input.text}`);
    return lines.join('\n').slice(-1000);
  }

  private finish(
    ctx: TurnContext,
    response: BotConnectorResponse,
    outcome: TurnOutcomeKind,
    extra: { handoffReason?: string; lateConsumed: number; lateDelivered: number },
  ): Processed {
    const { envelope, session, input } = ctx;
    const now = Date.now();
    session.turnIndex++;
    session.lastTurnAt = new Date(now).toISOString();
    session.choices = ctx.choices ?? [];
    session.payloadAliases = ctx.payloadAliases ?? {};
    const timings = {
      queueWaitMs: Math.max(0, ctx.started - envelope.acceptedAt),
      botMs: ctx.botMs ?? 0,
      renderMs: ctx.renderMs ?? 0,
      totalMs: now - envelope.acceptedAt,
    };
    const result: TurnResult = { turnId: envelope.turnId, response, outcome, handoffReason: extra.handoffReason, timings, completedAt: now };
    const transcript: TranscriptEntry = {
      turnId: envelope.turnId,
      seq: envelope.seq,
      at: new Date(envelope.acceptedAt).toISOString(),
      channelId: envelope.channelId,
      botSessionId: envelope.request.botSessionId,
      genesysConversationId: envelope.request.genesysConversationId,
      correlationId: envelope.correlationId,
      messageId: envelope.request.messageId,
      language: session.language,
      input: summarizeInput(input),
      replies: response.replyMessages,
      botState: response.botState,
      intent: response.intent,
      outcome,
      handoffReason: extra.handoffReason,
      degradations: (ctx.degradations ?? []).map(({ from, to, reason }) => ({ from, to, reason })),
      deliveredLate: extra.lateDelivered,
      late: false,
      timings,
      error: ctx.error,
    };
    this.logger.debug({ channelId: envelope.channelId, botSessionId: envelope.request.botSessionId, genesysConversationId: envelope.request.genesysConversationId, correlationId: envelope.correlationId, turnId: envelope.turnId, outcome, ms: timings.totalMs }, 'turn done');
    return { result, session, transcript, lateConsumed: extra.lateConsumed };
  }
}

interface TurnContext {
  envelope: TurnEnvelope;
  started: number;
  session: SessionState;
  input: CanonicalUserInput;
  botMs?: number;
  renderMs?: number;
  degradations?: Degradation[];
  choices?: NumberedChoice[];
  payloadAliases?: Record<string, string>;
  error?: string;
}

/** A reply as an agent would want it in one line: its text, or what a card or carousel showed. */
function describeReply(m: ReplyMessage): string {
  if (m.text?.trim()) return m.text.trim();
  const titles = (m.content ?? []).flatMap((c) =>
    c.contentType === 'Card' ? [c.card.title] : c.contentType === 'Carousel' ? c.carousel.cards.map((k) => k.title) : c.contentType === 'Attachment' ? [c.attachment.filename ?? c.attachment.mediaType] : [],
  );
  return titles.length ? `[${titles.join(', ')}]` : '';
}

/** Where a v2 result goes if the ingress stopped waiting for it (the bot and version Genesys named). */
function outboxEntryOf(envelope: TurnEnvelope, processed: Processed): OutboxEntry {
  const req = envelope.request;
  return {
    turnId: envelope.turnId,
    channelId: envelope.channelId,
    botSessionId: req.botSessionId,
    botId: req.botId ?? envelope.botId,
    botVersion: req.botVersion ?? '',
    languageCode: req.languageCode ?? processed.session.language,
    genesysConversationId: req.genesysConversationId,
    result: processed.result,
  };
}

function stringParams(p: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) out[k] = String(v);
  return out;
}

function summarizeInput(input: CanonicalUserInput): TranscriptEntry['input'] {
  return { kind: input.kind, text: input.text, payload: input.payload, attachments: input.attachments.length };
}
