import { randomUUID } from 'node:crypto';
import type { ReplyMessage } from '@app/genesys';
import { Problems, badRequest, isRecord, notFound } from './api-errors.js';
import { empty, json, type EmulatorResponse } from './emulator-response.js';

/**
 * Messaging conversations and the bot sessions inside them, as the rest of the emulator sees
 * them: the transcript, the participants (with their participant data) and where Architect sent
 * the conversation once the bot action ended.
 */

export type ConversationState = 'bot' | 'agent' | 'ended' | 'failed';
export type ParticipantPurpose = 'customer' | 'agent' | 'acd' | 'workflow';

export interface EmulatedParticipant {
  id: string;
  purpose: ParticipantPurpose;
  name?: string;
  state: 'connected' | 'disconnected';
  attributes: Record<string, string>;
}

export interface TranscriptMessage {
  from: 'customer' | 'bot';
  /** ISO time from the emulator clock. */
  at: string;
  /** Bot messages only: in the webhook's HTTP response, or pushed later through the outgoing API (v2). */
  via?: 'response' | 'outgoing';
  type?: string;
  text?: string;
  content?: unknown[];
}

export interface FailureInfo {
  /** ServiceProviderErrorResponse | ServiceProviderTimeout | ServiceProviderInvalidResponse | NoMatchError. */
  errorType: string;
  errorMessage: string;
}

export interface BotSession {
  botSessionId: string;
  conversationId: string;
  protocol: 'v1' | 'v2';
  integrationId: string;
  botId: string;
  botVersion: string;
  languageCode: string;
  timeoutMinutes: number;
  openedAt: number;
  closedAt?: number;
  closeReason?: string;
}

export interface EmulatedConversation {
  id: string;
  flowId?: string;
  protocol: 'v1' | 'v2';
  integrationId: string;
  session: BotSession;
  state: ConversationState;
  queue?: string;
  intent?: string;
  failure?: FailureInfo;
  /** Architect session-variable outputs received so far. */
  parameters: Record<string, string>;
  messages: TranscriptMessage[];
  participants: EmulatedParticipant[];
  createdAt: number;
  /** Webhook calls made in this bot session (parameters go on the first by default). */
  turns: number;
  /** Customer turns run one after the other, as Genesys delivers them. */
  queueTail: Promise<unknown>;
}

/** `GET /emulator/conversations/:id` (see README.md). */
export interface ConversationView {
  id: string;
  flowId?: string;
  protocol: 'v1' | 'v2';
  integrationId: string;
  botSessionId: string;
  botId: string;
  botVersion: string;
  languageCode: string;
  state: ConversationState;
  queue?: string;
  intent?: string;
  failure?: FailureInfo;
  parameters: Record<string, string>;
  messages: TranscriptMessage[];
  /** The customer participant's participant data (where Set Participant Data writes). */
  participantAttributes: Record<string, string>;
}

export interface OpenSessionInit {
  conversationId?: string;
  botSessionId?: string;
  flowId?: string;
  protocol: 'v1' | 'v2';
  integrationId: string;
  botId: string;
  botVersion: string;
  languageCode: string;
  timeoutMinutes: number;
}

/** Guess: Genesys publishes no key limit for participant data; 255 is a common column size. */
const MAX_ATTRIBUTE_KEY = 255;

export class ConversationStore {
  private readonly conversations = new Map<string, EmulatedConversation>();
  private readonly sessions = new Map<string, BotSession>();

  constructor(
    private readonly now: () => number,
    private readonly maxAttributeValueLength: number,
  ) {}

  /** A new messaging conversation, already in the bot flow, with its bot session open. */
  create(init: OpenSessionInit): EmulatedConversation {
    const id = init.conversationId ?? randomUUID();
    if (this.conversations.has(id)) throw new Error(`conversation ${id} already exists`);
    const botSessionId = init.botSessionId ?? randomUUID();
    if (this.sessions.has(botSessionId)) throw new Error(`bot session ${botSessionId} already exists`);
    const at = this.now();
    const session: BotSession = {
      botSessionId,
      conversationId: id,
      protocol: init.protocol,
      integrationId: init.integrationId,
      botId: init.botId,
      botVersion: init.botVersion,
      languageCode: init.languageCode,
      timeoutMinutes: init.timeoutMinutes,
      openedAt: at,
    };
    const conv: EmulatedConversation = {
      id,
      ...(init.flowId ? { flowId: init.flowId } : {}),
      protocol: init.protocol,
      integrationId: init.integrationId,
      session,
      state: 'bot',
      parameters: {},
      messages: [],
      participants: [
        { id: randomUUID(), purpose: 'customer', name: 'Emulated Customer', state: 'connected', attributes: {} },
        { id: randomUUID(), purpose: 'workflow', name: init.flowId ?? 'Inbound message flow', state: 'connected', attributes: {} },
      ],
      createdAt: at,
      turns: 0,
      queueTail: Promise.resolve(),
    };
    this.sessions.set(botSessionId, session);
    this.conversations.set(id, conv);
    return conv;
  }

  get(id: string): EmulatedConversation | undefined {
    return this.conversations.get(id);
  }

