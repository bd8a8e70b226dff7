import { Injectable } from '@nestjs/common';
import type { CanonicalTurn } from '@app/bot-providers';
import { ChannelRepository, buildHandoffResponse, registeredIntents, type Channel, type ChannelBot } from '@app/channels';
import { BotState, type BotConnectorResponse, type ReplyMessage } from '@app/genesys';
import { SpanNames, inSpanSync, type Context } from '@app/observability';
import { Redactor } from '@app/privacy';
import { redactTranscript, type TurnEnvelope, type TurnResult } from '@app/store';
import { BotCaller } from '../bot-calls/bot-caller.service.js';
import { HandoffSummarizer } from '../handoff/handoff-summary.js';
import { customerAsksForHuman, decideAfterBot, type Decision } from '../handoff/handoff-policy.js';
import { WorkerMetrics } from '../ops/worker-metrics.service.js';
import { capabilitiesFor } from '../rendering/capability-profiles.js';
import { StructuredMessageRenderer } from '../rendering/structured-message.renderer.js';
import { normalizeInput } from './input-normalizer.js';
import { loadSession, mergeLate, type LateDelivery } from './session-loader.js';
import { failedTurn, recordTurn, type TurnContext, type TurnOutcome } from './turn-record.js';

type Handoff = Extract<Decision, { kind: 'handoff' }>;

/**
 * One turn, from what was stored to what is to be stored: load the session, deliver late
 * results, decide before the bot (customer asks for a human), call the bot, decide after it
 * (handoff, end, continue), render. Stores nothing: the drain completes the outcome atomically.
 */
