import { randomBytes } from 'node:crypto';
import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

type Obj = Record<string, unknown>;

/** One thing the scripted bot does after a customer's activity: `afterMs` after the previous step. */
export interface BotStep {
  afterMs?: number;
  activity: Obj;
  /** Leave `replyToId` out ([U] not guaranteed on follow-ups). */
  noReplyTo?: boolean;
}

export type BotScript = (userActivity: Obj, conversation: FakeConversation) => BotStep[];

export interface FakeConversation {
  id: string;
  /** Every activity in order; the watermark is the count of activities already read. */
  activities: Obj[];
  tokens: Map<string, number>;
  /** Set by expire(): the status every call on this conversation gets from then on. */
  expired?: 403 | 404;
  /** Created by /tokens/generate and not started yet (what the probe does). */
  reserved: boolean;
}

const BASE = '/v3/directline';

/** Bot Framework activities for scripts. */
export const dl = {
  message: (text: string, extra: Obj = {}): Obj => ({ type: 'message', text, ...extra }),
  typing: (): Obj => ({ type: 'typing' }),
  handoff: (value: Obj): Obj => ({ type: 'event', name: 'handoff.initiate', value, attachments: [{ contentType: 'application/vnd.microsoft.activity.hi.transcript', content: { activities: [] } }] }),
  end: (code = 'completedSuccessfully'): Obj => ({ type: 'endOfConversation', code }),
  hero: (content: Obj): Obj => ({ contentType: 'application/vnd.microsoft.card.hero', content }),
  thumbnail: (content: Obj): Obj => ({ contentType: 'application/vnd.microsoft.card.thumbnail', content }),
  adaptive: (content: Obj): Obj => ({ contentType: 'application/vnd.microsoft.card.adaptive', content }),
};

/**
 * Direct Line 3.0 as bot-backends §2 describes it: conversations created with the secret (201 with
 * their own token), activities posted and listed from a watermark (the list includes the customer's
 * own activities), tokens generated and refreshed, `{"error":{code,message}}` bodies. The bot is a
 * script: what it answers to each posted activity, and when (activities appear over time, as they
 * do on Microsoft's side). Conversations can be expired, credentials refused.
 */
export class DirectLineFake extends FakeBackend {
  secret = `dl-secret-${randomBytes(18).toString('base64url')}`;
  tokenLifetimeSec = 1800;
  bot: Obj = { id: 'copilot-bot@abc', name: 'Contoso Copilot', role: 'bot' };
  /** Sent by the bot when a conversation starts (a Copilot Studio greeting, say). */
  welcome: Obj[] = [];
  /** Default: typing at once, then "You said: …" 150 ms later. */
  script: BotScript = (a) => [{ activity: dl.typing() }, { afterMs: 150, activity: dl.message(`You said: ${String(a.text ?? '')}`) }];
  readonly conversations = new Map<string, FakeConversation>();
  private refusal?: 401 | 403;
  private timers = new Set<NodeJS.Timeout>();
  private seq = 0;

  refuseCredentials(status: 401 | 403 = 403): void {
    this.refusal = status;
  }

  acceptCredentials(): void {
    this.refusal = undefined;
  }

  /** The conversation (every one when none is named) is gone: its calls answer `status` from now on. */
  expire(conversationId?: string, status: 403 | 404 = 403): void {
    for (const c of this.conversations.values()) if (!conversationId || c.id === conversationId) c.expired = status;
  }

  /** Makes every token of a conversation expire now (the secret still works). */
  expireTokens(conversationId?: string): void {
    for (const c of this.conversations.values()) if (!conversationId || c.id === conversationId) for (const t of c.tokens.keys()) c.tokens.set(t, Date.now() - 1);
  }

  /** Adds a bot activity to a conversation now (a late reply, a proactive message). */
  push(conversationId: string, activity: Obj, replyToId?: string): void {
    const c = this.conversations.get(conversationId);
    if (c) this.append(c, { ...activity, from: activity.from ?? this.bot, ...(replyToId ? { replyToId } : {}) });
  }

