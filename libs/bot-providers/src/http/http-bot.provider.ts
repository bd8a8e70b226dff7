import { Injectable } from '@nestjs/common';
import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import type { BotCallContext, BotProvider, ProbeReport, BackendCallContext } from '../bot-provider.interface.js';
import { PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { InvalidBotResultError, validateBotResult } from '../bot-result.validator.js';
import { BackendClient, jsonOf, throwForStatus } from '../kit/backend-client.js';
import { typedConfig, type ProviderConfigSpec } from '../kit/provider-config.js';
import { IsHeaderMap } from '../kit/validators.js';

class HttpConfig {
  @IsString() @MaxLength(2048) url!: string;
  /** Sent with every call (usually the backend's credentials); sealed at rest. */
  @IsOptional() @IsObject() @IsHeaderMap() headers?: Record<string, string>;
}

export const HTTP_CONFIG_SPEC: ProviderConfigSpec<HttpConfig> = {
  schema: HttpConfig,
  secrets: ['headers'],
  urls: ['url'],
  title: 'Your own HTTP service speaking the gateway’s canonical JSON',
  docs: 'docs/http-bot-provider.md',
  fields: [
    { key: 'url', label: 'Bot URL', kind: 'url', required: true, placeholder: 'https://bot.example.com/turn', help: 'Receives each canonical turn as a POST and answers a BotResult.' },
    { key: 'headers', label: 'Headers', kind: 'map', help: 'Sent with every call, e.g. Authorization. Write-only.' },
  ],
};

/**
 * Calls a bot backend over HTTP: POSTs the canonical turn (docs/canonical-turn.schema.json) and
 * expects a BotResult (docs/bot-result.schema.json). Config: `url`, optional `headers`.
 * The turn id goes in `Idempotency-Key`, so a retried or re-run turn can be recognized by the bot.
 */
@Injectable()
export class HttpBotProvider implements BotProvider {
  readonly name = 'http';
  readonly configSpec = HTTP_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(HTTP_CONFIG_SPEC, ctx.config);
    const headers: Record<string, string> = { ...(config.headers ?? {}), 'idempotency-key': turn.turnId };
    if (turn.correlationId) headers['x-correlation-id'] = turn.correlationId;
    const res = await this.client.request({ method: 'POST', url: config.url, headers, body: turn, signal: ctx.signal, timeoutMs: ctx.timeoutMs, what: 'the bot' });
    throwForStatus(res, 'the bot');
    try {
      return validateBotResult(jsonOf(res, 'the bot'));
    } catch (e) {
      if (e instanceof InvalidBotResultError) throw new PermanentBotError(e.message);
      throw e;
    }
  }

  /** The canonical protocol has no health call: the doctor learns only that the URL answers. */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(HTTP_CONFIG_SPEC, ctx.config);
    const res = await this.client.request({ method: 'POST', url: config.url, headers: { ...(config.headers ?? {}) }, body: {}, signal: ctx.signal, timeoutMs: ctx.timeoutMs, what: 'the bot' });
    if (res.status === 401 || res.status === 403) throwForStatus(res, 'the bot');
    if (res.status >= 500) throwForStatus(res, 'the bot');
    return { detail: `the bot URL answers (HTTP ${res.status} to an empty probe)` };
  }
}
