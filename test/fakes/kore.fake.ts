import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

/** One batch of messages Kore delivers through a poll id (a service or script node finishing later). */
export interface KorePollBatch {
  /** `Inprogress` answers before the batch is ready (counted per poll). */
  inprogress?: number;
  /** Or: ready this long after its poll id was handed out. */
  readyAfterMs?: number;
  /** `data[].val` of each message, as the bot would send it (string, object, JSON string …). */
  vals?: unknown[];
  /** Extra `data[]` items as they are (events …). */
  items?: Record<string, unknown>[];
  completedTaskName?: string;
  endOfTask?: boolean;
}

/** What the fake bot answers to one message: the synchronous part, then chained poll batches. */
export interface KoreScript {
  vals?: unknown[];
  items?: Record<string, unknown>[];
  completedTaskName?: string;
  endOfTask?: boolean;
  endReason?: string;
  /** Each batch gets its own poll id, handed out by the answer before it (a chain). */
  polls?: KorePollBatch[];
  /** Latency of the synchronous answer. */
  delayMs?: number;
}

interface Poll {
  owner: string;
  batch: KorePollBatch;
  rest: KorePollBatch[];
  issuedAt: number;
  inprogressLeft: number;
  used: boolean;
}

export interface KoreClaims {
  appId: string;
  sub?: string;
  iat?: number;
  userIdentity?: string;
}

/**
 * Kore.ai XO's Webhook channel v2 in synchronous mode, as bot-backends §1 describes it: POST
 * `/chatbot/v2/webhook/{streamId}` (optionally `/hookInstance/{id}`) with `Authorization: bearer
 * <JWT>` verified with the real jsonwebtoken (through @nestjs/jwt: HS256, the client secret, `appId`
 * case-sensitive, `sub`, `userIdentity` = `from.id` when present); answers `{to, from, data[], _v,
 * endOfTask, endReason, completedTaskName, pollId}`; `GET …/poll/{pollId}` answers `Inprogress`,
 * the next batch (maybe with a chained pollId), or 400 "No data found" for a used or unknown id.
 * Errors are `{"errors":[{msg, code}], "_v":"v2", "_t"}`.
 */
export class KoreFake extends FakeBackend {
  clientId = 'cs-5a0c3b8e-kore-fake-app';
  clientSecret = `kore-secret-${randomBytes(12).toString('hex')}`;
  streamId = 'st-8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
  /** Serve the second-webhook-channel URL shape instead. */
  hookInstance?: string;
  /** Claims of every accepted token, in order. */
  readonly claims: KoreClaims[] = [];
  /** Kore users with an open session (opened by `session.new: true`, closed by SESSION_CLOSURE). */
  readonly sessions = new Map<string, { opened: number; messages: number }>();
  private readonly scripts: { match: (text: string) => boolean; script: KoreScript | ((text: string) => KoreScript) }[] = [];
  private readonly polls = new Map<string, Poll>();
  private refused = false;
  private readonly jwt = new JwtService({});

  get path(): string {
    return `/chatbot/v2/webhook/${this.streamId}${this.hookInstance ? `/hookInstance/${this.hookInstance}` : ''}`;
  }

  get webhookUrl(): string {
    return `${this.origin}${this.path}`;
  }

  refuseCredentials(): void {
    this.refused = true;
  }

  /** What the bot answers to a message (exact text, a pattern, or a test); the latest matching script wins. */
  on(match: string | RegExp | ((text: string) => boolean), script: KoreScript | ((text: string) => KoreScript)): this {
    const test = typeof match === 'string' ? (t: string) => t === match : match instanceof RegExp ? (t: string) => match.test(t) : match;
    this.scripts.unshift({ match: test, script });
    return this;
  }