  /** The activities the gateway posted, in order. */
  posted(): Obj[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/activities$/.test(r.path)).map((r) => r.body as Obj);
  }

  polls(conversationId?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.path.includes('/activities') && (!conversationId || r.path.includes(encodeURIComponent(conversationId))));
  }

  override async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await super.close();
  }

  private error(status: number, code: string, message: string): FakeReply {
    return { status, body: { error: { code, message } } };
  }

  private newToken(c: FakeConversation): { token: string; expires_in: number } {
    const token = `dlt.${randomBytes(24).toString('base64url')}`;
    c.tokens.set(token, Date.now() + this.tokenLifetimeSec * 1000);
    return { token, expires_in: this.tokenLifetimeSec };
  }

  private newConversation(reserved: boolean): FakeConversation {
    const c: FakeConversation = { id: `${randomBytes(9).toString('base64url')}-us`, activities: [], tokens: new Map(), reserved };
    this.conversations.set(c.id, c);
    return c;
  }

  private append(c: FakeConversation, activity: Obj): Obj {
    const full = { ...activity, id: `${c.id}|${String(++this.seq).padStart(7, '0')}`, timestamp: new Date().toISOString(), channelId: 'directline', conversation: { id: c.id } };
    c.activities.push(full);
    return full;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  protected route(req: RecordedRequest): FakeReply | undefined {
    const url = new URL(req.path, 'http://fake');
    if (!url.pathname.startsWith(BASE)) return undefined;
    const path = url.pathname.slice(BASE.length);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!bearer) return this.error(401, 'BadArgument', 'Missing token or secret');
    if (this.refusal) return this.error(this.refusal, 'BadArgument', 'Invalid token or secret');
    const isSecret = bearer === this.secret;
    const tokenConversation = isSecret ? undefined : [...this.conversations.values()].find((c) => c.tokens.has(bearer));
    const tokenExpired = tokenConversation ? tokenConversation.tokens.get(bearer)! <= Date.now() : false;
    if (!isSecret && (!tokenConversation || tokenExpired)) return this.error(403, tokenExpired ? 'TokenExpired' : 'BadArgument', tokenExpired ? 'Token expired' : 'Invalid token or secret');

    if (req.method === 'POST' && path === '/tokens/generate') {
      if (!isSecret) return this.error(403, 'BadArgument', 'A secret is required');
      const c = this.newConversation(true);
      return { status: 200, body: { conversationId: c.id, ...this.newToken(c) } };
    }
    if (req.method === 'POST' && path === '/tokens/refresh') {
      if (!tokenConversation) return this.error(403, 'BadArgument', 'A token is required');
      if (tokenConversation.expired) return this.error(tokenConversation.expired, 'BadArgument', 'Conversation expired');
      return { status: 200, body: { conversationId: tokenConversation.id, ...this.newToken(tokenConversation) } };
    }
    if (req.method === 'POST' && path === '/conversations') {
      if (tokenConversation) {
        tokenConversation.reserved = false;
        return { status: 200, body: { conversationId: tokenConversation.id, token: bearer, expires_in: this.tokenLifetimeSec, streamUrl: `wss://fake/stream?t=x` } };
      }
      const c = this.newConversation(false);
      for (const w of this.welcome) this.append(c, { ...w, from: this.bot });
      return { status: 201, body: { conversationId: c.id, ...this.newToken(c), streamUrl: `wss://fake/stream?t=x`, referenceGrammarId: 'grammar-1' } };
    }
    const m = /^\/conversations\/([^/]+)(\/activities)?$/.exec(path);
    if (!m) return undefined;
    const c = this.conversations.get(decodeURIComponent(m[1]!));
    if (!c) return this.error(404, 'BadArgument', 'Conversation not found');
    if (tokenConversation && tokenConversation !== c) return this.error(403, 'BadArgument', 'Token not valid for this conversation');
    if (c.expired) return this.error(c.expired, c.expired === 403 ? 'TokenExpired' : 'BadArgument', 'Conversation expired');
    if (!m[2] && req.method === 'GET') return { status: 200, body: { conversationId: c.id, ...this.newToken(c), streamUrl: 'wss://fake/stream?t=x' } };
    if (m[2] && req.method === 'GET') {
      const w = url.searchParams.get('watermark');
      const from = w === null || w === '' ? 0 : Number(w);
      if (!Number.isInteger(from) || from < 0) return this.error(400, 'BadArgument', 'Invalid watermark');
      return { status: 200, body: { activities: c.activities.slice(from), watermark: String(c.activities.length) } };
    }
    if (m[2] && req.method === 'POST') return this.receive(c, req.body);
    return undefined;
  }

  private receive(c: FakeConversation, body: unknown): FakeReply {
    const a = body as Obj;
    if (!a || typeof a !== 'object' || typeof a.type !== 'string') return this.error(400, 'MissingProperty', 'Activity type is required');
    const from = a.from as Obj | undefined;
    if (!from || typeof from.id !== 'string' || !from.id) return this.error(400, 'MissingProperty', 'from.id is required');
    const echo = this.append(c, { ...a, from: { id: from.id, ...(from.name ? { name: from.name } : {}) } });
    let at = 0;
    for (const step of this.script(echo, c)) {
      at += step.afterMs ?? 0;
      const act = { from: this.bot, ...step.activity, ...(step.noReplyTo ? {} : { replyToId: echo.id }) };
      if (at === 0) this.append(c, act);
      else this.later(at, () => this.append(c, act));
    }
    return { status: 200, body: { id: echo.id } };
  }
}
