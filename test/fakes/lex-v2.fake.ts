import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';
import { sigV4Problem } from './sigv4-check.js';

/** What the fake bot answers to one text: parts of a RecognizeText response, or a raw body (garbage tests). */
export type LexAnswer =
  | { messages?: unknown[]; sessionState?: Record<string, unknown>; interpretations?: unknown[]; delayMs?: number }
  | { raw: unknown; status?: number; headers?: Record<string, string> };

const SESSION = /^\/bots\/([^/]+)\/botAliases\/([^/]+)\/botLocales\/([^/]+)\/sessions\/([^/]+?)(\/text)?$/;
const awsError = (status: number, type: string, message: string): FakeReply => ({ status, headers: { 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.deepsense.runtimeservice.v2/` }, body: { message } });

/**
 * Amazon Lex V2's runtime on loopback: RecognizeText and GetSession on their REST paths, every
 * request's SigV4 signature verified (sigv4-check.ts), errors in AWS's REST-JSON shape
 * (`x-amzn-ErrorType` + `{message}`), sessions with their attributes kept per session id. What the
 * bot answers is scripted by the input text (`answer()`); anything else is echoed.
 */
export class LexV2Fake extends FakeBackend {
  readonly region = 'eu-west-2';
  readonly botId = 'GWBOT12345';
  readonly botAliasId = 'GWALIAS678';
  readonly locales = new Set(['en_US', 'de_DE']);
  readonly accessKeyId = 'AKIAGATEWAYTEST0001';
  readonly secretAccessKey = 'lexFakeSecret/0123456789+abcdefghijklmnopqrs';
  sessionToken?: string;
  /** Session attributes per session id, as Lex keeps them. */
  readonly sessions = new Map<string, Record<string, string>>();
  /** Why each refused signature was refused. */
  readonly refusals: string[] = [];
  private readonly answers = new Map<string, LexAnswer>();
  private refused = false;
  private denied = false;

  config(over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      region: this.region,
      botId: this.botId,
      botAliasId: this.botAliasId,
      endpoint: this.origin,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey, ...(this.sessionToken ? { sessionToken: this.sessionToken } : {}) },
      ...over,
    };
  }

  answer(text: string, answer: LexAnswer): this {
    this.answers.set(text.trim().toLowerCase(), answer);
    return this;
  }

  /** From now on the access key is unknown (403 UnrecognizedClientException). */
  refuseCredentials(): void {
    this.refused = true;
  }

  /** The key is valid but its IAM policy does not allow the call (403 AccessDeniedException). */
  denyAccess(): void {
    this.denied = true;
  }

  get recognizeRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/text'));
  }

  protected async route(req: RecordedRequest): Promise<FakeReply | undefined> {
    const m = SESSION.exec(req.path);
    if (!m || !((req.method === 'POST' && m[5]) || (req.method === 'GET' && !m[5]))) return undefined;
    if (this.refused) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const problem = sigV4Problem({ ...req, raw: req.raw ?? '' }, { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey, sessionToken: this.sessionToken, region: this.region, service: 'lex' });
    if (problem) {
      this.refusals.push(problem);
      return awsError(403, 'InvalidSignatureException', problem);
    }
    if (this.denied) return awsError(403, 'AccessDeniedException', 'User is not authorized to perform: lex:RecognizeText on resource');
    const [, botId, aliasId, locale, rawSession] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
    if (botId !== this.botId || aliasId !== this.botAliasId) return awsError(404, 'ResourceNotFoundException', 'Could not find the bot alias.');
    if (!this.locales.has(locale!)) return awsError(404, 'ResourceNotFoundException', `Locale ${locale} is not built for this alias.`);
    const sessionId = rawSession!;
    if (!/^[0-9A-Za-z._:-]{2,100}$/.test(sessionId)) return awsError(400, 'ValidationException', '1 validation error detected: sessionId');
    if (req.method === 'GET') {
      const attributes = this.sessions.get(sessionId);
      if (!attributes) return awsError(404, 'ResourceNotFoundException', 'Session not found.');
      return { body: { sessionId, messages: [], interpretations: [], sessionState: { sessionAttributes: attributes } } };
    }
    return this.recognize(req, sessionId);
  }

  private async recognize(req: RecordedRequest, sessionId: string): Promise<FakeReply> {
    const body = req.body as { text?: unknown; sessionState?: { sessionAttributes?: Record<string, unknown> } } | undefined;
    if (typeof body?.text !== 'string' || body.text.length < 1 || body.text.length > 1024) return awsError(400, 'ValidationException', '1 validation error detected: text');
    const attributes = { ...(this.sessions.get(sessionId) ?? {}) };
    for (const [k, v] of Object.entries(body.sessionState?.sessionAttributes ?? {})) {
      if (typeof v !== 'string') return awsError(400, 'ValidationException', 'sessionAttributes values must be strings');
      attributes[k] = v;
    }
    const answer = this.answers.get(body.text.trim().toLowerCase());
    if (answer && 'raw' in answer) return { status: answer.status ?? 200, body: answer.raw, headers: answer.headers };
    if (answer?.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs).unref());
    const state = { ...(answer?.sessionState ?? {}) } as Record<string, unknown>;
    Object.assign(attributes, (state.sessionAttributes as Record<string, string> | undefined) ?? {});
    this.sessions.set(sessionId, attributes);
    const intentName = String((state.intent as { name?: string } | undefined)?.name ?? 'Echo');
    return {
      body: {
        sessionId,
        messages: answer?.messages ?? [{ contentType: 'PlainText', content: `echo: ${body.text}` }],
        sessionState: { dialogAction: { type: 'ElicitIntent' }, intent: { name: 'Echo', slots: {}, state: 'Fulfilled', confirmationState: 'None' }, ...state, sessionAttributes: attributes },
        interpretations: answer?.interpretations ?? [{ intent: { name: intentName, slots: {}, state: 'Fulfilled' }, nluConfidence: { score: 0.91 } }, { intent: { name: 'FallbackIntent' } }],
      },
    };
  }
}
