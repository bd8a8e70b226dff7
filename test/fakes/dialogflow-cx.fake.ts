import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

/** What the fake agent answers to one text: parts of a `queryResult`, or a whole raw body (garbage tests). */
export type DialogflowAnswer = { queryResult: Record<string, unknown> } | { raw: unknown; status?: number } | { delayMs: number; queryResult?: Record<string, unknown> };

let sharedKeys: { privateKeyPem: string; publicKey: KeyObject } | undefined;
/** One RSA key pair per test process: generating one costs ~100 ms. */
export function testServiceAccountKeys(): { privateKeyPem: string; publicKey: KeyObject } {
  if (!sharedKeys) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    sharedKeys = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
  }
  return sharedKeys;
}

const rpc = (code: number, status: string, message: string): FakeReply => ({ status: code, body: { error: { code, message, status } } });
const DETECT = /^\/v3\/projects\/([^/]+)\/locations\/([^/]+)\/agents\/([^/]+)(?:\/environments\/([^/]+))?\/sessions\/([^/:]+):detectIntent$/;
const AGENT = /^\/v3\/projects\/([^/]+)\/locations\/([^/]+)\/agents\/([^/]+)(?:\/environments\/([^/]+))?$/;

/**
 * Google's side of the `dialogflow-cx` provider on loopback: the OAuth token endpoint, which
 * verifies the service account's RS256 assertion against the test key pair's public key and issues
 * bearer tokens, and Dialogflow CX's detectIntent and agents.get, which accept only those tokens.
 * What the agent answers is scripted by the input text (`answer()`); anything else is echoed.
 */
export class DialogflowCxFake extends FakeBackend {
  readonly projectId = 'gateway-test-project';
  readonly location = 'europe-west1';
  readonly agentId = '5b0c6a52-8a0e-4d35-9f3c-0f4c1e0a7d11';
  readonly environments = new Set(['2c1f7e9a-prod']);
  readonly clientEmail = 'genesys-gateway@gateway-test-project.iam.gserviceaccount.com';
  readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  /** Seconds a token lives (Google: 3599). */
  tokenTtlS = 3599;
  /** Tokens issued and still honoured. */
  readonly tokens = new Set<string>();
  /** Every assertion checked, with the verdict (a test can look at the claims). */
  readonly assertions: { claims: Record<string, unknown>; header: Record<string, unknown>; ok: boolean; why?: string }[] = [];
  private readonly answers = new Map<string, DialogflowAnswer>();
  private refused = false;
  private denied = false;

  constructor() {
    super();
    const keys = testServiceAccountKeys();
    this.privateKeyPem = keys.privateKeyPem;
    this.publicKey = keys.publicKey;
  }

