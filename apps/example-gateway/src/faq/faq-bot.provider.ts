import { Injectable } from '@nestjs/common';
import { IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  BackendClient,
  PermanentBotError,
  isObj,
  jsonOf,
  quickReplies,
  str,
  text,
  throwForStatus,
  typedConfig,
  userText,
  type BackendCallContext,
  type BotCallContext,
  type BotProvider,
  type BotResult,
  type CanonicalTurn,
  type ProbeReport,
  type ProviderConfigSpec,
} from '@app/bot-providers';

/** The provider's config: validated when a channel is loaded or changed, never turn by turn. */
class FaqConfig {
  /** Base URL of the FAQ service; `/answer` and `/health` are appended. */
  @IsString() @MaxLength(2048) url!: string;
  @IsString() @MinLength(8) @MaxLength(500) apiKey!: string;
  /** Answers below this confidence count as "not understood" (the gateway's repeated-fallback handoff). */
  @IsOptional() @IsNumber() @Min(0) @Max(1) minConfidence = 0.3;
}

export const FAQ_CONFIG_SPEC: ProviderConfigSpec<FaqConfig> = {
  schema: FaqConfig,
  secrets: ['apiKey'],
  urls: ['url'],
  title: 'Example: an FAQ service (docs/providers/writing-a-provider.md)',
  docs: 'docs/providers/writing-a-provider.md',
  fields: [
    { key: 'url', label: 'FAQ service URL', kind: 'url', required: true, placeholder: 'https://faq.example.com' },
    { key: 'apiKey', label: 'API key', kind: 'secret', required: true },
    { key: 'minConfidence', label: 'Minimum confidence', kind: 'number', help: '0-1; below it the answer counts as not understood (default 0.3).' },
  ],
};

const WHAT = 'the FAQ service';

/**
 * An example bot provider, small on purpose (docs/providers/writing-a-provider.md): it asks an FAQ
 * service `POST {url}/answer {sessionId, question, language}` and maps its answer
 * `{answer, suggestions?, confidence?, escalate?}` to the canonical model. It passes the provider kit
 * (test/provider-kit/faq.kit.spec.ts) like the built-in providers.
 */
@Injectable()
export class FaqBotProvider implements BotProvider {
  readonly name = 'faq';
  readonly configSpec = FAQ_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(FAQ_CONFIG_SPEC, ctx.config);
    const res = await this.client.request({
      method: 'POST',
      url: `${config.url.replace(/\/+$/, '')}/answer`,
      // The turn id is stable across the bot caller's retries: the service can recognize a repeat.
      headers: { authorization: `Bearer ${config.apiKey}`, 'idempotency-key': turn.turnId },
      body: { sessionId: turn.session.id, question: userText(turn.input), language: turn.language },
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      what: WHAT,
    });
    throwForStatus(res, WHAT);
    const body = jsonOf(res, WHAT);
    // A backend's answer is external input: check its shape, never pass it through.
    if (!isObj(body) || (body.answer !== undefined && typeof body.answer !== 'string')) throw new PermanentBotError(`${WHAT} answered an unexpected shape`);
    const answer = str(body.answer)?.trim() ?? '';
    const confidence = typeof body.confidence === 'number' && body.confidence >= 0 && body.confidence <= 1 ? body.confidence : undefined;
    const suggestions = Array.isArray(body.suggestions) ? body.suggestions.filter((s): s is string => typeof s === 'string') : [];
    const understood = answer !== '' && (confidence === undefined || confidence >= config.minConfidence);
    return {
      messages: answer ? [suggestions.length ? quickReplies(answer, suggestions.map((s) => ({ title: s }))) : text(answer)] : [text("Sorry, I don't know that one.")],
      ...(understood ? {} : { fallback: true }),
      ...(confidence !== undefined ? { confidence } : {}),
      ...(body.escalate === true ? { handoff: { reason: 'bot_request' } } : {}),
    };
  }

  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(FAQ_CONFIG_SPEC, ctx.config);
    const res = await this.client.request({ method: 'GET', url: `${config.url.replace(/\/+$/, '')}/health`, headers: { authorization: `Bearer ${config.apiKey}` }, signal: ctx.signal, timeoutMs: ctx.timeoutMs, what: WHAT });
    throwForStatus(res, WHAT);
    return { detail: `${WHAT} answers /health and accepts the API key` };
  }
}
