import { PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { ContentLimits, clip, isObj, str, stripMarkdown, text } from '../kit/content.js';
import type { OpenAiConfig } from './openai.config.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The two tools of the gateway's convention (bot-backends §4 [G]), exactly as the reference writes them. */
export const OPENAI_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'handoff_to_agent',
      description: 'Hand the customer to a human agent.',
      parameters: { type: 'object', properties: { reason: { type: 'string' }, queue: { type: 'string' }, summary: { type: 'string' } }, required: ['reason'] },
    },
  },
  { type: 'function', function: { name: 'end_conversation', description: 'The customer is done; end the conversation.', parameters: { type: 'object', properties: {} } } },
] as const;

/** Longest text kept per history entry: a long answer must not push the session state toward 64 KiB. */
const HISTORY_TEXT_MAX = 2000;
/** Budget of `state.history` in JSON bytes, well under the 64 KiB state limit. */
const HISTORY_MAX_BYTES = 32 * 1024;

/** A configured queue list that restricts the model; an empty list restricts nothing. */
const allowedQueues = (config: OpenAiConfig): string[] | undefined => (config.queues?.length ? config.queues : undefined);

/** The gateway's instructions, appended to the admin's prompt on every call (never stored in the history). */
export function systemPrompt(config: OpenAiConfig, turn: CanonicalTurn): string {
  const queues = allowedQueues(config);
  const lines = [
    'You are answering a customer in a chat on a messaging channel. Write short plain-text replies: no Markdown, no tables, no code blocks.',
    `The customer's language is ${turn.language}; answer in that language unless they write in another one.`,
    'When the customer asks for a human, or you cannot help them, call the tool handoff_to_agent with a short reason and a summary of the conversation for the agent.',
    queues
      ? `Set its queue to exactly one of these queues when one fits the request, otherwise leave the queue out: ${queues.join(', ')}.`
      : 'Leave its queue out unless you have been told which queue handles the request.',
    'When the customer has what they needed and wants to stop, say goodbye and call the tool end_conversation.',
  ];
  const own = config.systemPrompt?.trim();
  return own ? `${own}\n\n${lines.join('\n')}` : lines.join('\n');
}

/** The customer's turn as text for the model: the payload of a click, the typed text, or what was attached. */
export function userMessage(turn: CanonicalTurn): string {
  const typed = turn.input.kind === 'button' && turn.input.payload ? turn.input.payload : turn.input.text;
  const files = turn.input.attachments.map((a) => `[the customer sent ${a.kind === 'file' ? 'a file' : `an ${a.kind}`}${a.filename ? ` named ${a.filename}` : ''}]`);
  return clip([typed.trim(), ...files].filter(Boolean).join('\n') || '[the customer sent an empty message]', ContentLimits.text);
}

/** The history kept in state, re-read defensively (it went through Redis): user/assistant texts only. */
export function readHistory(state: Record<string, unknown>): ChatMessage[] {
  const raw = state.history;
  if (!Array.isArray(raw)) return [];
  return raw.filter((m): m is ChatMessage => isObj(m) && (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string');
}

/** The last `turns` pairs plus this exchange, each text clipped, the oldest dropped until the state is small. */
export function nextHistory(history: ChatMessage[], user: string, assistant: string | undefined, turns: number): ChatMessage[] {
  if (turns <= 0) return [];
  const all = assistant ? [...history, { role: 'user' as const, content: user }, { role: 'assistant' as const, content: assistant }] : history;
  let kept = all.slice(-2 * turns).map((m) => ({ role: m.role, content: clip(m.content, HISTORY_TEXT_MAX) }));
  // A history must start with the customer; drop a dangling assistant message left by slicing.
  if (kept[0]?.role === 'assistant') kept = kept.slice(1);
  while (kept.length > 2 && Buffer.byteLength(JSON.stringify(kept)) > HISTORY_MAX_BYTES) kept = kept.slice(2);
  return kept;
}

export function requestBody(config: OpenAiConfig, turn: CanonicalTurn, history: ChatMessage[], user: string): Record<string, unknown> {
  return {
    model: config.model,
    [config.maxTokensParam]: config.maxTokens,
    ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
    tool_choice: 'auto',
    messages: [{ role: 'system', content: systemPrompt(config, turn) }, ...history, { role: 'user', content: user }],
    tools: OPENAI_TOOLS,
  };
}

/** `arguments` is a JSON string the model writes (and may get wrong): unparsable or not an object → {}. */
export function toolArguments(raw: unknown): Record<string, unknown> {
  if (isObj(raw)) return raw;
  if (typeof raw !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObj(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** A queue the model named, kept only when the config allows it (spelled as configured); else the channel's default applies. */
export function allowedQueue(config: OpenAiConfig, named: unknown): string | undefined {
  const queue = str(named)?.trim();
  if (!queue) return undefined;
  const queues = allowedQueues(config);
  if (!queues) return clip(queue, ContentLimits.title);
  return queues.find((q) => q.trim().toLowerCase() === queue.toLowerCase())?.trim();
}

/** `content` as text: a string, or (some compatible servers) an array of text parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

interface ToolCall {
  name: string;
  args: Record<string, unknown>;
}

function toolCalls(message: Record<string, unknown>): ToolCall[] {
  const calls: ToolCall[] = [];
  const list = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  // Older compatible servers answer with the single legacy `function_call`.
  if (isObj(message.function_call)) list.push({ function: message.function_call });
  for (const c of list) {
    const fn = isObj(c) && isObj(c.function) ? c.function : undefined;
    const name = str(fn?.name)?.trim();
    if (name) calls.push({ name, args: toolArguments(fn!.arguments) });
  }
  return calls;
}

export interface MappedCompletion {
  result: BotResult;
  /** What the assistant said this turn, for the history (undefined: nothing worth remembering). */
  said?: string;
}

/**
 * One chat completion → a BotResult (bot-backends §4): text first, then the first known tool call
 * (handoff or end; unknown tools ignored); empty, filtered or refused answers are fallbacks.
 */
export function mapCompletion(body: unknown, config: OpenAiConfig): MappedCompletion {
  const choice = isObj(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isObj(choice) || !isObj(choice.message)) throw new PermanentBotError('the chat completions API answered without a message (no choices[0].message)');
  const message = choice.message;
  const finish = str(choice.finish_reason);
  const refusal = str(message.refusal)?.trim();
  const said = stripMarkdown(contentText(message.content));

  if (refusal) return { result: { messages: [text(refusal)], fallback: true }, said: refusal };
  // What a filter cut short is not shown: the part before the cut may be what tripped it.
  if (finish === 'content_filter') return { result: { messages: [], fallback: true } };

  const result: BotResult = { messages: said ? [text(said)] : [] };
  const tool = toolCalls(message).find((c) => c.name === 'handoff_to_agent' || c.name === 'end_conversation');
  if (tool?.name === 'handoff_to_agent') {
    const reason = str(tool.args.reason)?.trim();
    const queue = allowedQueue(config, tool.args.queue);
    const summary = str(tool.args.summary)?.trim();
    result.handoff = {
      ...(reason ? { reason: clip(reason, ContentLimits.title) } : {}),
      ...(queue ? { queue } : {}),
      ...(summary ? { summary: clip(summary, ContentLimits.summary) } : {}),
    };
  } else if (tool?.name === 'end_conversation') {
    result.end = {};
  } else if (!said) {
    result.fallback = true;
  }
  return { result, ...(said ? { said } : {}) };
}