  /** The requests that carried a customer message (POSTs of type text). */
  messagePosts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && (r.body as { message?: { type?: string } })?.message?.type === 'text');
  }

  protected route(req: RecordedRequest): FakeReply | undefined {
    const pathOnly = req.path.split('?')[0]!;
    if (req.method === 'POST' && pathOnly === this.path) return this.message(req);
    const poll = /^(.*)\/poll\/([^/]+)$/.exec(pathOnly);
    if (req.method === 'GET' && poll && poll[1] === this.path) return this.poll(req, decodeURIComponent(poll[2]!));
    return error(404, 'Not found');
  }

  /** The token's claims when Kore would accept it, else the 401 it answers. */
  private authorize(req: RecordedRequest, fromId?: string): { claims: KoreClaims } | { refused: FakeReply } {
    if (this.refused) return refused(401, 'Invalid access token');
    const m = /^bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m) return refused(401, 'Authorization header missing');
    let claims: KoreClaims;
    try {
      claims = this.jwt.verify<KoreClaims & object>(m[1]!, { secret: this.clientSecret, algorithms: ['HS256'] });
    } catch {
      return refused(401, 'invalid access token');
    }
    if (claims.appId !== this.clientId) return refused(401, 'Invalid Access Token');
    if (typeof claims.iat !== 'number' || claims.iat > Date.now() / 1000 + 60) return refused(401, 'Invalid access token');
    if (typeof claims.sub !== 'string' || !claims.sub) return refused(401, 'Invalid access token');
    if (fromId !== undefined && claims.userIdentity !== undefined && claims.userIdentity !== fromId) return refused(401, 'Invalid access token');
    this.claims.push(claims);
    return { claims };
  }

  private message(req: RecordedRequest): FakeReply {
    const body = req.body as { session?: { new?: unknown }; message?: { type?: unknown; val?: unknown }; from?: { id?: unknown } } | undefined;
    const fromId = body?.from?.id;
    const auth = this.authorize(req, typeof fromId === 'string' ? fromId : undefined);
    if ('refused' in auth) return auth.refused;
    const type = body?.message?.type;
    if (typeof fromId !== 'string' || !fromId || typeof type !== 'string' || !['text', 'event', 'template', 'formData'].includes(type) || body?.message?.val === undefined) {
      return error(400, 'Invalid payload');
    }
    if (body?.session?.new === true || !this.sessions.has(fromId)) this.sessions.set(fromId, { opened: Date.now(), messages: 0 });
    const session = this.sessions.get(fromId)!;
    if (type === 'event') {
      if (body.message!.val === 'SESSION_CLOSURE') {
        this.sessions.delete(fromId);
        return this.answer(fromId, { items: [{ type: 'event', eventType: 'SESSION_CLOSURE_SUCCESS', val: 'SESSION_CLOSURE_SUCCESS' }] });
      }
      if (body.message!.val === 'ON_CONNECT') return this.answer(fromId, { vals: ['Welcome! How can I help?'] });
      return this.answer(fromId, {});
    }
    session.messages++;
    const text = String(body.message!.val);
    const found = this.scripts.find((s) => s.match(text));
    const script = found ? (typeof found.script === 'function' ? found.script(text) : found.script) : { vals: [`You said: ${text}`] };
    return { ...this.answer(fromId, script), ...(script.delayMs ? { delayMs: script.delayMs } : {}) };
  }

  private answer(userId: string, s: KoreScript | KorePollBatch): FakeReply {
    const polls = 'polls' in s ? (s.polls ?? []) : [];
    const pollId = polls.length ? this.issuePoll(userId, polls[0]!, polls.slice(1)) : undefined;
    return {
      status: 200,
      body: {
        to: userId,
        from: this.streamId,
        data: data(s),
        _v: 'v2',
        // Kore's own sample pairs endOfTask:false with endReason "Fulfilled".
        endOfTask: s.endOfTask ?? false,
        endReason: 'endReason' in s && s.endReason ? s.endReason : 'Fulfilled',
        ...(s.completedTaskName ? { completedTaskId: `dg-${randomBytes(4).toString('hex')}`, completedTaskName: s.completedTaskName } : {}),
        ...(pollId ? { pollId } : {}),
      },
    };
  }

  private issuePoll(owner: string, batch: KorePollBatch, rest: KorePollBatch[]): string {
    const id = randomBytes(12).toString('hex');
    this.polls.set(id, { owner, batch, rest, issuedAt: Date.now(), inprogressLeft: batch.inprogress ?? 0, used: false });
    return id;
  }

  private poll(req: RecordedRequest, id: string): FakeReply {
    const auth = this.authorize(req);
    if ('refused' in auth) return auth.refused;
    const p = this.polls.get(id);
    if (!p || p.used || p.owner !== auth.claims.sub) return error(400, 'No data found');
    if (p.inprogressLeft > 0 || Date.now() - p.issuedAt < (p.batch.readyAfterMs ?? 0)) {
      p.inprogressLeft = Math.max(0, p.inprogressLeft - 1);
      return { status: 200, body: { status: 'Inprogress', pollId: id, _v: 'v2' } };
    }
    p.used = true;
    const next = p.rest.length ? this.issuePoll(p.owner, p.rest[0]!, p.rest.slice(1)) : undefined;
    return {
      status: 200,
      body: {
        to: p.owner,
        from: this.streamId,
        data: data(p.batch),
        _v: 'v2',
        endOfTask: p.batch.endOfTask ?? false,
        ...(p.batch.completedTaskName ? { completedTaskName: p.batch.completedTaskName } : {}),
        ...(next ? { pollId: next } : {}),
      },
    };
  }
}