  list(): EmulatedConversation[] {
    return [...this.conversations.values()];
  }

  session(botSessionId: string): BotSession | undefined {
    return this.sessions.get(botSessionId);
  }

  /** `botSessionTimeout` is the lifetime of the whole session, counted from its start (reference §3.3). */
  isExpired(session: BotSession): boolean {
    return this.now() >= session.openedAt + session.timeoutMinutes * 60_000;
  }

  closeSession(session: BotSession, reason: string): void {
    if (session.closedAt !== undefined) return;
    session.closedAt = this.now();
    session.closeReason = reason;
  }

  addCustomerMessage(conv: EmulatedConversation, m: { text?: string; content?: unknown[] }): void {
    conv.messages.push({ from: 'customer', at: this.iso(), ...(m.text !== undefined ? { text: m.text } : {}), ...(m.content ? { content: m.content } : {}) });
  }

  addBotMessages(conv: EmulatedConversation, messages: ReplyMessage[], via: 'response' | 'outgoing'): void {
    const at = this.iso();
    for (const m of messages) {
      conv.messages.push({ from: 'bot', at, via, type: m.type, ...(m.text !== undefined ? { text: m.text } : {}), ...(m.content ? { content: structuredClone(m.content) } : {}) });
    }
  }

  /** Transfer to ACD: the flow leaves, an ACD participant holds the conversation for the queue. */
  transferToQueue(conv: EmulatedConversation, queue: string): void {
    conv.state = 'agent';
    conv.queue = queue;
    for (const p of conv.participants) if (p.purpose === 'workflow') p.state = 'disconnected';
    conv.participants.push({ id: randomUUID(), purpose: 'acd', name: queue, state: 'connected', attributes: {} });
  }

  /** Disconnect: everybody leaves. */
  end(conv: EmulatedConversation, state: 'ended' | 'failed'): void {
    conv.state = state;
    for (const p of conv.participants) p.state = 'disconnected';
  }

  view(conv: EmulatedConversation): ConversationView {
    return {
      id: conv.id,
      ...(conv.flowId ? { flowId: conv.flowId } : {}),
      protocol: conv.protocol,
      integrationId: conv.integrationId,
      botSessionId: conv.session.botSessionId,
      botId: conv.session.botId,
      botVersion: conv.session.botVersion,
      languageCode: conv.session.languageCode,
      state: conv.state,
      ...(conv.queue !== undefined ? { queue: conv.queue } : {}),
      ...(conv.intent !== undefined ? { intent: conv.intent } : {}),
      ...(conv.failure ? { failure: { ...conv.failure } } : {}),
      parameters: { ...conv.parameters },
      messages: structuredClone(conv.messages),
      participantAttributes: { ...(conv.participants.find((p) => p.purpose === 'customer')?.attributes ?? {}) },
    };
  }

  // ---- Platform API: GET /api/v2/conversations/messages/{conversationId} -----------------------

  apiGet(conversationId: string): EmulatorResponse {
    const conv = this.conversations.get(conversationId);
    if (!conv) return notFound(`Conversation ${conversationId} not found`);
    return json(200, {
      id: conv.id,
      participants: conv.participants.map((p) => ({ id: p.id, purpose: p.purpose, ...(p.name ? { name: p.name } : {}), state: p.state, attributes: { ...p.attributes } })),
      selfUri: `/api/v2/conversations/messages/${conv.id}`,
    });
  }

  // ---- PATCH …/participants/{participantId}/attributes ----------------------------------------

  /**
   * Merges `{attributes: {key: string}}` into the participant's data and answers 202 with no body
   * (the public swagger describes the success response as "Accepted" without a schema).
   */
  apiPatchAttributes(conversationId: string, participantId: string, body: unknown): EmulatorResponse {
    const conv = this.conversations.get(conversationId);
    if (!conv) return notFound(`Conversation ${conversationId} not found`);
    const participant = conv.participants.find((p) => p.id === participantId);
    if (!participant) return notFound(`Participant ${participantId} not found in conversation ${conversationId}`);
    const p = new Problems();
    if (!isRecord(body) || !isRecord(body.attributes)) {
      p.add('attributes', 'required', 'the body must be {"attributes": {"key": "value"}}');
      return badRequest('Invalid participant attributes', p.list);
    }
    for (const [k, v] of Object.entries(body.attributes)) {
      if (k === '' || k.length > MAX_ATTRIBUTE_KEY) p.add(`attributes.${k}`, 'invalid.key', `keys must be 1-${MAX_ATTRIBUTE_KEY} characters`);
      // ParticipantAttributes.attributes is a string → string map in every SDK.
      if (typeof v !== 'string') p.add(`attributes.${k}`, 'invalid.type', `must be a string, got ${v === null ? 'null' : typeof v}`);
      else if (v.length > this.maxAttributeValueLength) p.add(`attributes.${k}`, 'max.length', `at most ${this.maxAttributeValueLength} characters, got ${v.length}`);
    }
    if (!p.empty) return badRequest('Invalid participant attributes', p.list);
    Object.assign(participant.attributes, body.attributes);
    return empty(202);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}
