import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { BotConnectorRequest, InputMessage } from '@app/genesys';
import { EmulatorHttpError, isRecord } from './api-errors.js';
import { resolveFlow, type FlowPath, type ResolvedFlow } from './architect-flow.types.js';
import type { BotListEmulator } from './bot-list.emulator.js';
import { parseWebhookResponse, type BotTurnResult } from './bot-response.parser.js';
import type { ConversationStore, EmulatedConversation } from './conversations.emulator.js';
import type { EmulatorIntegration } from './emulator.options.js';

/**
 * Plays the Architect side of a messaging conversation: for each customer message it calls the
 * bot connector the way Genesys does (v1 `POST <Handle Utterance URI>`, v2 `POST {base}/messages`),
 * reads the answer as Genesys reads it, and leaves the bot action on the intent's path or on the
 * Failure path (reference §2.4, §3.4, §3.6, §3.7, §4).
 */

/** A customer message: typed text, or a click on a quick reply or a card button. */
export type CustomerInput = { text: string } | { quickReply: { text: string; payload: string } } | { button: { text: string; payload: string } };

/** One HTTP call the driver made to the gateway (never holds header values). */
export interface FlowCall {
  at: string;
  flowId: string;
  conversationId: string;
  botSessionId: string;
  /** 1 for the first try, 2+ for 5xx/connection retries. */
  attempt: number;
  method: 'POST';
  url: string;
  /** HTTP status, 0 when no answer came (timeout, connection error). */
  status: number;
  ms: number;
  botState?: string;
  outcome: 'ok' | 'http-error' | 'timeout' | 'network-error' | 'invalid-response' | 'late';
  error?: string;
}

/** The v2 IncomingMessagesRequest (reference §3.3); v1 adds chatBot and sends the bot name in botId. */
type WebhookRequest = BotConnectorRequest & { messageId: string; botSessionTimeout: number; genesysConversationId: string };

export interface FlowDriverDeps {
  now: () => number;
  integrations: ReadonlyMap<string, Required<EmulatorIntegration>>;
  botLists: BotListEmulator;
  conversations: ConversationStore;
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

type Attempt = { kind: 'answer'; status: number; text: string; ms: number } | { kind: 'timeout'; ms: number } | { kind: 'network-error'; ms: number; error: string };

export class ArchitectFlowDriver {
  readonly flowCalls: FlowCall[] = [];
  private readonly flows = new Map<string, ResolvedFlow>();
  private readonly inputParameters = new Map<string, Record<string, string>>();

  constructor(private readonly deps: FlowDriverDeps) {}

  // ---- flows ---------------------------------------------------------------------------------

  /** Registers or replaces a flow; throws FlowValidationError (→ 400) on a bad definition. */
  registerFlow(definition: unknown): ResolvedFlow {
    const flow = resolveFlow(definition, this.deps.integrations);
    this.flows.set(flow.id, flow);
    return flow;
  }

  flow(id: string): ResolvedFlow | undefined {
    return this.flows.get(id);
  }

  listFlows(): ResolvedFlow[] {
    return [...this.flows.values()];
  }

  // ---- conversations -------------------------------------------------------------------------

  /**
   * Starts a conversation in the flow; with a first message, resolves once the bot's synchronous
   * answer has been handled (async v2 messages may still arrive later through the outgoing API).
   */
  async startConversation(req: { flowId: string; parameters?: Record<string, string>; input?: CustomerInput }): Promise<EmulatedConversation> {
    const flow = this.flows.get(req.flowId);
    if (!flow) throw new EmulatorHttpError(404, 'not.found', `No flow "${req.flowId}"; register it with POST /emulator/flows`);
    const conv = this.deps.conversations.create({
      flowId: flow.id,
      protocol: flow.protocol,
      integrationId: flow.integrationId,
      botId: flow.botId,
      botVersion: flow.botVersion,
      languageCode: flow.languageCode,
      timeoutMinutes: flow.botSessionTimeoutMinutes,
    });
    this.inputParameters.set(conv.id, { ...flow.parameters, ...(req.parameters ?? {}) });
    if (req.input) await this.enqueue(conv, flow, req.input);
    return conv;
  }

