import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import axios, { AxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { BotCallContext, BotProvider } from '../bot-provider.interface.js';
import { PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { InvalidBotResultError, validateBotResult } from '../bot-result.validator.js';
import { checkBotUrl, guardedLookup } from './network-guard.js';

export const HTTP_PROVIDER_OPTIONS = Symbol('HTTP_PROVIDER_OPTIONS');

export interface HttpProviderOptions {
  /** Allow http:// and loopback/private targets: development and tests only. */
  allowPrivateNetworks: boolean;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * Calls a bot backend over HTTP: POSTs the canonical turn (docs/canonical-turn.schema.json) and
 * expects a BotResult (docs/bot-result.schema.json). Config: `url`, optional `headers`.
 * The turn id goes in `Idempotency-Key`, so a retried or re-run turn can be recognized by the bot.
 */
@Injectable()
export class HttpBotProvider implements BotProvider {
  readonly name = 'http';
  private readonly client: HttpService;
  private readonly allowPrivate: boolean;

  constructor(@Optional() @Inject(HTTP_PROVIDER_OPTIONS) options?: HttpProviderOptions) {
    this.allowPrivate = options?.allowPrivateNetworks ?? false;
    const lookup = guardedLookup(this.allowPrivate) as unknown as http.AgentOptions['lookup'];
    this.client = new HttpService(
      axios.create({
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256, lookup } as http.AgentOptions),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256, lookup } as https.AgentOptions),
        // A redirect would bypass the configured URL's checks, and so would an HTTP(S)_PROXY from
        // the environment (the proxy resolves and connects, not our guarded lookup).
        maxRedirects: 0,
        proxy: false,
        maxContentLength: MAX_RESPONSE_BYTES,
        maxBodyLength: MAX_RESPONSE_BYTES,
        responseType: 'json',
        validateStatus: () => true,
      }),
    );
  }

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const url = checkBotUrl(String(ctx.config.url ?? ''), this.allowPrivate);
    const headers: Record<string, string> = {};
    const configured = ctx.config.headers;
    if (configured && typeof configured === 'object') {
      for (const [k, v] of Object.entries(configured as Record<string, unknown>)) {
        if (typeof v === 'string' && !FORBIDDEN_HEADERS.has(k.toLowerCase())) headers[k] = v;
      }
    }
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = turn.turnId;
    if (turn.correlationId) headers['x-correlation-id'] = turn.correlationId;

    let status: number;
    let data: unknown;
    try {
      const res = await firstValueFrom(
        this.client.post(url.toString(), turn, { headers, timeout: ctx.timeoutMs, signal: ctx.signal }),
      );
      status = res.status;
      data = res.data;
    } catch (e) {
      const err = e as AxiosError;
      if (err.code === 'EBLOCKED' || (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EBLOCKED') {
        throw new PermanentBotError('bot URL resolves to a private or reserved address');
      }
      if (err.code === 'ERR_BAD_RESPONSE' || err.message?.includes('maxContentLength')) {
        throw new PermanentBotError('bot response too large or unreadable');
      }
      throw new TransientBotError(`bot call failed: ${err.code ?? 'network error'}`);
    }
    if (status >= 500 || status === 429 || status === 408) throw new TransientBotError(`bot answered HTTP ${status}`);
    if (status >= 300) throw new PermanentBotError(`bot answered HTTP ${status}`);
    try {
      return validateBotResult(data);
    } catch (e) {
      if (e instanceof InvalidBotResultError) throw new PermanentBotError(e.message);
      throw e;
    }
  }
}
