import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { BackendCallContext, BotCallContext, BotProvider, ProbeReport } from '../bot-provider.interface.js';
import { BackendCredentialsError, PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { BackendClient, jsonOf, throwForStatus, type BackendResponse } from '../kit/backend-client.js';
import { isObj, sessionKey, str, userText } from '../kit/content.js';
import { typedConfig } from '../kit/provider-config.js';
import { DIRECTLINE_CONFIG_SPEC, type DirectLineConfig } from './directline.config.js';
import { isContent, isTerminal, mapActivities } from './directline.mapping.js';

const WHAT = 'Direct Line';
/** Time kept back from the attempt's budget for our own work (bot-backends §0). */
const MARGIN_MS = 300;
/** A GET started later than this before the deadline would only time out. */
const MIN_REQUEST_MS = 50;
/** [U] expires_in is usually 1800-3600 s; a token is refreshed once half its life is gone. */
const TOKEN_SAFETY_MS = 10_000;

/** What a bot session keeps between turns (`BotResult.state`): small, and enough for any worker. */
export interface DirectLineState {
  conversationId: string;
  /** The conversation's own token; absent when the secret is used for it. */
  token?: string;
  tokenExpiresAt?: number;
  tokenRefreshAt?: number;
  /** Opaque: passed back as received. */
  watermark?: string;
}

interface Conversation extends DirectLineState {
  /** Taken from the session's state (may have expired on Microsoft's side), not created this turn. */
  resumed: boolean;
}

type Obj = Record<string, unknown>;

/** The conversation is gone on Microsoft's side (expired, unknown): replaced once by a new one. */
class ConversationGone extends Error {}

const stateOf = (s: Record<string, unknown>): DirectLineState | undefined => {
  const dl = isObj(s.directline) ? s.directline : undefined;
  const id = str(dl?.conversationId);
  if (!dl || !id) return undefined;
  return {
    conversationId: id,
    ...(str(dl.token) ? { token: str(dl.token) } : {}),
    ...(typeof dl.tokenExpiresAt === 'number' ? { tokenExpiresAt: dl.tokenExpiresAt } : {}),
    ...(typeof dl.tokenRefreshAt === 'number' ? { tokenRefreshAt: dl.tokenRefreshAt } : {}),
    ...(str(dl.watermark) !== undefined ? { watermark: str(dl.watermark) } : {}),
  };
};

/** `en-us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW` (BCP 47 casing, which Bot Framework bots compare). */
export function bcp47(language: string): string {
  return language
    .split(/[-_]/)
    .map((part, i) => (i === 0 ? part.toLowerCase() : part.length === 2 ? part.toUpperCase() : part.length === 4 ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

/** A token's times from `expires_in` (seconds); none when the answer did not say. */
function tokenTimes(expiresIn: unknown, now: number): Pick<DirectLineState, 'tokenExpiresAt' | 'tokenRefreshAt'> | undefined {
  const s = typeof expiresIn === 'number' ? expiresIn : Number(str(expiresIn));
  if (!Number.isFinite(s) || s <= 0) return undefined;
  return { tokenExpiresAt: now + s * 1000, tokenRefreshAt: now + (s * 1000) / 2 };
}

/**
 * Microsoft Copilot Studio / Bot Framework bots over Direct Line 3.0 (bot-backends §2): one Direct
 * Line conversation per Genesys bot session, the customer's message posted as an activity, the
 * bot's replies polled from the watermark until it has been quiet for `quietMs` (Direct Line has no
 * end-of-turn marker), a handoff.initiate or endOfConversation, or the turn's budget runs out.
 * Whatever arrives after that is fetched by the next turn's first poll and shown first.
 */
@Injectable()
export class DirectLineBotProvider implements BotProvider {
  readonly name = 'directline';
  readonly configSpec = DIRECTLINE_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(DIRECTLINE_CONFIG_SPEC, ctx.config);
    const deadline = Date.now() + Math.max(ctx.timeoutMs - Math.min(MARGIN_MS, Math.floor(ctx.timeoutMs / 4)), 1);
    const call = new Call(this.client, config, ctx.signal, deadline);
    const userId = sessionKey(turn.session.id, { maxLength: 64, pattern: /^[A-Za-z0-9._:@-]+$/ });
    const activity = this.activityOf(turn, userId);

    const stored = stateOf(turn.session.state);
    let conv: Conversation = stored ? await call.freshen({ ...stored, resumed: true }) : await call.create();
    let postedId: string | undefined;
    try {
      postedId = await call.post(conv, activity);
    } catch (e) {
      if (!(e instanceof ConversationGone)) throw e;
      if (!conv.resumed) throw new PermanentBotError(`${WHAT} lost the conversation it had just created`);
      conv = await call.create();
      postedId = await call.post(conv, activity).catch((err: unknown) => {
        throw err instanceof ConversationGone ? new PermanentBotError(`${WHAT} lost the conversation it had just created`) : err;
      });
    }
    const bot = await call.collect(conv, userId, postedId);
    const result = mapActivities(bot);
    const { resumed: _, ...state } = conv;
    return { ...result, state: { ...turn.session.state, directline: state } };
  }

  /** Creating a token is harmless (no conversation starts until used) and proves the secret. */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(DIRECTLINE_CONFIG_SPEC, ctx.config);
    const res = await this.client.request({
      method: 'POST',
      url: `${base(config)}/tokens/generate`,
      headers: { authorization: `Bearer ${config.secret}` },
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      what: WHAT,
    });
    throwForStatus(res, WHAT);
    const body = jsonOf(res, WHAT);
    const warnings: ProbeReport['warnings'] = [];
    if (!isObj(body) || !str(body.token)) warnings.push({ problem: `${WHAT} accepted the secret but answered no token`, fix: 'Check that baseUrl is the Direct Line endpoint itself (https://<region.>directline.botframework.com), without a path.' });
    if (config.quietMs < 400)
      warnings.push({ problem: `quietMs is ${config.quietMs} ms: a bot that pauses between its messages will have them split across turns`, fix: 'Raise quietMs to at least 600 unless the bot answers with one message.' });
    return { detail: `${WHAT} accepted the secret (a conversation token was issued)`, ...(warnings.length ? { warnings } : {}) };
  }

  private activityOf(turn: CanonicalTurn, userId: string): Obj {
    const text = userText(turn.input);
    // A click on a postBack whose value was an object: the bot also gets it back as `value`.
    let value: unknown;
    if (turn.input.kind === 'button' && text.startsWith('{')) {
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
    }
    const attachments = turn.input.attachments.slice(0, 10).map((a) => ({ url: a.url, ...(a.mime ? { mime: a.mime } : {}), ...(a.filename ? { filename: a.filename } : {}) }));
    return {
      type: 'message',
      from: { id: userId },
      text,
      locale: bcp47(turn.language),
      ...(isObj(value) ? { value } : {}),
      channelData: {
        genesys: {
          ...(turn.session.genesysConversationId ? { conversationId: turn.session.genesysConversationId } : {}),
          parameters: turn.session.parameters,
          ...(attachments.length ? { attachments } : {}),
        },
      },
    };
  }
}

const base = (config: DirectLineConfig) => `${config.baseUrl.trim().replace(/\/+$/, '')}/v3/directline`;

/** One turn's calls: every request within the turn's deadline, bearer chosen per conversation. */
class Call {
  constructor(
    private readonly client: BackendClient,
    private readonly config: DirectLineConfig,
    private readonly signal: AbortSignal,
    private readonly deadline: number,
  ) {}

  private left(): number {
    return this.deadline - Date.now();
  }

  private request(method: 'GET' | 'POST', path: string, bearer: string, body?: unknown, timeoutMs = this.left()): Promise<BackendResponse> {
    if (timeoutMs <= 0) throw new TransientBotError(`${WHAT}: the turn's time ran out`);
    return this.client.request({ method, url: `${base(this.config)}${path}`, headers: { authorization: `Bearer ${bearer}` }, body, signal: this.signal, timeoutMs, what: WHAT });
  }

  /** The conversation's token while it is valid, else the secret (which works on every conversation). */
  private bearer(conv: DirectLineState): string {
    return conv.token && (conv.tokenExpiresAt === undefined || conv.tokenExpiresAt - TOKEN_SAFETY_MS > Date.now()) ? conv.token : this.config.secret;
  }

  async create(): Promise<Conversation> {
    const res = await this.request('POST', '/conversations', this.config.secret, {});
    throwForStatus(res, WHAT);
    const body = jsonOf(res, WHAT);
    const id = isObj(body) ? str(body.conversationId) : undefined;
    if (!isObj(body) || !id || id.length > 500) throw new PermanentBotError(`${WHAT} answered a new conversation without a conversationId`);
    const token = str(body.token);
    const times = token ? tokenTimes(body.expires_in, Date.now()) : undefined;
    return { conversationId: id, ...(token && token.length <= 8000 ? { token, ...times } : {}), resumed: false };
  }

  /**
   * Refreshes the token once half its life is gone; an expired token, or a refresh that fails for
   * any reason but the clock, falls back to the secret, and the conversation goes on.
   */
  async freshen(conv: Conversation): Promise<Conversation> {
    const now = Date.now();
    if (!conv.token) return conv;
    if (conv.tokenExpiresAt !== undefined && conv.tokenExpiresAt - TOKEN_SAFETY_MS <= now) return withoutToken(conv);
    if (conv.tokenRefreshAt === undefined || conv.tokenRefreshAt > now) return conv;
    try {
      const res = await this.request('POST', '/tokens/refresh', conv.token, undefined, Math.floor(this.left() / 3));
      throwForStatus(res, WHAT);
      const body = jsonOf(res, WHAT);
      const token = isObj(body) ? str(body.token) : undefined;
      const same = !isObj(body) || body.conversationId === undefined || body.conversationId === conv.conversationId;
      if (!token || !same || token.length > 8000) return withoutToken(conv);
      return { ...conv, token, ...(tokenTimes(isObj(body) ? body.expires_in : undefined, Date.now()) ?? { tokenExpiresAt: undefined, tokenRefreshAt: undefined }) };
    } catch (e) {
      if (this.signal.aborted || this.left() <= MIN_REQUEST_MS) throw e;
      return withoutToken(conv);
    }
  }

  /** Posts the customer's activity; returns its id (how its echo is recognised in the list). */
  async post(conv: Conversation, activity: Obj): Promise<string | undefined> {
    const bearer = this.bearer(conv);
    const res = await this.request('POST', `/conversations/${encodeURIComponent(conv.conversationId)}/activities`, bearer, activity);
    this.checkConversation(res, conv, bearer !== this.config.secret);
    const body = res.text.trim() ? jsonOf(res, WHAT) : undefined;
    return isObj(body) ? str(body.id) : undefined;
  }

  /**
   * 403/404 on a conversation of an earlier turn means it expired on Microsoft's side (bot-backends
   * §2), and so does a 401 to its own token; a new conversation is then created with the secret,
   * so a refused secret still comes out as the credential error it is.
   */
  private checkConversation(res: BackendResponse, conv: Conversation, usedToken: boolean): void {
    if (conv.resumed && (res.status === 403 || res.status === 404 || (res.status === 401 && usedToken))) throw new ConversationGone();
    if (res.status === 404) throw new PermanentBotError(`${WHAT} does not know the conversation (HTTP 404)`);
    throwForStatus(res, WHAT);
  }

  /**
   * Polls from the stored watermark every pollIntervalMs: the first answer brings activities the
   * previous turn did not wait for (shown first, in order), the customer's echo, then this turn's
   * replies. Stops once a reply to this turn came and the bot has been quiet for quietMs, at a
   * handoff or end, or when the budget ends; the watermark then marks what was shown.
   */
  async collect(conv: Conversation, userId: string, postedId: string | undefined): Promise<Obj[]> {
    const { pollIntervalMs, quietMs } = this.config;
    const shown: Obj[] = [];
    const seen = new Set<string>();
    let echoSeen = false;
    let replied = false;
    let lastNewAt = Date.now();
    // The first GET goes at once: a bot that answered within the POST's round trip is seen without
    // waiting a poll interval; later GETs keep pollIntervalMs apart.
    let nextAt = Date.now();
    for (;;) {
      if (nextAt + MIN_REQUEST_MS > this.deadline) break;
      await this.wait(nextAt - Date.now());
      const started = Date.now();
      const page = await this.page(conv);
      nextAt = Math.max(started + pollIntervalMs, Date.now());
      if (!page) continue;
      let terminal = false;
      for (const a of page.activities) {
        const id = str(a.id);
        if (id !== undefined) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        const from = isObj(a.from) ? str(a.from.id) : undefined;
        if (from === userId) {
          if (!postedId || id === postedId) echoSeen = true;
          continue;
        }
        lastNewAt = Date.now();
        if (!isContent(a)) continue;
        shown.push(a);
        // Before our echo sit the previous turn's late replies: they do not answer this message.
        if (echoSeen || (postedId && a.replyToId === postedId)) replied = true;
        if (isTerminal(a)) terminal = true;
      }
      if (page.watermark !== undefined) conv.watermark = page.watermark;
      // Direct Line lists the echo by the first poll; a backend that does not echo it: any reply counts.
      if (!echoSeen && shown.length > 0) replied = true;
      if (terminal) break;
      if (replied && Date.now() - lastNewAt >= quietMs) break;
    }
    return shown;
  }

  private async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal: this.signal });
    } catch {
      throw new TransientBotError(`${WHAT} call cancelled: the turn's time ran out`);
    }
  }

  /**
   * One GET. After the customer's message was posted, a failure a retry could fix is skipped (the
   * next poll tries again, and the bot caller must not post the message twice); the rest is thrown.
   */
  private async page(conv: Conversation): Promise<{ activities: Obj[]; watermark?: string } | undefined> {
    const q = conv.watermark !== undefined ? `?watermark=${encodeURIComponent(conv.watermark)}` : '';
    let res: BackendResponse;
    try {
      res = await this.request('GET', `/conversations/${encodeURIComponent(conv.conversationId)}/activities${q}`, this.bearer(conv));
    } catch (e) {
      if (e instanceof TransientBotError && !this.signal.aborted) return undefined;
      throw e;
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) return undefined;
    if (res.status === 404) throw new PermanentBotError(`${WHAT} does not know the conversation any more (HTTP 404)`);
    if (res.status === 401 || res.status === 403) throw new BackendCredentialsError(`${WHAT} refused the configured credentials (HTTP ${res.status})`);
    throwForStatus(res, WHAT);
    const body = jsonOf(res, WHAT);
    if (!isObj(body) || (body.activities !== undefined && !Array.isArray(body.activities))) throw new PermanentBotError(`${WHAT} answered an activity list that is not one`);
    const activities = ((body.activities as unknown[] | undefined) ?? []).filter(isObj).slice(0, 500);
    return { activities, ...(str(body.watermark) !== undefined ? { watermark: str(body.watermark) } : {}) };
  }
}

const withoutToken = (conv: Conversation): Conversation => {
  const { token: _t, tokenExpiresAt: _e, tokenRefreshAt: _r, ...rest } = conv;
  return rest;
};
