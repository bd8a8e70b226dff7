import { Injectable } from '@nestjs/common';
import type { BackendCallContext, BotCallContext, BotProvider, ProbeReport } from '../bot-provider.interface.js';
import { BackendCredentialsError, PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { BackendClient, jsonOf, type BackendResponse } from '../kit/backend-client.js';
import { clip, isObj, sessionKey, str, userText } from '../kit/content.js';
import { typedConfig } from '../kit/provider-config.js';
import { DIALOGFLOW_CX_CONFIG_SPEC, type DialogflowCxConfig } from './dialogflow-cx.config.js';
import { mapDetectIntent } from './dialogflow-cx.mapping.js';
import { GoogleTokenCache } from './google-token.js';

const WHAT = 'Dialogflow CX';
/** detectIntent refuses longer text input with INVALID_ARGUMENT; a long message is cut rather than failing the turn. */
const MAX_INPUT = 256;
/** Dialogflow's own limit for session ids (bot-backends §0 "Identity"). */
const SESSION_ID = { maxLength: 36, pattern: /^[A-Za-z0-9_-]+$/ };

/** `en-us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW` (bot-backends §5: BCP-47 with an upper-case region). */
export function bcp47(language: string): string {
  return language
    .trim()
    .replace(/_/g, '-')
    .split('-')
    .filter(Boolean)
    .map((p, i) => (i === 0 ? p.toLowerCase() : p.length === 4 ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p.length === 2 || /^\d{3}$/.test(p) ? p.toUpperCase() : p.toLowerCase()))
    .join('-');
}

/** The agent's resource name and the host serving it. */
function agentUrl(config: DialogflowCxConfig): string {
  const base = (config.apiEndpoint?.trim() || (config.location === 'global' ? 'https://dialogflow.googleapis.com' : `https://${config.location}-dialogflow.googleapis.com`)).replace(/\/+$/, '');
  const enc = encodeURIComponent;
  return `${base}/v3/projects/${enc(config.projectId)}/locations/${enc(config.location)}/agents/${enc(config.agentId)}`;
}

/** The google.rpc status of an error body (`{error: {code, status, message}}`), for the admin's eyes. */
function rpcError(res: BackendResponse): { status?: string; message?: string } {
  try {
    const body = JSON.parse(res.text) as unknown;
    const e = isObj(body) && isObj(body.error) ? body.error : {};
    const status = str(e.status)?.match(/^[A-Z_]{1,40}$/)?.[0];
    const message = str(e.message)?.replace(/\s+/g, ' ').trim();
    return { ...(status ? { status } : {}), ...(message ? { message: clip(message, 300) } : {}) };
  } catch {
    return {};
  }
}

/** A deadline for the whole turn (token fetch + detectIntent), with a margin for our own work. */
function deadlineOf(timeoutMs: number): () => number {
  const until = Date.now() + timeoutMs - Math.min(300, Math.floor(timeoutMs / 5));
  return () => Math.max(1, until - Date.now());
}

/**
 * Google Dialogflow CX through detectIntent (REST): one Dialogflow session per Genesys bot session,
 * authenticated as a service account whose access token is cached until shortly before it expires.
 * Response messages, Messenger rich content and the gateway payload map onto the canonical model
 * (dialogflow-cx.mapping.ts); docs/providers/dialogflow-cx.md.
 */
@Injectable()
export class DialogflowCxProvider implements BotProvider {
  readonly name = 'dialogflow-cx';
  readonly configSpec = DIALOGFLOW_CX_CONFIG_SPEC;
  private readonly tokens: GoogleTokenCache;

  constructor(private readonly client: BackendClient) {
    this.tokens = new GoogleTokenCache(client);
  }

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(DIALOGFLOW_CX_CONFIG_SPEC, ctx.config);
    const left = deadlineOf(ctx.timeoutMs);
    const token = await this.tokens.accessToken(config.credentials, { signal: ctx.signal, timeoutMs: left() });
    const session = `${config.environment ? `/environments/${encodeURIComponent(config.environment)}` : ''}/sessions/${sessionKey(turn.session.id, SESSION_ID)}`;
    const languageCode = bcp47(turn.language);
    const said = (userText(turn.input).trim() || turn.input.attachments.map((a) => a.url).join(' ')).slice(0, MAX_INPUT);
    const parameters = turn.session.turnIndex === 0 && Object.keys(turn.session.parameters).length ? turn.session.parameters : undefined;
    const body = {
      // Nothing to say (an empty message): Dialogflow's no-input event, which its agent can answer.
      queryInput: said ? { text: { text: said }, languageCode } : { event: { event: 'sys.no-input-default' }, languageCode },
      ...(parameters ? { queryParams: { parameters } } : {}),
    };
    const res = await this.client.request({
      method: 'POST',
      url: `${agentUrl(config)}${session}:detectIntent`,
      headers: { authorization: `Bearer ${token}` },
      body,
      signal: ctx.signal,
      timeoutMs: left(),
      what: WHAT,
    });
    this.throwForStatus(res, config);
    return mapDetectIntent(jsonOf(res, WHAT));
  }

  /** Gets a token (Google accepts the key), then reads the agent (the account may use it, and the ids are right). */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(DIALOGFLOW_CX_CONFIG_SPEC, ctx.config);
    const left = deadlineOf(ctx.timeoutMs);
    const token = await this.tokens.accessToken(config.credentials, { signal: ctx.signal, timeoutMs: left() });
    const get = (url: string) => this.client.request({ method: 'GET', url, headers: { authorization: `Bearer ${token}` }, signal: ctx.signal, timeoutMs: left(), what: WHAT });
    const res = await get(agentUrl(config));
    if (res.status === 403) {
      throw new BackendCredentialsError(
        `${WHAT} denied the service account access to the agent (HTTP 403): grant it the Dialogflow API Client role (turns) and Dialogflow API Reader (the doctor reads the agent) on project ${config.projectId}`,
      );
    }
    if (res.status === 404) {
      throw new PermanentBotError(`${WHAT}: agent not found (HTTP 404): check projectId, location and agentId against the agent’s resource name (Agent settings → copy name), and that location matches the agent’s region`);
    }
    this.throwForStatus(res, config);
    const agent = jsonOf(res, WHAT);
    const warnings: ProbeReport['warnings'] = [];
    const displayName = isObj(agent) ? str(agent.displayName) : undefined;
    if (isObj(agent) && typeof agent.name === 'string' && !agent.name.endsWith(`/agents/${config.agentId}`)) {
      warnings.push({ problem: 'Dialogflow answered with a different agent than the one configured', fix: 'Check apiEndpoint: it should be Google’s regional host for the agent’s location' });
    }
    if (config.environment) {
      const env = await get(`${agentUrl(config)}/environments/${encodeURIComponent(config.environment)}`);
      if (env.status === 404) throw new PermanentBotError(`${WHAT}: environment not found (HTTP 404): check environment (the id at the end of the environment’s resource name) or remove it to use the draft`);
      if (env.status !== 403) this.throwForStatus(env, config);
    }
    const languages = isObj(agent) ? [agent.defaultLanguageCode, ...(Array.isArray(agent.supportedLanguageCodes) ? agent.supportedLanguageCodes : [])].filter((l): l is string => typeof l === 'string') : [];
    return {
      detail: `${WHAT} accepted the service-account key and the agent${displayName ? ` "${clip(displayName, 80)}"` : ''} is reachable${languages.length ? ` (languages: ${languages.slice(0, 10).join(', ')})` : ''}`,
      ...(warnings.length ? { warnings } : {}),
    };
  }

  /** google.rpc errors (bot-backends §5): 400/401/403/404 permanent (401/403 a config error), 429/5xx transient. */
  private throwForStatus(res: BackendResponse, config: DialogflowCxConfig): void {
    if (res.status >= 200 && res.status < 300) return;
    const { status, message } = rpcError(res);
    const code = `HTTP ${res.status}${status ? ` ${status}` : ''}`;
    if (res.status === 401) {
      // The token was revoked or expired early: the next attempt fetches a new one.
      this.tokens.forget(config.credentials);
      throw new BackendCredentialsError(`${WHAT} refused the access token (${code})`);
    }
    if (res.status === 403) throw new BackendCredentialsError(`${WHAT} denied access (${code}): grant the service account the Dialogflow API Client role on project ${config.projectId}`);
    if (res.status === 404) throw new PermanentBotError(`${WHAT}: agent, environment or session not found (${code}): check projectId, location, agentId and environment`);
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new TransientBotError(`${WHAT} answered ${code}`, { retryAfterMs: res.retryAfterMs });
    throw new PermanentBotError(`${WHAT} refused the request (${code})${message ? `: ${message}` : ''}`);
  }
}
