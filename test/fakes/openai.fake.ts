import { randomUUID } from 'node:crypto';
import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

/** What the fake model answers to one user text (bot-backends §4 response shape). */
export interface ScriptedCompletion {
  content?: string | null;
  refusal?: string | null;
  /** `arguments` is sent as given: a JSON string, or deliberately broken text. */
  toolCalls?: { name: string; arguments: string }[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Answer with this HTTP status and OpenAI error instead (e.g. 429 insufficient_quota). */
  error?: { status: number; code: string | null; type?: string; message?: string; retryAfter?: string };
  delayMs?: number;
}

type Script = ScriptedCompletion | ((req: ChatRequest) => ScriptedCompletion);

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  tools?: unknown[];
  [key: string]: unknown;
}

const apiError = (status: number, message: string, code: string | null, type = 'invalid_request_error', headers?: Record<string, string>): FakeReply => ({
  status,
  body: { error: { message, type, param: null, code } },
  headers,
});

/**
 * An OpenAI-compatible server (bot-backends §4): `POST /v1/chat/completions` and `GET /v1/models`,
 * Bearer key checked, errors in OpenAI's `{error:{message,type,param,code}}` shape. What the model
 * answers is scripted per last user text; anything unscripted is echoed.
 */
export class OpenAiFake extends FakeBackend {
  apiKey = 'sk-fake-4f1c9d2e7a6b5c3d8e9f0a1b';
  models = ['gpt-fake-mini', 'gpt-fake-large'];
  /** Serve GET /v1/models (some compatible servers do not). */
  listModels = true;
  /** Like newer OpenAI models: refuse `max_tokens` and ask for `max_completion_tokens`. */
  refuseMaxTokens = false;
  private refused = false;
  private readonly scripts = new Map<string, Script>();

  refuseCredentials(): void {
    this.refused = true;
  }

  /** What the model answers when the customer's last message is `userText`. */
  answer(userText: string, script: Script): this {
    this.scripts.set(userText, script);
    return this;
  }

  /** The chat completion requests received, parsed. */
  get completions(): ChatRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions').map((r) => r.body as ChatRequest);
  }

  protected async route(req: RecordedRequest): Promise<FakeReply | undefined> {
    const auth = req.headers.authorization;
    const authorized = !this.refused && auth === `Bearer ${this.apiKey}`;
    const isModels = req.method === 'GET' && req.path === '/v1/models';
    const isChat = req.method === 'POST' && req.path === '/v1/chat/completions';
    if (!isModels && !isChat) return apiError(404, `Invalid URL (${req.method} ${req.path.split('?')[0]})`, null);
    if (!authorized) {
      const shown = typeof auth === 'string' ? `${auth.slice(7, 10)}***${auth.slice(-4)}` : '';
      return apiError(401, auth ? `Incorrect API key provided: ${shown}.` : 'You didn’t provide an API key.', 'invalid_api_key');
    }
    if (isModels) {
      if (!this.listModels) return apiError(404, 'Not Found', null);
      return { body: { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })) } };
    }
    return this.complete(req.body);
  }

  private async complete(raw: unknown): Promise<FakeReply> {
    const body = raw as ChatRequest;
    if (!body || typeof body !== 'object' || !Array.isArray(body.messages) || !body.messages.length) return apiError(400, "Missing required parameter: 'messages'.", 'missing_required_parameter');
    if (typeof body.model !== 'string') return apiError(400, "Missing required parameter: 'model'.", 'missing_required_parameter');
    if (body.stream) return apiError(400, 'this fake does not stream', 'unsupported_value');
    if (!this.models.includes(body.model)) return apiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'model_not_found');
    if (this.refuseMaxTokens && 'max_tokens' in body) {
      return apiError(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'unsupported_parameter');
    }
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const script = this.scripts.get(lastUser);
    const s: ScriptedCompletion = typeof script === 'function' ? script(body) : script ?? { content: `You said: ${lastUser}` };
    if (s.error) {
      return apiError(s.error.status, s.error.message ?? 'scripted error', s.error.code, s.error.type, s.error.retryAfter ? { 'retry-after': s.error.retryAfter } : undefined);
    }
    const toolCalls = s.toolCalls?.map((t) => ({ id: `call_${randomUUID().slice(0, 8)}`, type: 'function', function: { name: t.name, arguments: t.arguments } }));
    return {
      delayMs: s.delayMs,
      body: {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: s.content === undefined ? null : s.content, refusal: s.refusal ?? null, ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) },
            logprobs: null,
            finish_reason: s.finishReason ?? (toolCalls?.length ? 'tool_calls' : 'stop'),
          },
        ],
        usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
      },
    };
  }
}