  /** The channel config for this fake. */
  config(over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      projectId: this.projectId,
      location: this.location,
      agentId: this.agentId,
      apiEndpoint: this.origin,
      credentials: { client_email: this.clientEmail, private_key: this.privateKeyPem, token_uri: `${this.origin}/token` },
      ...over,
    };
  }

  /** Scripts the agent's answer to a text (case-insensitive, trimmed). */
  answer(text: string, answer: DialogflowAnswer): this {
    this.answers.set(text.trim().toLowerCase(), answer);
    return this;
  }

  /** From now on the key is refused (400 invalid_grant) and issued tokens are revoked (401). */
  refuseCredentials(): void {
    this.refused = true;
    this.tokens.clear();
  }

  /** Tokens are issued, but the account may not use the agent (403 PERMISSION_DENIED). */
  denyAccess(): void {
    this.denied = true;
  }

  /** Invalidates issued tokens without refusing the key (a token revoked early). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/token');
  }

  get detectRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(':detectIntent'));
  }

  protected route(req: RecordedRequest): FakeReply | Promise<FakeReply> | undefined {
    if (req.method === 'POST' && req.path === '/token') return this.token(req);
    const detect = req.method === 'POST' ? DETECT.exec(req.path) : null;
    if (detect) return this.detect(req, detect);
    const agent = req.method === 'GET' ? AGENT.exec(req.path) : null;
    if (agent) return this.agent(req, agent);
    return undefined;
  }

  private token(req: RecordedRequest): FakeReply {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return { status: 400, body: { error: 'invalid_request', error_description: 'form body expected' } };
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } };
    const why = this.checkAssertion(form.get('assertion') ?? '');
    if (why || this.refused) return { status: 400, body: { error: 'invalid_grant', error_description: why ?? 'Invalid JWT Signature.' } };
    const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return { body: { access_token: token, expires_in: this.tokenTtlS, token_type: 'Bearer' } };
  }

  /** RFC 7523 checks as Google makes them: RS256 over header.claims with the account's key, our audience, ≤ 1 h. */
  private checkAssertion(jwt: string): string | undefined {
    const parts = jwt.split('.');
    if (parts.length !== 3) return 'malformed assertion';
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return 'malformed assertion';
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    const why =
      header.alg !== 'RS256'
        ? 'alg must be RS256'
        : !verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2]!, 'base64url'))
          ? 'Invalid JWT Signature.'
          : claims.iss !== this.clientEmail
            ? 'iss is not the service account'
            : claims.aud !== `${this.origin}/token`
              ? 'aud is not the token endpoint'
              : !String(claims.scope ?? '').split(' ').some((s) => s === 'https://www.googleapis.com/auth/cloud-platform' || s === 'https://www.googleapis.com/auth/dialogflow')
                ? 'scope does not allow Dialogflow'
                : !(iat <= now + 60 && exp > now && exp - iat <= 3600)
                  ? 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe'
                  : undefined;
    this.assertions.push({ header, claims, ok: !why, ...(why ? { why } : {}) });
    return why;
  }

  private authorized(req: RecordedRequest): FakeReply | undefined {
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) return rpc(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    if (this.denied) return rpc(403, 'PERMISSION_DENIED', "Permission 'dialogflow.sessions.detectIntent' denied on resource (or it may not exist).");
    return undefined;
  }

  private knows(m: RegExpExecArray): FakeReply | undefined {
    const [, project, location, agent, environment] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
    if (project !== this.projectId || location !== this.location || agent !== this.agentId) return rpc(404, 'NOT_FOUND', `com.google.apps.framework.request.NotFoundException: No DesignTimeAgent found for project '${project}'.`);
    if (environment !== undefined && !this.environments.has(environment)) return rpc(404, 'NOT_FOUND', 'Environment not found.');
    return undefined;
  }

  private agent(req: RecordedRequest, m: RegExpExecArray): FakeReply {
    const refusal = this.authorized(req) ?? this.knows(m);
    if (refusal) return refusal;
    const name = `projects/${this.projectId}/locations/${this.location}/agents/${this.agentId}`;
    if (m[4]) return { body: { name: `${name}/environments/${m[4]}`, displayName: 'Production' } };
    return { body: { name, displayName: 'Gateway Test Agent', defaultLanguageCode: 'en', supportedLanguageCodes: ['de'], timeZone: 'Europe/Berlin' } };
  }

  private async detect(req: RecordedRequest, m: RegExpExecArray): Promise<FakeReply> {
    const refusal = this.authorized(req) ?? this.knows(m);
    if (refusal) return refusal;
    const sessionId = decodeURIComponent(m[5]!);
    if (sessionId.length > 36) return rpc(400, 'INVALID_ARGUMENT', 'Session id must not exceed 36 characters.');
    const body = req.body as { queryInput?: { text?: { text?: unknown }; event?: { event?: unknown }; languageCode?: unknown } } | undefined;
    const input = body?.queryInput;
    const text = input?.text?.text;
    if (!input || typeof input.languageCode !== 'string' || (typeof text !== 'string' && typeof input.event?.event !== 'string')) return rpc(400, 'INVALID_ARGUMENT', 'queryInput is required.');
    if (typeof text === 'string' && (text.length === 0 || text.length > 256)) return rpc(400, 'INVALID_ARGUMENT', 'Text length must be between 1 and 256 characters.');
    const said = typeof text === 'string' ? text : '';
    const answer = this.answers.get(said.trim().toLowerCase());
    if (answer && 'raw' in answer) return { status: answer.status ?? 200, body: answer.raw };
    if (answer && 'delayMs' in answer) await new Promise((r) => setTimeout(r, answer.delayMs).unref());
    const scripted = answer && 'queryResult' in answer ? answer.queryResult : undefined;
    const queryResult = {
      text: said,
      languageCode: input.languageCode,
      responseMessages: typeof text === 'string' ? [{ text: { text: [`echo: ${said}`] } }] : [{ text: { text: ['Are you still there?'] } }],
      intent: { name: `projects/${this.projectId}/locations/${this.location}/agents/${this.agentId}/intents/echo`, displayName: 'echo' },
      intentDetectionConfidence: 0.87,
      match: typeof text === 'string' ? { matchType: 'INTENT', confidence: 0.87 } : { matchType: 'NO_INPUT', event: 'sys.no-input-default' },
      currentPage: { displayName: 'Start Page' },
      parameters: {},
      ...scripted,
    };
    return { body: { responseId: `resp-${randomBytes(6).toString('hex')}`, queryResult } };
  }
}
