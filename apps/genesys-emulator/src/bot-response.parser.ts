import type { ReplyMessage } from '@app/genesys';
import { Problems, checkStringMap, isRecord, type ApiErrorDetail } from './api-errors.js';
import { validateReplyMessages } from './reply-message.validator.js';

export type BotStateValue = 'MoreData' | 'Complete' | 'Failed';

/** A bot answer reduced to what Architect acts on, whichever way it arrived (webhook response or outgoing API). */
export interface BotTurnResult {
  botState: BotStateValue;
  replyMessages: ReplyMessage[];
  intent?: string;
  confidence?: number;
  parameters: Record<string, string>;
  /** Normalised from either `{errorCode, errorMessage}` (DBC spec) or `{code, message}` (SDK ErrorInfo). */
  errorInfo?: { code?: string; message?: string };
}

const STATES: Record<string, BotStateValue> = { moredata: 'MoreData', complete: 'Complete', failed: 'Failed' };

/**
 * Reads a Bot Connector webhook response the way Genesys does: field names and enum values
 * case-insensitively (third-party connectors answer `replymessages`, `COMPLETE`, reference §2.4).
 * Anything Genesys could not use is an error, which Architect reports as ServiceProviderInvalidResponse.
 */
export function parseWebhookResponse(raw: unknown): { ok: true; result: BotTurnResult } | { ok: false; problems: ApiErrorDetail[] } {
  const p = new Problems();
  if (!isRecord(raw)) {
    p.add('', 'invalid.type', 'the response body must be a JSON object');
    return { ok: false, problems: p.list };
  }
  const byLower = new Map<string, unknown>();
  for (const [k, v] of Object.entries(raw)) byLower.set(k.toLowerCase(), v);
  const state = byLower.get('botstate');
  const botState = typeof state === 'string' ? STATES[state.toLowerCase()] : undefined;
  if (!botState) p.add('botState', 'invalid.value', `must be MoreData, Complete or Failed, got ${JSON.stringify(state)}`);
  const replies = byLower.get('replymessages');
  p.list.push(...validateReplyMessages(replies, 'replyMessages', { lenient: true }));
  const common = readCommon((k) => byLower.get(k.toLowerCase()), p);
  if (!p.empty) return { ok: false, problems: p.list };
  return { ok: true, result: { botState: botState!, replyMessages: (replies as ReplyMessage[] | null | undefined) ?? [], ...common } };
}

/** intent, confidence, parameters, errorInfo: shared by the webhook response and the outgoing API. */
export function readCommon(get: (key: string) => unknown, p: Problems): Omit<BotTurnResult, 'botState' | 'replyMessages'> {
  const out: Omit<BotTurnResult, 'botState' | 'replyMessages'> = { parameters: {} };
  const intent = get('intent');
  if (intent !== undefined && intent !== null) {
    if (typeof intent !== 'string') p.add('intent', 'invalid.type', 'must be a string');
    else if (intent !== '') out.intent = intent;
  }
  const confidence = get('confidence');
  if (confidence !== undefined && confidence !== null) {
    if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) p.add('confidence', 'invalid.value', 'must be a number between 0 and 1');
    else out.confidence = confidence;
  }
  const parameters = get('parameters');
  // Session-variable outputs are strings; a number or an object makes Genesys reject or drop
  // the response (CXAS, reference §2.4), so the emulator refuses them.
  if (parameters !== undefined && parameters !== null && checkStringMap(parameters, 'parameters', p)) out.parameters = { ...parameters };
  const errorInfo = get('errorInfo');
  if (errorInfo !== undefined && errorInfo !== null) {
    if (!isRecord(errorInfo)) p.add('errorInfo', 'invalid.type', 'must be an object');
    else {
      for (const k of ['errorCode', 'errorMessage', 'code', 'message']) {
        if (errorInfo[k] !== undefined && typeof errorInfo[k] !== 'string') p.add(`errorInfo.${k}`, 'invalid.type', 'must be a string');
      }
      const code = (errorInfo.errorCode ?? errorInfo.code) as string | undefined;
      const message = (errorInfo.errorMessage ?? errorInfo.message) as string | undefined;
      out.errorInfo = { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) };
    }
  }
  return out;
}
