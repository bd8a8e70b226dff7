import { Injectable } from '@nestjs/common';
import type { BackendCallContext, BotCallContext, BotProvider, ProbeReport } from '../bot-provider.interface.js';
import { BackendCredentialsError, PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { BackendClient, jsonOf, throwForStatus, type BackendResponse } from '../kit/backend-client.js';
import { isObj, str } from '../kit/content.js';
import { typedConfig } from '../kit/provider-config.js';
import { OPENAI_CONFIG_SPEC, type OpenAiConfig } from './openai.config.js';
import { mapCompletion, nextHistory, readHistory, requestBody, userMessage } from './openai.mapping.js';

const WHAT = 'the chat completions API';

/** The API's own error code (`invalid_api_key`, `model_not_found`…): safe to show, unlike its message, which may quote the key. */
function errorCode(res: BackendResponse): string | undefined {
  try {
    const body: unknown = JSON.parse(res.text);
    const code = isObj(body) && isObj(body.error) ? str(body.error.code) ?? str(body.error.type) : undefined;
    return code && /^[\w.-]{1,60}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * bot-backends §4 errors: 401/403 refuse the key; 429 is worth a retry unless the account has no
 * quota left (`insufficient_quota`, which waiting does not fix); other 4xx are permanent.
 */
function throwForOpenAiStatus(res: BackendResponse): void {
  if (res.status >= 200 && res.status < 300) return;
  const code = errorCode(res);
  const said = code ? ` (${code})` : '';
  if (res.status === 401 || res.status === 403) throw new BackendCredentialsError(`${WHAT} refused the API key (HTTP ${res.status}${said})`);
  if (res.status === 429 && code === 'insufficient_quota') throw new PermanentBotError(`${WHAT} answered HTTP 429 (insufficient_quota): the account has no quota or credit left`);
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentBotError(`${WHAT} answered HTTP ${res.status}${said}`);
  throwForStatus(res, WHAT);
}

const trimSlash = (url: string) => url.trim().replace(/\/+$/, '');

/**
 * An LLM as the bot, through any OpenAI-compatible `/chat/completions` endpoint (bot-backends §4).
 * Each turn sends the system prompt, the bounded history from the session state and the customer's
 * text, with two tools the model calls to hand off or end the conversation.
 */
@Injectable()
export class OpenAiBotProvider implements BotProvider {
  readonly name = 'openai';
  readonly configSpec = OPENAI_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  private headers(config: OpenAiConfig): Record<string, string> {
    return { authorization: `Bearer ${config.apiKey}` };
  }

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(OPENAI_CONFIG_SPEC, ctx.config);
    const history = readHistory(turn.session.state);
    const user = userMessage(turn);
    const res = await this.client.request({
      method: 'POST',
      url: `${trimSlash(config.baseUrl)}/chat/completions`,
      headers: this.headers(config),
      body: requestBody(config, turn, history, user),
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      what: WHAT,
    });
    throwForOpenAiStatus(res);
    const { result, said } = mapCompletion(jsonOf(res, WHAT), config);
    return { ...result, state: { history: nextHistory(history, user, said, config.historyTurns) } };
  }

  /** GET /models proves the key; a model the key cannot see is a warning, not a failure (some servers list aliases only). */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(OPENAI_CONFIG_SPEC, ctx.config);
    const res = await this.client.request({ method: 'GET', url: `${trimSlash(config.baseUrl)}/models`, headers: this.headers(config), signal: ctx.signal, timeoutMs: ctx.timeoutMs, what: WHAT });
    if (res.status === 404) return { detail: `${WHAT} is reachable; it does not list models (HTTP 404 on /models), so the key and the model are checked on the first turn` };
    throwForOpenAiStatus(res);
    const body = jsonOf(res, WHAT);
    const ids = (isObj(body) && Array.isArray(body.data) ? body.data : []).map((m) => (isObj(m) ? str(m.id) : undefined)).filter((id): id is string => !!id);
    if (ids.includes(config.model)) return { detail: `${WHAT} accepted the API key and lists the model "${config.model}"` };
    const some = ids.slice(0, 10).join(', ');
    return {
      detail: `${WHAT} accepted the API key (${ids.length} models listed)`,
      warnings: [
        {
          problem: `the model "${config.model}" is not among the models this key can see, so turns will likely fail with HTTP 404`,
          fix: ids.length ? `set provider.config.model to a model id the server lists, e.g. ${some}` : 'check provider.config.model and that the key’s project has access to it',
        },
      ],
    };
  }
}
