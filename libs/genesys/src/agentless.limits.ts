/**
 * Agentless outbound messages (`POST /api/v2/conversations/messages/agentless`, reference
 * genesys-protocol.md §6.1). Web messaging is not a target: Genesys offers no agentless send there.
 */
export const AGENTLESS_MESSENGER_TYPES = ['sms', 'whatsapp', 'open'] as const;
export type AgentlessMessengerType = (typeof AGENTLESS_MESSENGER_TYPES)[number];

export const AgentlessLimits = {
  /** `textBody` on SMS (PY-SDK). */
  maxSmsTextLength: 765,
  /** `textBody` on every other messenger type (PY-SDK). */
  maxTextLength: 2000,
  /** Open Messaging addresses are ids of the caller's own system; Genesys gives no bound, this is ours. */
  maxOpenAddressLength: 256,
} as const;

/**
 * Address shapes. SMS `toAddress` is E.164 with `+`; WhatsApp `toAddress` is the same number
 * without `+`. SMS `fromAddress` is a number provisioned in Genesys, which may be a short code.
 * WhatsApp `fromAddress` is the WhatsApp integration id (a Genesys UUID).
 */
export const AgentlessAddressPatterns = {
  smsTo: /^\+[1-9]\d{1,14}$/,
  smsFrom: /^(\+[1-9]\d{1,14}|\d{3,8})$/,
  whatsappTo: /^[1-9]\d{1,14}$/,
  integrationId: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
} as const;

export function isAgentlessMessengerType(v: unknown): v is AgentlessMessengerType {
  return typeof v === 'string' && (AGENTLESS_MESSENGER_TYPES as readonly string[]).includes(v);
}

/** The `textBody` limit for a messenger type. */
export function agentlessTextLimit(type: AgentlessMessengerType): number {
  return type === 'sms' ? AgentlessLimits.maxSmsTextLength : AgentlessLimits.maxTextLength;
}

export interface AgentlessTarget {
  messengerType: string;
  toAddress?: string;
  fromAddress?: string;
  text?: string;
  /** Whether a `messagingTemplate` goes with the message; WhatsApp cannot send without one. */
  hasTemplate?: boolean;
}

/**
 * Everything wrong with an agentless send, as `field: problem` lines; empty when it may be sent.
 * Text length is counted in UTF-16 code units, which is never less than a count in characters,
 * so a text that passes here fits whichever way Genesys counts.
 */
export function validateAgentlessTarget(t: AgentlessTarget): string[] {
  const problems: string[] = [];
  if (!isAgentlessMessengerType(t.messengerType)) {
    problems.push(`messengerType: must be one of ${AGENTLESS_MESSENGER_TYPES.join(', ')}`);
    return problems;
  }
  const type = t.messengerType;
  const to = t.toAddress ?? '';
  const from = t.fromAddress ?? '';

  if (!to) problems.push('toAddress: required');
  else if (type === 'sms' && !AgentlessAddressPatterns.smsTo.test(to)) problems.push('toAddress: must be an E.164 number with a leading + (e.g. +13175555555)');
  else if (type === 'whatsapp' && !AgentlessAddressPatterns.whatsappTo.test(to)) problems.push('toAddress: must be the WhatsApp number in E.164 digits without + (e.g. 13175555555)');
  else if (type === 'open' && (to.trim() !== to || to.length > AgentlessLimits.maxOpenAddressLength)) {
    problems.push(`toAddress: must have no surrounding whitespace and at most ${AgentlessLimits.maxOpenAddressLength} characters`);
  }

  if (!from) problems.push('fromAddress: required');
  else if (type === 'sms' && !AgentlessAddressPatterns.smsFrom.test(from)) problems.push('fromAddress: must be a provisioned SMS number (E.164 with +) or short code');
  else if (type === 'whatsapp' && !AgentlessAddressPatterns.integrationId.test(from)) problems.push('fromAddress: must be the WhatsApp integration id (a UUID)');
  else if (type === 'open' && from.trim() !== from) problems.push('fromAddress: must have no surrounding whitespace');

  const text = t.text ?? '';
  const limit = agentlessTextLimit(type);
  if (type === 'sms' && !text.trim()) problems.push('text: required for SMS');
  if (type === 'whatsapp' && !t.hasTemplate) problems.push('messagingTemplate: required for WhatsApp');
  if (type === 'open' && !text.trim() && !t.hasTemplate) problems.push('text: required when no messagingTemplate is sent');
  if (text.length > limit) problems.push(`text: longer than ${limit} characters (${text.length})`);
  return problems;
}
