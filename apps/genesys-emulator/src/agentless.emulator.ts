import { randomUUID } from 'node:crypto';
import { Problems, badRequest, isRecord } from './api-errors.js';
import { json, type EmulatorResponse } from './emulator-response.js';

/** A message accepted by the agentless API, as `GET /emulator/agentless` lists it. */
export interface AgentlessMessage {
  id: string;
  conversationId: string;
  fromAddress: string;
  toAddress: string;
  messengerType: 'sms' | 'whatsapp' | 'open';
  textBody?: string;
  messagingTemplate?: unknown;
  timestamp: string;
}

const MESSENGER_TYPES = ['sms', 'whatsapp', 'open'] as const;
/** SMS numbers are E.164 with `+` (reference §6.1). */
const E164 = /^\+[1-9]\d{1,14}$/;
/** WhatsApp ids are the E.164 number without `+`. */
const WHATSAPP_ID = /^[1-9]\d{1,14}$/;
const MAX_SMS_TEXT = 765;
const MAX_OTHER_TEXT = 2000;

/**
 * `POST /api/v2/conversations/messages/agentless` (reference §6.1, PY-SDK
 * SendAgentlessOutboundMessageRequest). Text or template only: no cards, no web messaging.
 */
export class AgentlessEmulator {
  readonly messages: AgentlessMessage[] = [];

  constructor(
    private readonly now: () => number,
    private readonly successStatus: 200 | 202,
  ) {}

  post(body: unknown): EmulatorResponse {
    const p = new Problems();
    if (!isRecord(body)) {
      p.add('', 'invalid.type', 'the body must be a SendAgentlessOutboundMessageRequest object');
      return badRequest('Invalid agentless message', p.list);
    }
    const fromAddress = body.fromAddress;
    if (typeof fromAddress !== 'string' || fromAddress.trim() === '') p.add('fromAddress', 'required', 'is required (SMS: a provisioned number; WhatsApp/Open: the integration id)');
    const type = MESSENGER_TYPES.find((t) => t === body.toAddressMessengerType);
    if (!type) p.add('toAddressMessengerType', 'invalid.value', `must be one of ${MESSENGER_TYPES.join(', ')} (web messaging has no agentless API), got ${JSON.stringify(body.toAddressMessengerType)}`);
    const toAddress = body.toAddress;
    if (typeof toAddress !== 'string' || toAddress.trim() === '') p.add('toAddress', 'required', 'is required');
    else if (type === 'sms' && !E164.test(toAddress)) p.add('toAddress', 'invalid.format', `"${toAddress}" is not an E.164 number such as +13175555555`);
    else if (type === 'whatsapp' && !WHATSAPP_ID.test(toAddress)) p.add('toAddress', 'invalid.format', `"${toAddress}" is not a WhatsApp id (the E.164 number without "+", e.g. 13175555555)`);
    const textBody = body.textBody;
    const template = body.messagingTemplate;
    if (textBody !== undefined && typeof textBody !== 'string') p.add('textBody', 'invalid.type', 'must be a string');
    if (template !== undefined && !isRecord(template)) p.add('messagingTemplate', 'invalid.type', 'must be an object');
    const hasText = typeof textBody === 'string' && textBody.length > 0;
    if (type === 'sms' && !hasText) p.add('textBody', 'required', 'is required for sms');
    if (type && type !== 'sms' && !hasText && template === undefined) p.add('textBody', 'required', 'textBody or messagingTemplate is required');
    if (hasText) {
      const max = type === 'sms' ? MAX_SMS_TEXT : MAX_OTHER_TEXT;
      if (textBody.length > max) p.add('textBody', 'max.length', `at most ${max} characters for ${type ?? 'this channel'}, got ${textBody.length}`);
    }
    if (body.useExistingActiveConversation !== undefined && typeof body.useExistingActiveConversation !== 'boolean') p.add('useExistingActiveConversation', 'invalid.type', 'must be a boolean');
    if (!p.empty) return badRequest('Invalid agentless message', p.list);

    // useExistingActiveConversation joins the earlier conversation between the same two addresses.
    const previous = body.useExistingActiveConversation === true ? [...this.messages].reverse().find((m) => m.fromAddress === fromAddress && m.toAddress === toAddress && m.messengerType === type) : undefined;
    const message: AgentlessMessage = {
      id: randomUUID(),
      conversationId: previous?.conversationId ?? randomUUID(),
      fromAddress: fromAddress as string,
      toAddress: toAddress as string,
      messengerType: type!,
      ...(hasText ? { textBody } : {}),
      ...(template !== undefined ? { messagingTemplate: structuredClone(template) } : {}),
      timestamp: new Date(this.now()).toISOString(),
    };
    this.messages.push(message);
    return json(this.successStatus, { ...message, selfUri: `/api/v2/conversations/messages/${message.conversationId}/messages/${message.id}` });
  }
}