function data(s: { vals?: unknown[]; items?: Record<string, unknown>[] }): Record<string, unknown>[] {
  const at = new Date().toISOString();
  return [
    ...(s.vals ?? []).map((val) => ({ type: 'text', val, createdOn: at, messageId: `ms-${randomBytes(6).toString('hex')}` })),
    ...(s.items ?? []),
  ];
}

const refused = (status: number, msg: string) => ({ refused: error(status, msg) });

function error(status: number, msg: string): FakeReply {
  return { status, body: { errors: [{ msg, code: status }], _v: 'v2', _t: `RTM-TRACE-${randomBytes(4).toString('hex')}` } };
}

/** Kore message templates as bots print them (bot-backends §1), for the specs and the e2e suite. */
export const KoreTemplates = {
  quickReplies: {
    type: 'template',
    payload: {
      template_type: 'quick_replies',
      text: 'Which account?',
      quick_replies: [
        { content_type: 'text', title: 'Checking', payload: 'acct_checking', image_url: 'https://cdn.example.com/checking.png' },
        { content_type: 'text', title: 'Savings' },
        { content_type: 'location', title: 'Send location' },
      ],
    },
  },
  /** As a JSON string with Kore's stray spaces in type and URL. */
  buttonJson: JSON.stringify({
    type: 'template',
    payload: {
      template_type: ' button',
      text: 'Pay your bill?',
      buttons: [
        { type: ' postback', title: 'Pay now', payload: 'pay_now' },
        { type: 'web_url', title: 'See bill', url: ' https://bank.example.com/bill' },
        { type: 'phone_number', title: 'Call us', payload: '+15550100' },
      ],
    },
  }),
  /** As an HTML-escaped JSON string, as some Kore script nodes deliver it. */
  carouselEscaped: JSON.stringify({
    type: 'template',
    payload: {
      template_type: 'carousel',
      elements: [
        { title: 'Gold card', subtitle: 'Travel & more', image_url: 'https://cdn.example.com/gold.png', default_action: { type: 'web_url', url: 'https://bank.example.com/gold' }, buttons: [{ type: 'postback', title: 'Apply', payload: 'apply_gold' }] },
        { title: 'Silver card', subtitle: 'Everyday', image_url: 'https://cdn.example.com/silver.png', buttons: [{ type: 'web_url', title: 'Details', url: 'https://bank.example.com/silver' }] },
      ],
    },
  })
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;'),
  list: {
    type: 'template',
    payload: {
      template_type: 'list',
      text: 'Recent transactions',
      elements: [
        { title: 'Coffee', subtitle: '$3.50' },
        { title: 'Books', subtitle: '$24.00' },
      ],
      buttons: [{ type: 'postback', title: 'View more', payload: 'more_tx' }],
    },
  },
  image: { type: 'image', payload: { url: 'https://cdn.example.com/statement.png' } },
  video: { type: 'video', payload: { url: 'https://cdn.example.com/howto.mp4' } },
  audioMessage: { type: 'message', payload: { text: 'Listen to this', audioUrl: 'https://cdn.example.com/hello.mp3' } },
  agentTransfer: { type: 'template', payload: { template_type: 'agent_transfer', text: 'Let me get a colleague.', queue: 'Billing', reason: 'dispute', summary: 'Customer disputes a charge of $24.00' } },
  table: { type: 'template', payload: { template_type: 'table', text: 'Your limits', columns: [['Kind'], ['Limit']], elements: [{ title: 'ATM', Values: ['ATM', '500'] }, { title: 'POS', Values: ['POS', '2000'] }] } },
} as const;
