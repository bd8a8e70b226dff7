import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { BackendCallContext, BotCallContext, BotProvider, EndedSession, ProbeReport } from '../bot-provider.interface.js';
import { BackendCredentialsError, PermanentBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalMessage, CanonicalTurn } from '../canonical.types.js';
import { BackendClient, jsonOf, throwForStatus, type BackendResponse } from '../kit/backend-client.js';
import { ContentLimits, clip, isObj, sessionKey, str, userText } from '../kit/content.js';
import { typedConfig } from '../kit/provider-config.js';
import { KORE_CONFIG_SPEC, type KoreConfig } from './kore.config.js';
import { mapKoreData, type KoreMapped } from './kore.mapping.js';

const WHAT = 'Kore.ai';
/** Kept from the turn's budget for the gateway's own work after the last call (bot-backends §0). */
const MARGIN_MS = 300;
/** A poll is not started with less time than this left: it could only time out. */
const MIN_CALL_MS = 50;
/** Poll chains carried to the next turn; older ones are given up (their messages are that late by now). */
const MAX_PENDING = 4;
/** BotResult's own limit: a chatty batch is cut, never a failed turn. */
const MAX_MESSAGES = 100;
/** The user id of the setup doctor's probe: never a customer's, so closing its session touches no one. */
export const KORE_PROBE_USER_ID = 'gc-gateway-probe';

/** What this provider carries from one turn of a bot session to the next (BotResult.state). */
interface KoreState {
  /** A Kore session was opened for this bot session (`session.new` was sent). */
  started?: boolean;
  /** Poll ids whose messages had not arrived when a turn's budget ran out, oldest first. */
  pendingPollIds?: string[];
}

/** Kore's user id for a Genesys bot session (bot-backends §0 Identity): stable, `gc-` prefixed, hashed when odd. */
export const koreUserId = (botSessionId: string): string => sessionKey(botSessionId, { prefix: 'gc-', maxLength: 100, pattern: /^[A-Za-z0-9._:@-]+$/ });

const validPollId = (v: unknown): string | undefined => {
  const s = typeof v === 'string' ? v.trim() : undefined;
  return s && /^[^\s/?#\\]{1,256}$/.test(s) ? s : undefined;
};

function readState(state: Record<string, unknown>): Required<KoreState> {
  const ids = Array.isArray(state.pendingPollIds) ? state.pendingPollIds.map(validPollId).filter((x): x is string => !!x) : [];
  return { started: state.started === true, pendingPollIds: ids.slice(-MAX_PENDING) };
}

/** HS256 JWT as Kore's webhook channel verifies it: `appId` (client id), `sub` (the user id), `iat`. */
export function koreJwt(clientId: string, clientSecret: string, userId: string, nowMs = Date.now()): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ appId: clientId, sub: userId, iat: Math.floor(nowMs / 1000) })}`;
  return `${signed}.${createHmac('sha256', clientSecret).update(signed).digest('base64url')}`;
}

/** `{webhookUrl}/poll/{pollId}`, appended to the configured path as is (also after `/hookInstance/…`). */
export function korePollUrl(webhookUrl: string, pollId: string): string {
  const u = new URL(webhookUrl.trim());
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/poll/${encodeURIComponent(pollId)}`;
  return u.toString();
}

