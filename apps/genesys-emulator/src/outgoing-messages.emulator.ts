import { randomUUID } from 'node:crypto';
import type { ReplyMessage } from '@app/genesys';
import { Problems, apiError, badRequest, isRecord } from './api-errors.js';
import type { ArchitectFlowDriver } from './architect-flow.driver.js';
import { readCommon, type BotStateValue, type BotTurnResult } from './bot-response.parser.js';
import type { ConversationStore } from './conversations.emulator.js';
import { json, type EmulatorResponse } from './emulator-response.js';
import type { EmulatorIntegration } from './emulator.options.js';
import { validateReplyMessages } from './reply-message.validator.js';

/** One accepted outgoing message, for assertions. */
export interface OutgoingMessageRecord {
  at: string;
  messageId: string;
  botSessionId: string;
  conversationId: string;
  botState: BotStateValue;
  intent?: string;
  replyCount: number;
}

const STATES: readonly BotStateValue[] = ['MoreData', 'Complete', 'Failed'];

/**
 * `POST /api/v2/integrations/botconnectors/outgoing/messages` (reference §3.5): a Digital Bot
 * Connector bot pushes messages into an open bot session after answering `MoreData`.
 */
export class OutgoingMessagesEmulator {
  readonly received: OutgoingMessageRecord[] = [];

  constructor(
    private readonly integrations: ReadonlyMap<string, Required<EmulatorIntegration>>,
    private readonly conversations: ConversationStore,
    private readonly driver: ArchitectFlowDriver,
    private readonly now: () => number,
  ) {}

  post(body: unknown): EmulatorResponse {
    const parsed = parseOutgoingRequest(body);
    if (!parsed.ok) return badRequest('Invalid outgoing message', parsed.problems.list);
    const { botId, botVersion, botSessionId, result } = parsed;
    const session = this.conversations.session(botSessionId);
    // Only Digital Bot Connector sessions live in the service behind this API; a v1 session id is unknown here.
    if (!session || session.protocol !== 'v2') return conflict('session.not.found', `Bot session ${botSessionId} not found`);
    const conv = this.conversations.get(session.conversationId)!;
    if (!this.integrations.get(session.integrationId)?.active) return conflict('integration.not.active', `Integration ${session.integrationId} is not active`);
    this.driver.expireIfDue(conv);
    if (session.closedAt !== undefined) return conflict('session.already.closed', `Bot session ${botSessionId} is closed (${session.closeReason ?? 'closed'})`);
    if (botId !== session.botId) return conflict('session.bot.id.mismatch', `botId "${botId}" does not match the session's bot "${session.botId}"`);
    if (botVersion !== session.botVersion) return conflict('session.bot.version.mismatch', `botVersion "${botVersion}" does not match the session's version "${session.botVersion}"`);
    const messageId = randomUUID();
    this.received.push({
      at: new Date(this.now()).toISOString(),
      messageId,
      botSessionId,
      conversationId: conv.id,
      botState: result.botState,
      ...(result.intent ? { intent: result.intent } : {}),
      replyCount: result.replyMessages.length,
    });
    this.driver.applyResult(conv, result, 'outgoing');
    return json(200, { messageId });
  }
}

function conflict(code: string, message: string): EmulatorResponse {
  return apiError(409, code, message);
}

/**
 * OutgoingMessageRequest is a Public API model, so enum values are read exactly (`Complete`,
 * not `COMPLETE`): the case tolerance Genesys shows is for webhook responses only (§2.4).
 * `errorInfo` is accepted as `{errorCode, errorMessage}` (DBC spec) or `{code, message}` (SDK model).
 */
export function parseOutgoingRequest(
  body: unknown,
): { ok: true; botId: string; botVersion: string; botSessionId: string; languageCode: string; result: BotTurnResult } | { ok: false; problems: Problems } {
  const p = new Problems();
  if (!isRecord(body)) {
    p.add('', 'invalid.type', 'the body must be an OutgoingMessageRequest object');
    return { ok: false, problems: p };
  }
  const required = (k: string): string => {
    const v = body[k];
    if (typeof v !== 'string' || v === '') p.add(k, 'required', 'is required');
    return typeof v === 'string' ? v : '';
  };
  const botId = required('botId');
  const botVersion = required('botVersion');
  const botSessionId = required('botSessionId');
  const languageCode = required('languageCode');
  const botState = STATES.find((s) => s === body.botState);
  if (!botState) p.add('botState', body.botState === undefined ? 'required' : 'invalid.value', `must be one of ${STATES.join(', ')}, got ${JSON.stringify(body.botState)}`);
  const common = readCommon((k) => body[k], p);
  if (botState === 'Complete' && !common.intent) p.add('intent', 'required', 'is required when botState is Complete');
  p.list.push(...validateReplyMessages(body.replyMessages, 'replyMessages'));
  if (body.entities !== undefined && body.entities !== null && !Array.isArray(body.entities)) p.add('entities', 'invalid.type', 'must be an array of BotEntityValue');
  if (!p.empty) return { ok: false, problems: p };
  return { ok: true, botId, botVersion, botSessionId, languageCode, result: { botState: botState!, replyMessages: (body.replyMessages as ReplyMessage[] | undefined) ?? [], ...common } };
}