  async sendCustomerMessage(conversationId: string, input: CustomerInput): Promise<EmulatedConversation> {
    const conv = this.deps.conversations.get(conversationId);
    if (!conv) throw new EmulatorHttpError(404, 'not.found', `No conversation ${conversationId}`);
    const flow = conv.flowId ? this.flows.get(conv.flowId) : undefined;
    if (!flow) throw new EmulatorHttpError(409, 'conversation.without.flow', `Conversation ${conversationId} was opened directly (openBotSession); it has no flow to send customer messages through`);
    // A due session expiry is applied inside the turn, after the customer message is recorded.
    if (conv.state === 'ended' || conv.state === 'failed') throw new EmulatorHttpError(409, 'conversation.ended', `Conversation ${conversationId} has ended (${conv.state})`);
    await this.enqueue(conv, flow, input);
    return conv;
  }

  /**
   * Applies a bot answer (webhook response or outgoing message) to the conversation. Returns
   * false when the bot action had already exited, in which case Genesys ignores the answer.
   */
  applyResult(conv: EmulatedConversation, result: BotTurnResult, via: 'response' | 'outgoing'): boolean {
    if (conv.state !== 'bot') return false;
    const flow = conv.flowId ? this.flows.get(conv.flowId) : undefined;
    const store = this.deps.conversations;
    store.addBotMessages(conv, result.replyMessages, via);
    Object.assign(conv.parameters, result.parameters);
    if (result.botState === 'MoreData') return true;
    if (result.botState === 'Failed') {
      this.fail(conv, flow, 'ServiceProviderErrorResponse', result.errorInfo?.message ?? result.errorInfo?.code ?? 'The bot answered botState Failed');
      return true;
    }
    // Complete: leave on the intent's output path. A missing or unknown intent is a no-match,
    // which Architect handles on the Failure path (DBC-SPEC). v2 documents only the three
    // ServiceProvider* error types; v1's name for it comes from a third party (HIVE).
    const intent = result.intent;
    if (intent !== undefined) conv.intent = intent;
    const noMatch = conv.protocol === 'v1' ? 'NoMatchError' : 'ServiceProviderInvalidResponse';
    if (!intent) {
      this.fail(conv, flow, noMatch, 'The bot answered Complete without an intent');
      return true;
    }
    if (conv.protocol === 'v1') {
      const registered = this.deps.botLists.registeredIntents(conv.integrationId, conv.session.botId, conv.session.botVersion);
      if (registered && !registered.includes(intent)) {
        this.fail(conv, flow, noMatch, `Intent "${intent}" is not registered for bot "${conv.session.botId}" version "${conv.session.botVersion}" (registered: ${registered.join(', ') || 'none'})`);
        return true;
      }
    }
    if (!flow) {
      store.closeSession(conv.session, `Complete (${intent})`);
      store.end(conv, 'ended');
      return true;
    }
    const path = flow.intentPaths[intent];
    if (!path) {
      this.fail(conv, flow, noMatch, `Flow "${flow.id}" has no output path for intent "${intent}"`);
      return true;
    }
    store.closeSession(conv.session, `Complete (${intent})`);
    this.take(conv, path);
    return true;
  }

  /** A session past its `botSessionTimeout` ends the bot action (guess: on the Failure path, as a timeout). */
  expireIfDue(conv: EmulatedConversation): void {
    if (conv.state !== 'bot' || !this.deps.conversations.isExpired(conv.session)) return;
    const flow = conv.flowId ? this.flows.get(conv.flowId) : undefined;
    this.fail(conv, flow, 'ServiceProviderTimeout', `The bot session expired after ${conv.session.timeoutMinutes} minutes (botSessionTimeout)`);
  }

  // ---- one customer turn ---------------------------------------------------------------------