/** The bot's stream id (`st-…`) from `…/webhook/{streamId}[/hookInstance/…]`, for the request's `to`. */
function streamIdOf(webhookUrl: string): string | undefined {
  const m = /\/webhook\/([^/?#]+)/.exec(webhookUrl);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** Kore's own words from an error body (`{"errors":[{"msg"}]}`), clipped; never matched on (its casing varies). */
function koreErrorMsg(res: BackendResponse): string {
  try {
    const body: unknown = JSON.parse(res.text);
    const first = isObj(body) && Array.isArray(body.errors) ? body.errors[0] : undefined;
    const msg = isObj(first) ? str(first.msg) : undefined;
    return msg ? `: ${clip(msg.replace(/[\u0000-\u001f]+/g, ' ').trim(), 120)}` : '';
  } catch {
    return '';
  }
}

/** Kore's statuses (bot-backends §1 Errors): 400 invalid payload, 401 bad token, 429/504 worth retrying. */
function throwForKore(res: BackendResponse): void {
  const s = res.status;
  if (s >= 200 && s < 300) return;
  if (s === 401 || s === 403) {
    throw new BackendCredentialsError(`${WHAT} refused the JWT (HTTP ${s}${koreErrorMsg(res)}): check clientId and clientSecret against the app selected on the Webhook channel`);
  }
  if (s === 404) throw new PermanentBotError(`${WHAT} answered HTTP 404: no webhook channel at the configured webhookUrl`);
  if (s === 400) throw new PermanentBotError(`${WHAT} refused the message (HTTP 400${koreErrorMsg(res)})`);
  throwForStatus(res, WHAT);
}

function koreBody(res: BackendResponse): Record<string, unknown> {
  const body = jsonOf(res, WHAT);
  if (!isObj(body)) throw new PermanentBotError(`${WHAT} answered HTTP ${res.status} with a body that is not a webhook v2 answer`);
  return body;
}

/** Messages and signals gathered over one turn's answers (the POST's, then every poll's). */
class Batch {
  readonly mapped: KoreMapped = { messages: [] };
  private handoffTask?: string;
  private ended = false;
  private task?: string;

  constructor(
    private readonly handoffTasks: Set<string>,
    private readonly endTasks: Set<string>,
  ) {}

  add(body: Record<string, unknown>): void {
    mapKoreData(body.data, this.mapped);
    // `endOfTask` and `endReason` only close a dialog task (Kore pairs endOfTask:false with
    // endReason "Fulfilled"): the completed task's name is what a bot builder can point at.
    const task = str(body.completedTaskName)?.trim();
    if (!task) return;
    this.task = clip(task, ContentLimits.title);
    const key = task.toLowerCase();
    if (this.handoffTasks.has(key)) this.handoffTask ??= this.task;
    if (this.endTasks.has(key)) this.ended = true;
  }

  result(state: KoreState): BotResult {
    const messages: CanonicalMessage[] = this.mapped.messages.slice(0, MAX_MESSAGES);
    const out: BotResult = { messages, state: { ...state } };
    const transfer = this.mapped.handoff;
    if (transfer || this.handoffTask) out.handoff = { ...(this.handoffTask ? { reason: this.handoffTask } : {}), ...transfer };
    if (this.ended) out.end = {};
    // For analytics; never `end.intent`, which must be an intent registered in Genesys.
    if (this.task) out.intent = this.task;
    return out;
  }
}

const nameSet = (names: string[] | undefined) => new Set((names ?? []).map((n) => n.trim().toLowerCase()));

/**
 * Kore.ai XO through its Webhook channel v2 in synchronous mode (bot-backends §1): one POST per
 * customer message with an HS256 JWT, then the poll ids Kore returns while a service or script
 * node is still running, within the turn's budget. A poll id still pending when the budget runs out
 * is kept in the session state and polled first by the next turn, whose answer then follows those
 * messages; a message is never POSTed twice by this provider.
 */
@Injectable()
export class KoreBotProvider implements BotProvider {
  readonly name = 'kore';
  readonly configSpec = KORE_CONFIG_SPEC;

  constructor(private readonly client: BackendClient) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const config = typedConfig(KORE_CONFIG_SPEC, ctx.config);
    const started = Date.now();
    const deadline = started + ctx.timeoutMs - Math.min(MARGIN_MS, Math.floor(ctx.timeoutMs / 4));
    const userId = koreUserId(turn.session.id);
    const prev = readState(turn.session.state);
    const batch = new Batch(nameSet(config.handoff?.taskNames), nameSet(config.end?.taskNames));
    const pending: string[] = [];

    // Earlier turns' messages first. Half the budget at most: the customer's new message matters more.
    const pendingUntil = started + (deadline - started) / 2;
    for (const id of prev.pendingPollIds) {
      const left = await this.follow(config, userId, id, batch, pendingUntil, ctx.signal, false);
      if (left) pending.push(left);
    }

    const message = koreMessage(turn, prev.started);
    if (message) {
      const res = await this.client.request({
        method: 'POST',
        url: config.webhookUrl,
        headers: this.auth(config, userId),
        body: this.requestBody(config, userId, message, !prev.started, turn),
        signal: ctx.signal,
        timeoutMs: Math.max(1, deadline - Date.now()),
        what: WHAT,
      });
      throwForKore(res);
      const body = koreBody(res);
      batch.add(body);
      const pollId = validPollId(body.pollId);
      if (pollId) {
        const left = await this.follow(config, userId, pollId, batch, deadline, ctx.signal, true);
        if (left) pending.push(left);
      }
    }
    const state: KoreState = { started: prev.started || !!message };
    if (pending.length) state.pendingPollIds = pending.slice(-MAX_PENDING);
    return batch.result(state);
  }

  /**
   * Polls one chain (`Inprogress` → again; a new pollId → follow it) until it is done or `until`.
   * Returns the poll id still pending, if any. The message was already accepted by Kore, so a
   * failing poll never fails the turn (a retry would POST it again): a transient failure keeps the
   * id for the next turn, a permanent one (400 "No data found" for a used id) ends the chain.
   */
  private async follow(config: KoreConfig, userId: string, pollId: string, batch: Batch, until: number, signal: AbortSignal, waitFirst: boolean): Promise<string | undefined> {
    let id = pollId;
    let wait = waitFirst;
    for (;;) {
      const pause = wait ? config.pollIntervalMs : 0;
      wait = true;
      if (signal.aborted || Date.now() + pause + MIN_CALL_MS > until) return id;
      if (pause) {
        try {
          await sleep(pause, undefined, { signal });
        } catch {
          return id;
        }
      }
      let res: BackendResponse;
      try {
        res = await this.client.request({ method: 'GET', url: korePollUrl(config.webhookUrl, id), headers: this.auth(config, userId), signal, timeoutMs: Math.max(1, until - Date.now()), what: WHAT });
      } catch (e) {
        return (e as { transient?: boolean }).transient ? id : undefined;
      }
      if (res.status === 401 || res.status === 403) throwForKore(res);
      if (res.status === 408 || res.status === 429 || res.status >= 500) return id;
      if (res.status < 200 || res.status >= 300) return undefined;
      let body: Record<string, unknown>;
      try {
        body = koreBody(res);
      } catch {
        return undefined;
      }
      if (str(body.status)?.trim().toLowerCase() === 'inprogress') {
        if (body.data !== undefined) batch.add(body);
        id = validPollId(body.pollId) ?? id;
        continue;
      }
      batch.add(body);
      const next = validPollId(body.pollId);
      if (!next) return undefined;
      id = next;
    }
  }

  private auth(config: KoreConfig, userId: string): Record<string, string> {
    return { authorization: `bearer ${koreJwt(config.clientId, config.clientSecret, userId)}` };
  }

  private requestBody(config: KoreConfig, userId: string, message: KoreMessage, isNew: boolean, turn?: CanonicalTurn): Record<string, unknown> {
    const to = streamIdOf(config.webhookUrl);
    return {
      session: { new: isNew },
      message,
      from: { id: userId, userInfo: { firstName: '', lastName: '', email: '' } },
      ...(to ? { to: { id: to } } : {}),
      ...(turn
        ? { customData: { genesysConversationId: turn.session.genesysConversationId, language: turn.language, parameters: turn.session.parameters } }
        : {}),
    };
  }

  /**
   * Proves the URL and the JWT without running a dialog: a session-closure event for a user id no
   * customer has. A 400 (Kore found nothing to close) still means the token was accepted.
   */
  async probe(ctx: BackendCallContext): Promise<ProbeReport> {
    const config = typedConfig(KORE_CONFIG_SPEC, ctx.config);
    const res = await this.client.request({
      method: 'POST',
      url: config.webhookUrl,
      headers: this.auth(config, KORE_PROBE_USER_ID),
      body: this.requestBody(config, KORE_PROBE_USER_ID, { type: 'event', val: 'SESSION_CLOSURE' }, false),
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      what: WHAT,
    });
    if (res.status !== 400) throwForKore(res);
    const warnings: ProbeReport['warnings'] = [];
    const path = new URL(config.webhookUrl.trim()).pathname;
    if (!/\/v2\/webhook\/[^/]+/.test(path)) {
      warnings.push({
        problem: 'webhookUrl does not look like a Webhook channel version 2.0 URL (…/chatbot/v2/webhook/st-…)',
        fix: 'In Kore XO open the Webhook channel, choose webhook version 2.0 and synchronous mode, save, and copy the POST URL it shows (with any /hookInstance/… part) into webhookUrl',
      });
    }
    let v: string | undefined;
    try {
      const body: unknown = JSON.parse(res.text);
      v = isObj(body) ? str(body._v) : undefined;
    } catch {
      /* the status already told what the doctor needs */
    }
    if (v !== undefined && v !== 'v2') {
      warnings.push({ problem: `Kore answered as webhook ${v}, not v2`, fix: 'Switch the Webhook channel to version 2.0 in Kore XO and copy its new POST URL into webhookUrl' });
    }
    if (!config.handoff?.taskNames?.length) {
      warnings.push({
        problem: 'no handoff.taskNames: only the agent_transfer template hands a customer to an agent (Kore’s Agent Transfer node does not work on a synchronous webhook channel)',
        fix: 'List the Kore task(s) that mean “talk to an agent” in handoff.taskNames, or make them print the agent_transfer template (docs/providers/kore.md)',
      });
    }
    const both = (config.handoff?.taskNames ?? []).filter((n) => nameSet(config.end?.taskNames).has(n.trim().toLowerCase()));
    if (both.length) {
      warnings.push({ problem: `task(s) ${both.map((n) => `"${n.trim()}"`).join(', ')} are in both handoff.taskNames and end.taskNames: the handoff wins`, fix: 'Keep each task name in one list only' });
    }
    const detail =
      res.status === 400
        ? `${WHAT} accepted the JWT (HTTP 400 to a session-closure event for the probe user: nothing to close)`
        : `${WHAT} accepted the JWT and answered the probe’s session-closure event (HTTP ${res.status})`;
    return { detail, ...(warnings.length ? { warnings } : {}) };
  }

  /** Closes the Kore session of an ended bot session (best effort; never delays or fails a turn). */
  async sessionEnded(session: EndedSession, ctx: BackendCallContext): Promise<void> {
    if (session.state.started !== true) return;
    const config = typedConfig(KORE_CONFIG_SPEC, ctx.config);
    const userId = koreUserId(session.botSessionId);
    try {
      await this.client.request({
        method: 'POST',
        url: config.webhookUrl,
        headers: this.auth(config, userId),
        body: {
          ...this.requestBody(config, userId, { type: 'event', val: 'SESSION_CLOSURE' }, false),
          customData: { genesysConversationId: session.genesysConversationId, language: session.language, outcome: session.outcome },
        },
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
        what: WHAT,
      });
    } catch {
      // Kore closes idle sessions by itself; nothing the customer waits for depends on this.
    }
  }
}

type KoreMessage = { type: 'text'; val: string } | { type: 'event'; val: 'ON_CONNECT' | 'SESSION_CLOSURE' };

/**
 * What the customer's turn sends: a click's payload, typed text, attachment links as text; an empty
 * first turn opens the session with ON_CONNECT (Kore's welcome flow); a later empty turn sends
 * nothing (only pending polls run).
 */
function koreMessage(turn: CanonicalTurn, started: boolean): KoreMessage | undefined {
  const said = userText(turn.input).trim();
  if (said) return { type: 'text', val: said };
  const links = turn.input.attachments.map((a) => a.url).filter(Boolean);
  if (links.length) return { type: 'text', val: links.join('\n') };
  return started ? undefined : { type: 'event', val: 'ON_CONNECT' };
}
