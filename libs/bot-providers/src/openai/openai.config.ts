import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { ProviderConfigSpec } from '../kit/provider-config.js';
import { IsNameList } from '../kit/validators.js';

export const MAX_TOKENS_PARAMS = ['max_tokens', 'max_completion_tokens'] as const;
export type MaxTokensParam = (typeof MAX_TOKENS_PARAMS)[number];

export class OpenAiConfig {
  /** The API root including `/v1`; `/chat/completions` and `/models` are appended. */
  @IsString() @MaxLength(2048) baseUrl!: string;
  @IsString() @MinLength(1) @MaxLength(4000) apiKey!: string;
  @IsString() @MinLength(1) @MaxLength(200) model!: string;
  @IsOptional() @IsString() @MaxLength(20000) systemPrompt?: string;
  @IsInt() @Min(1) @Max(100000) maxTokens = 300;
  /** Newer OpenAI models refuse `max_tokens` and want `max_completion_tokens` (bot-backends §4 [U]). */
  @IsIn(MAX_TOKENS_PARAMS) maxTokensParam: MaxTokensParam = 'max_tokens';
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  /** User/assistant pairs kept in the session state and sent back each turn. */
  @IsInt() @Min(0) @Max(50) historyTurns = 10;
  /** The queues the model may name in a handoff; unset = any queue passes through. */
  @IsOptional() @IsNameList() queues?: string[];
}

export const OPENAI_CONFIG_SPEC: ProviderConfigSpec<OpenAiConfig> = {
  schema: OpenAiConfig,
  secrets: ['apiKey'],
  urls: ['baseUrl'],
  title: 'An LLM behind an OpenAI-compatible chat completions API',
  docs: 'docs/providers/openai.md',
  fields: [
    { key: 'baseUrl', label: 'API base URL', kind: 'url', required: true, placeholder: 'https://api.openai.com/v1', help: 'The root of the OpenAI-compatible API, including /v1.' },
    { key: 'apiKey', label: 'API key', kind: 'secret', required: true, help: 'Sent as a Bearer token. Write-only.' },
    { key: 'model', label: 'Model', kind: 'text', required: true, placeholder: 'gpt-4o-mini', help: 'A model id the key can use (the setup doctor checks it against /models).' },
    { key: 'systemPrompt', label: 'System prompt', kind: 'textarea', help: 'Who the bot is and what it may help with. The gateway adds its own instructions for handoff and ending.' },
    { key: 'maxTokens', label: 'Max tokens per reply', kind: 'number', placeholder: '300' },
    { key: 'maxTokensParam', label: 'Name of the max-tokens field', kind: 'text', placeholder: 'max_tokens', help: 'max_tokens (default) or max_completion_tokens for models that refuse max_tokens.' },
    { key: 'temperature', label: 'Temperature', kind: 'number', placeholder: '0.3', help: '0 to 2; unset = the server’s default.' },
    { key: 'historyTurns', label: 'History turns', kind: 'number', placeholder: '10', help: 'How many earlier exchanges are sent with each turn (0 = none).' },
    { key: 'queues', label: 'Allowed handoff queues', kind: 'list', help: 'Queues the model may choose; any other queue falls back to the channel’s default queue. Empty = any queue the model names.' },
  ],
};