@Injectable()
export class TurnStep {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly bots: BotCaller,
    private readonly renderer: StructuredMessageRenderer,
    private readonly summaries: HandoffSummarizer,
    private readonly metrics: WorkerMetrics,
    private readonly redactor: Redactor,
  ) {}

  /**
   * The outcome with its transcript entry redacted under the channel's policy. Only the entry:
   * the result keeps the replies as the customer gets them (its handoff parameters were redacted
   * when built), and the bot was called with the text as typed.
   */
  async run(envelope: TurnEnvelope, storedSession: string | undefined, lateResults: TurnResult[], traceContext?: Context): Promise<TurnOutcome> {
    const started = Date.now();
    const channel = await this.channels.get(envelope.channelId);
    const outcome = await this.runTurn(started, channel, envelope, storedSession, lateResults, traceContext);
    return { ...outcome, transcript: redactTranscript(this.redactor.for(channel?.privacy), outcome.transcript) };
  }

  private async runTurn(started: number, channel: Channel | undefined, envelope: TurnEnvelope, storedSession: string | undefined, lateResults: TurnResult[], traceContext: Context | undefined): Promise<TurnOutcome> {
    const bot = channel?.bots.find((b) => b.id === envelope.botId);
    const session = loadSession(envelope, storedSession, channel, bot);
    const input = normalizeInput(envelope.request.inputMessage, session.choices, session.payloadAliases);
    const ctx: TurnContext = { envelope, started, session, input, traceContext };

    if (!channel || !bot) return failedTurn(ctx, 'channel_unavailable', 'the channel or bot was removed');

    // Late results (ingress answered with its fallback) come first, in order.
    const late = mergeLate(lateResults);
    if (late.terminal) {
      session.closed = late.terminal.closed;
      return recordTurn(ctx, late.terminal.response, late.terminal.outcome, { handoffReason: late.terminal.handoffReason, lateConsumed: late.consumed, lateDelivered: late.replies.length });
    }
    if (session.closed) return failedTurn(ctx, 'session_closed', `this bot session already ended (${session.closed})`);

    if (customerAsksForHuman(input, session.language, channel.handoff)) {
      return this.handoff(ctx, channel, { kind: 'handoff', reason: 'customer_request' }, late.replies, late.consumed);
    }
    return this.callBot(ctx, channel, bot, late);
  }

  private async callBot(ctx: TurnContext, channel: Channel, bot: ChannelBot, late: LateDelivery): Promise<TurnOutcome> {
    const { envelope, session, input } = ctx;
    const req = envelope.request;
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
    const call = await this.bots.call(channel, bot, turn, ctx.traceContext);
    const botMs = Date.now() - botStarted;
    if (!call.ok) {
      this.metrics.botErrors.inc({ channel: channel.id, circuit: call.circuitOpen ? 'open' : 'closed' });
      if (channel.handoff.onBotError === 'handoff') {
        return this.handoff({ ...ctx, botMs, error: call.error }, channel, { kind: 'handoff', reason: 'bot_error' }, late.replies, late.consumed);
      }
      return failedTurn({ ...ctx, botMs }, 'bot_error', 'the bot could not answer', late.replies, late.consumed);
    }

    const result = call.result;
    session.consecutiveFallbacks = result.fallback ? session.consecutiveFallbacks + 1 : 0;
    if (result.state) session.botState = result.state;
    const decision = decideAfterBot(result, session.consecutiveFallbacks, channel.handoff);

    const renderStarted = Date.now();
    const rendered = inSpanSync(SpanNames.render, { parent: ctx.traceContext }, () => this.renderer.render(result.messages, capabilitiesFor(channel.templates.profile, channel.templates.disable)));
    const renderMs = Date.now() - renderStarted;
    const replies = [...late.replies, ...rendered.replyMessages];
    const parameters = stringParams(result.parameters);
    const done: TurnContext = { ...ctx, botMs, renderMs, degradations: rendered.degradations, choices: rendered.choices, payloadAliases: rendered.payloadAliases };
    const extra = { lateConsumed: late.consumed, lateDelivered: late.replies.length };

    if (decision.kind === 'handoff') {
      return this.handoff(done, channel, decision, replies, late.consumed, parameters, late.replies.length);
    }
    const intents = registeredIntents(channel, bot.id);
    if (decision.kind === 'end') {
      session.closed = 'end';
      const intent = decision.intent && intents.has(decision.intent) ? decision.intent : channel.handoff.endIntent;
      const response: BotConnectorResponse = { botState: BotState.Complete, intent, confidence: result.confidence ?? 1, replyMessages: replies, parameters };
      return recordTurn(done, response, 'end', extra);
    }
    const response: BotConnectorResponse = { botState: BotState.MoreData, replyMessages: replies };
    // MoreData keeps the dialogue inside one Call Bot Connector action, so Genesys's
    // same-intent loop guard never sees a loop (reference §2.5); only registered intents are named.
    if (result.intent && intents.has(result.intent)) response.intent = result.intent;
    if (result.confidence !== undefined) response.confidence = result.confidence;
    if (Object.keys(parameters).length) response.parameters = parameters;
    return recordTurn(done, response, 'reply', extra);
  }

  private async handoff(
    ctx: TurnContext,
    channel: Channel,
    decision: Handoff,
    before: ReplyMessage[],
    lateConsumed: number,
    extraParameters: Record<string, string> = {},
    /** How many of `before` are late replies of earlier turns (the rest are this turn's bot replies). */
    lateDelivered = before.length,
  ): Promise<TurnOutcome> {
    const summary = decision.summary ?? (await this.summaries.summarize(ctx.envelope.sessionKey, channel.handoff.summaryTurns, ctx.input.text));
    const base = buildHandoffResponse(
      channel,
      { reason: decision.reason, detail: decision.detail, queue: decision.queue, summary, lastUtterance: ctx.input.text, language: ctx.session.language },
      before,
    );
    const response = { ...base, parameters: { ...extraParameters, ...base.parameters } };
    ctx.session.closed = 'handoff';
    return recordTurn(ctx, response, 'handoff', { handoffReason: decision.reason, lateConsumed, lateDelivered });
  }
}

function stringParams(p: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) out[k] = String(v);
  return out;
}