  private enqueue(conv: EmulatedConversation, flow: ResolvedFlow, input: CustomerInput): Promise<void> {
    const run = conv.queueTail.then(() => this.turn(conv, flow, input));
    // The caller gets `run` and its failure; the tail only keeps turns in order, so a failed turn must not block the next.
    conv.queueTail = run.catch(() => undefined);
    return run;
  }

  private async turn(conv: EmulatedConversation, flow: ResolvedFlow, input: CustomerInput): Promise<void> {
    if (conv.state === 'ended' || conv.state === 'failed') return;
    const inputMessage = toInputMessage(input);
    this.deps.conversations.addCustomerMessage(conv, { text: inputMessage.text, ...(inputMessage.content ? { content: inputMessage.content } : {}) });
    // After a handoff the customer talks to the agent; the bot is not called any more (reference §4).
    if (conv.state === 'agent') return;
    this.expireIfDue(conv);
    if (conv.state !== 'bot') return;
    const integration = this.deps.integrations.get(flow.integrationId);
    if (!integration?.active) return this.fail(conv, flow, 'ServiceProviderErrorResponse', `Integration ${flow.integrationId} is not active`);

    const body = this.requestBody(conv, flow, inputMessage);
    conv.turns += 1;
    const url = flow.protocol === 'v2' ? `${flow.url}/messages` : flow.url;
    for (let attempt = 1; ; attempt++) {
      const r = await this.post(url, flow, body);
      const call = { at: new Date(this.deps.now()).toISOString(), flowId: flow.id, conversationId: conv.id, botSessionId: conv.session.botSessionId, attempt, method: 'POST' as const, url, ms: r.ms };
      if (conv.state !== 'bot') {
        // An outgoing Complete/Failed overtook this answer: the bot action is over, Genesys drops it.
        this.flowCalls.push({ ...call, status: r.kind === 'answer' ? r.status : 0, outcome: 'late' });
        return;
      }
      if (r.kind === 'timeout') {
        this.flowCalls.push({ ...call, status: 0, outcome: 'timeout', error: `no answer within ${flow.botResponseTimeoutMs} ms` });
        return this.fail(conv, flow, 'ServiceProviderTimeout', `The bot did not answer within ${flow.botResponseTimeoutMs} ms`);
      }
      const transient = r.kind === 'network-error' || r.status >= 500;
      if (transient) {
        const what = r.kind === 'network-error' ? r.error : `HTTP ${r.status}`;
        this.flowCalls.push({ ...call, status: r.kind === 'answer' ? r.status : 0, outcome: r.kind === 'answer' ? 'http-error' : 'network-error', error: what });
        // 5xx is transient and retried; once the retries run out, Failure path (reference §3.7).
        if (attempt <= flow.retries5xx) {
          await sleep(flow.retryBackoffMs * attempt);
          if (conv.state !== 'bot') return;
          continue;
        }
        return this.fail(conv, flow, 'ServiceProviderErrorResponse', `${what} after ${attempt} attempt${attempt > 1 ? 's' : ''}`);
      }
      if (r.status < 200 || r.status > 299) {
        // 4xx is a logical error: not retried, Failure path (reference §3.7). Redirects are not followed.
        this.flowCalls.push({ ...call, status: r.status, outcome: 'http-error', error: `HTTP ${r.status}` });
        return this.fail(conv, flow, 'ServiceProviderErrorResponse', `HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(r.text);
      } catch {
        this.flowCalls.push({ ...call, status: r.status, outcome: 'invalid-response', error: 'body is not JSON' });
        return this.fail(conv, flow, 'ServiceProviderInvalidResponse', 'The response body is not JSON');
      }
      const parsed = parseWebhookResponse(raw);
      const botState = isRecord(raw) ? String(Object.entries(raw).find(([k]) => k.toLowerCase() === 'botstate')?.[1] ?? '') || undefined : undefined;
      if (!parsed.ok) {
        const why = parsed.problems.map((d) => `${d.fieldName || 'body'}: ${d.errorMessage}`).join('; ');
        this.flowCalls.push({ ...call, status: r.status, ...(botState ? { botState } : {}), outcome: 'invalid-response', error: why });
        return this.fail(conv, flow, 'ServiceProviderInvalidResponse', why);
      }
      this.flowCalls.push({ ...call, status: r.status, botState: parsed.result.botState, outcome: 'ok' });
      this.applyResult(conv, parsed.result, 'response');
      return;
    }
  }

  private requestBody(conv: EmulatedConversation, flow: ResolvedFlow, inputMessage: InputMessage): WebhookRequest {
    const params = this.inputParameters.get(conv.id) ?? flow.parameters;
    const sendParams = (conv.turns === 0 || flow.parametersOnEveryTurn) && Object.keys(params).length > 0;
    const common = {
      botVersion: flow.botVersion,
      botSessionId: conv.session.botSessionId,
      messageId: randomUUID(),
      inputMessage,
      languageCode: flow.languageCode,
      botSessionTimeout: flow.botSessionTimeoutMinutes,
      genesysConversationId: conv.id,
      ...(sendParams ? { parameters: { ...params } } : {}),
    };
    // v1 captures show the bot *name* in botId and the registered id in chatBot.id (reference §2.2).
    if (flow.protocol === 'v1') return { botId: flow.botName, ...common, chatBot: { id: flow.botId, name: flow.botName } };
    return { botId: flow.botId, ...common };
  }

  private async post(url: string, flow: ResolvedFlow, body: WebhookRequest): Promise<Attempt> {
    const doFetch = this.deps.fetch ?? fetch;
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const res = await doFetch(url, {
        method: 'POST',
        // The integration's credential fields arrive as headers (reference §2.1); inin-correlation-id is reported by CXAS.
        headers: { 'content-type': 'application/json', 'inin-correlation-id': randomUUID(), ...flow.headers },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(flow.botResponseTimeoutMs),
      });
      const text = await res.text();
      return { kind: 'answer', status: res.status, text, ms: ms() };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') return { kind: 'timeout', ms: ms() };
      return { kind: 'network-error', ms: ms(), error: err.cause?.code ?? err.cause?.message ?? err.message };
    }
  }

  // ---- leaving the bot action ----------------------------------------------------------------

  private fail(conv: EmulatedConversation, flow: ResolvedFlow | undefined, errorType: string, errorMessage: string): void {
    conv.failure = { errorType, errorMessage };
    this.deps.conversations.closeSession(conv.session, `Failure (${errorType})`);
    const path: FlowPath = flow?.failurePath ?? { action: 'end' };
    if (path.action === 'transfer') this.deps.conversations.transferToQueue(conv, queueFor(path, conv.parameters));
    else this.deps.conversations.end(conv, 'failed');
  }

  private take(conv: EmulatedConversation, path: FlowPath): void {
    if (path.action === 'transfer') this.deps.conversations.transferToQueue(conv, queueFor(path, conv.parameters));
    else this.deps.conversations.end(conv, 'ended');
  }
}

/** Transfer to ACD by expression: the session-variable output if the bot set it, else the fixed queue. */
function queueFor(path: Extract<FlowPath, { action: 'transfer' }>, parameters: Record<string, string>): string {
  const fromBot = path.queueParameter ? parameters[path.queueParameter]?.trim() : undefined;
  return fromBot || path.queue;
}

function toInputMessage(input: CustomerInput): InputMessage {
  if ('text' in input) return { type: 'Text', text: input.text };
  const [type, click] = 'quickReply' in input ? (['QuickReply', input.quickReply] as const) : (['Button', input.button] as const);
  // What Genesys sends for a click (reference §2.3, §7): a Structured message carrying a ButtonResponse.
  return { type: 'Structured', text: click.text, content: [{ contentType: 'ButtonResponse', buttonResponse: { type, text: click.text, payload: click.payload } }] };
}
