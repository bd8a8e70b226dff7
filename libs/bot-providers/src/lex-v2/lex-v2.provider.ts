import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { BackendCallContext, BotCallContext, BotProvider, ProbeReport } from '../bot-provider.interface.js';
import { BackendCredentialsError, PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { BackendClient, jsonOf, type BackendResponse } from '../kit/backend-client.js';
import { clip, isObj, sessionKey, str, userText } from '../kit/content.js';
import { typedConfig } from '../kit/provider-config.js';
import { sigV4Headers } from './aws-sigv4.js';
import { LEX_V2_CONFIG_SPEC, type LexV2Config } from './lex-v2.config.js';
import { mapRecognizeText } from './lex-v2.mapping.js';

const WHAT = 'Amazon Lex';
/** RecognizeText refuses longer text; a long message is cut rather than failing the turn. */
const MAX_INPUT = 1024;
/** Lex's session id rule (bot-backends §0 "Identity"). */
const SESSION_ID = { maxLength: 100, pattern: /^[0-9A-Za-z._:-]{2,100}$/ };

/** `en-us` → `en_US`, `es-419` → `es_419` ([G] the default locale is the turn's language). */
export function lexLocale(language: string): string {
  const [lang = '', region] = language.trim().split(/[-_]/);
  return region ? `${lang.toLowerCase()}_${region.toUpperCase()}` : lang.toLowerCase();
}

function sessionUrl(config: LexV2Config, locale: string, sessionId: string): URL {
  const base = (config.endpoint?.trim() || `https://runtime-v2-lex.${config.region}.amazonaws.com`).replace(/\/+$/, '');
  const enc = encodeURIComponent;
  return new URL(`${base}/bots/${enc(config.botId)}/botAliases/${enc(config.botAliasId)}/botLocales/${enc(locale)}/sessions/${enc(sessionId)}`);
}

/** The AWS error name (`x-amzn-ErrorType` or `__type`) and message of an error answer. */
function awsError(res: BackendResponse): { type?: string; message?: string } {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  const header = String(res.headers['x-amzn-errortype'] ?? '');
  const raw = header || (isObj(body) ? (str(body.__type) ?? '') : '');
  const type = raw.split(/[:#]/).filter(Boolean).at(raw.includes('#') ? -1 : 0)?.match(/^[A-Za-z]{1,60}$/)?.[0];
  const message = isObj(body) ? (str(body.message) ?? str(body.Message))?.replace(/\s+/g, ' ').trim() : undefined;
  return { ...(type ? { type } : {}), ...(message ? { message: clip(message, 300) } : {}) };
}

/**
 * Amazon Lex V2 through RecognizeText: one Lex session per Genesys bot session, every request
 * signed with SigV4 and sent through the guarded BackendClient. Messages, slots and the gateway's
 * handoff/end conventions map onto the canonical model (lex-v2.mapping.ts); docs/providers/lex-v2.md.
 */
@Injectable()
export class LexV2Provider implements BotProvider {
  readonly name = 'lex-v2';
  readonly configSpec = LEX_V2_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(LEX_V2_CONFIG_SPEC, ctx.config);
    const said = (userText(turn.input).trim() || turn.input.attachments.map((a) => a.url).join(' ')).slice(0, MAX_INPUT);
    // Lex needs at least one character and has no "no input" event: an empty message is not understood.
    if (!said) return { messages: [], fallback: true };
    const parameters = turn.session.turnIndex === 0 && Object.keys(turn.session.parameters).length ? turn.session.parameters : undefined;
    const url = sessionUrl(config, config.localeId ?? lexLocale(turn.language), sessionKey(turn.session.id, SESSION_ID));
    url.pathname += '/text';
    const body = JSON.stringify({ text: said, ...(parameters ? { sessionState: { sessionAttributes: parameters } } : {}) });
    const res = await this.send(config, 'POST', url, body, ctx);
    this.throwForStatus(res);
    return mapRecognizeText(jsonOf(res, WHAT), config);
  }

  /**
   * GetSession of a session that cannot exist: Lex checks the signature and the IAM policy first,
   * then answers 404 for the unknown session, which proves both and that the bot is there.
   */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(LEX_V2_CONFIG_SPEC, ctx.config);
    const locale = config.localeId ?? 'en_US';
    const res = await this.send(config, 'GET', sessionUrl(config, locale, `gateway-probe-${randomBytes(8).toString('hex')}`), undefined, ctx);
    const warnings: NonNullable<ProbeReport['warnings']> = [];
    if (!config.localeId) warnings.push({ problem: 'No localeId: each turn’s language picks the Lex locale (en-us → en_US), and the probe tried en_US', fix: 'Set localeId when the bot has a single locale, or build a locale for every language of the channel' });
    if (res.status === 404) {
      const { message } = awsError(res);
      if (message && !/session/i.test(message)) {
        warnings.push({ problem: `Lex answered the probe “${message}”, which may name the bot, alias or locale rather than the probe’s session`, fix: `Check botId, botAliasId and localeId (${locale}); the alias must point to a bot version with that locale built` });
      }
      return { detail: `${WHAT} accepted the signed request and the bot alias is reachable (locale ${locale})`, warnings };
    }
    this.throwForStatus(res);
    return { detail: `${WHAT} accepted the signed request and the bot alias is reachable (locale ${locale})`, warnings };
  }

  private async send(config: LexV2Config, method: 'GET' | 'POST', url: URL, body: string | undefined, ctx: { signal: AbortSignal; timeoutMs: number }): Promise<BackendResponse> {
    const started = Date.now();
    // Checked before signing: a refused URL is refused without computing anything for it.
    this.client.url(url.href, WHAT);
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const signed = await sigV4Headers({ method, url, headers, body }, config.credentials, { region: config.region, service: 'lex' });
    const left = ctx.timeoutMs - Math.min(300, Math.floor(ctx.timeoutMs / 5)) - (Date.now() - started);
    return this.client.request({ method, url, headers: { ...headers, ...signed }, body, signal: ctx.signal, timeoutMs: Math.max(1, left), what: WHAT });
  }

  /** bot-backends §6: 400/404 permanent, 401/403 a config error, 409/424/408/429/5xx transient. */
  private throwForStatus(res: BackendResponse): void {
    if (res.status >= 200 && res.status < 300) return;
    const { type, message } = awsError(res);
    const code = `HTTP ${res.status}${type ? ` ${type}` : ''}`;
    if (res.status === 401 || res.status === 403) {
      // AWS's message for a bad signature quotes the canonical request, session token included: never shown.
      throw new BackendCredentialsError(`${WHAT} refused the credentials (${code}): check the access key and that its IAM policy allows lex:RecognizeText and lex:GetSession on the bot alias`);
    }
    if (res.status === 404) throw new PermanentBotError(`${WHAT}: not found (${code})${message ? `: ${message}` : ''}; check botId, botAliasId and the locale`);
    if ([408, 409, 424, 429].includes(res.status) || res.status >= 500) throw new TransientBotError(`${WHAT} answered ${code}`, { retryAfterMs: res.retryAfterMs });
    throw new PermanentBotError(`${WHAT} refused the request (${code})${message ? `: ${message}` : ''}`);
  }
}
