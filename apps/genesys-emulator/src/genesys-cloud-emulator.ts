import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AgentlessEmulator, type AgentlessMessage } from './agentless.emulator.js';
import { EmulatorHttpError, badCredentials } from './api-errors.js';
import { ArchitectFlowDriver, type CustomerInput, type FlowCall } from './architect-flow.driver.js';
import type { ResolvedFlow } from './architect-flow.types.js';
import { BotListEmulator, type BotListPut } from './bot-list.emulator.js';
import { ConversationStore, type ConversationView } from './conversations.emulator.js';
import { json, type EmulatorResponse } from './emulator-response.js';
import type { EmulatorClient, EmulatorOptions, ResolvedEmulatorOptions } from './emulator.options.js';
import { DEFAULT_V2_INTEGRATION_ID, resolveEmulatorOptions } from './emulator.options.js';
import { FaultSwitches, type InjectedFault } from './fault-switches.js';
import { OutgoingMessagesEmulator } from './outgoing-messages.emulator.js';

export type { EmulatorResponse } from './emulator-response.js';

/** One request as the emulator saw it, for assertions ("exactly one refresh call"). Never holds tokens. */
export interface EmulatorCall {
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  /** `grant_type` of a `/oauth/token` call. */
  grantType?: string;
  /** The client the call authenticated as or named (Basic user or `client_id`). */
  clientId?: string;
  /**
   * How a `/oauth/token` call identified its client: an HTTP Basic header, only a `client_id`
   * in the form (a public client), or neither. Lets a test check the wire form of an exchange.
   */
  clientAuth?: TokenClientAuth;
  /** Whether a `/oauth/token` call carried a `code_verifier` (never its value). */
  codeVerifier?: boolean;
  /** The OAuth `error` code answered, if any. */
  error?: string;
}

export type TokenClientAuth = 'basic' | 'client_id' | 'none';

/** OAuth 2.0 error codes answered by `/oauth/token` (RFC 6749 §5.2), the shape Genesys uses. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type';

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
  /** Set when the code was exchanged; a replay revokes what it produced (RFC 6749 §4.1.2). */
  familyId?: string;
}

interface FamilyRecord {
  clientId: string;
  revoked: boolean;
  scopes: string[];
}

interface RefreshRecord {
  familyId: string;
  used: boolean;
}

interface AccessRecord {
  clientId: string;
  familyId?: string;
  scopes: string[];
  expiresAt: number;
}

/** `emulator.openBotSession(...)`: a v2 bot session opened directly, as if a flow had called `/messages`. */
export interface OpenBotSessionRequest {
  botId?: string;
  botVersion?: string;
  /** Default: the flow's, else the first Digital Bot Connector integration. */
  integrationId?: string;
  languageCode?: string;
  botSessionTimeoutMinutes?: number;
  botSessionId?: string;
  conversationId?: string;
  /** Attach the session to a registered v2 flow so Complete/Failed take that flow's paths. */
  flowId?: string;
}

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The in-memory Genesys Cloud org: OAuth (login host), `/api/v2/tokens/me` and the Bot Connector
 * related Platform API (API host), plus an Architect flow driver that calls the gateway the way
 * Genesys does. This class owns the OAuth logic and the shared state; each API area lives in its
 * own class (bot lists, conversations, outgoing messages, agentless, flows) and controllers only
 * map HTTP onto them. Tokens are random opaque strings, as Genesys's are.
 */
export class GenesysCloudEmulator {
  readonly options: ResolvedEmulatorOptions;
  /** Every request to a Genesys path (not `/emulator/*`), in arrival order. */
  readonly calls: EmulatorCall[] = [];
  readonly botLists: BotListEmulator;
  readonly conversations: ConversationStore;
  readonly flows: ArchitectFlowDriver;
  readonly outgoing: OutgoingMessagesEmulator;
  readonly agentless: AgentlessEmulator;
  private readonly codes = new Map<string, CodeRecord>();
  private readonly families = new Map<string, FamilyRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private readonly faults = new FaultSwitches();

  constructor(options: EmulatorOptions) {
    this.options = resolveEmulatorOptions(options);
    const now = () => this.now();
    const integrations = this.options.integrations;
    this.botLists = new BotListEmulator(integrations, now);
    this.conversations = new ConversationStore(now, this.options.participantAttributeMaxValueLength);
    this.flows = new ArchitectFlowDriver({ now, integrations, botLists: this.botLists, conversations: this.conversations });
    this.outgoing = new OutgoingMessagesEmulator(integrations, this.conversations, this.flows, now);
    this.agentless = new AgentlessEmulator(now, this.options.agentlessSuccessStatus);
    for (const flow of this.options.flows) this.flows.registerFlow(flow);
  }

  // ---- switches for tests and developers ------------------------------------------------------

  setConsent(consent: 'approve' | 'deny'): void {
    this.options.consent = consent;
  }

  setAccessTokenLifetime(seconds: number): void {
    this.options.accessTokenLifetimeSeconds = seconds;
  }

  /** The next `count` requests under `pathPrefix` get 429 with `Retry-After: retryAfterSeconds` (never `/emulator/*`). */
  rateLimitNext(count: number, retryAfterSeconds = 1, pathPrefix = '/'): void {
    this.faults.rateLimitNext(count, retryAfterSeconds, pathPrefix);
  }

  /** The next `count` requests under `pathPrefix` get a 5xx `status` with a Genesys error body (never `/emulator/*`). */
  failNext(count: number, status = 503, pathPrefix = '/api/'): void {
    this.faults.failNext(count, status, pathPrefix);
  }

  /** Used by the request hook: the fault to answer for this path, if a switch is on. */
  takeFault(path: string): InjectedFault | undefined {
    return this.faults.take(path);
  }

  setIntegrationActive(integrationId: string, active: boolean): void {
    const integration = this.options.integrations.get(integrationId);
    if (!integration) throw new Error(`no integration ${integrationId}`);
    integration.active = active;
  }

  /** Clears the API call log and the flow driver's gateway calls. */
  clearCalls(): void {
    this.calls.length = 0;
    this.flows.flowCalls.length = 0;
  }

  /** Every call the flow driver made to the gateway. */
  get flowCalls(): FlowCall[] {
    return this.flows.flowCalls;
  }

  get agentlessMessages(): AgentlessMessage[] {
    return this.agentless.messages;
  }

  botListHistory(integrationId: string): BotListPut[] {
    return this.botLists.historyOf(integrationId);
  }

  // ---- Architect flows and conversations (what the dev API exposes) ---------------------------

  registerFlow(definition: unknown): ResolvedFlow {
    return this.flows.registerFlow(definition);
  }

  async startConversation(flowId: string, first?: CustomerInput, parameters?: Record<string, string>): Promise<ConversationView> {
    const conv = await this.flows.startConversation({ flowId, ...(first ? { input: first } : {}), ...(parameters ? { parameters } : {}) });
    return this.conversations.view(conv);
  }

  async sendCustomerMessage(conversationId: string, input: CustomerInput): Promise<ConversationView> {
    return this.conversations.view(await this.flows.sendCustomerMessage(conversationId, input));
  }

  /** The conversation as the dev API shows it; undefined if unknown. Applies a due session expiry first. */
  conversationView(conversationId: string): ConversationView | undefined {
    const conv = this.conversations.get(conversationId);
    if (!conv) return undefined;
    this.flows.expireIfDue(conv);
    return this.conversations.view(conv);
  }

  /**
   * Opens a Digital Bot Connector session directly, as if a flow had just called the bot's
   * `/messages`, so a test can exercise the outgoing-messages API without a flow or a gateway.
   */
  openBotSession(req: OpenBotSessionRequest = {}): { conversationId: string; botSessionId: string } {
    const flow = req.flowId ? this.flows.flow(req.flowId) : undefined;
    if (req.flowId && !flow) throw new EmulatorHttpError(404, 'not.found', `No flow "${req.flowId}"`);
    if (flow && flow.protocol !== 'v2') throw new EmulatorHttpError(400, 'bad.request', `Flow "${flow.id}" is a v1 flow; bot sessions for the outgoing API are v2 only`);
    const integrationId = req.integrationId ?? flow?.integrationId ?? [...this.options.integrations.values()].find((i) => i.type === 'digital-botconnector')?.id ?? DEFAULT_V2_INTEGRATION_ID;
    const integration = this.options.integrations.get(integrationId);
    if (!integration || integration.type !== 'digital-botconnector') throw new EmulatorHttpError(400, 'bad.request', `"${integrationId}" is not a Digital Bot Connector integration`);
    const botId = req.botId ?? flow?.botId;
    const botVersion = req.botVersion ?? flow?.botVersion;
    if (!botId || !botVersion) throw new EmulatorHttpError(400, 'bad.request', 'botId and botVersion are required (or a flowId)');
    const conv = this.conversations.create({
      ...(req.conversationId ? { conversationId: req.conversationId } : {}),
      ...(req.botSessionId ? { botSessionId: req.botSessionId } : {}),
      ...(flow ? { flowId: flow.id } : {}),
      protocol: 'v2',
      integrationId,
      botId,
      botVersion,
      languageCode: req.languageCode ?? flow?.languageCode ?? 'en-us',
      timeoutMinutes: req.botSessionTimeoutMinutes ?? flow?.botSessionTimeoutMinutes ?? 720,
    });
    return { conversationId: conv.id, botSessionId: conv.session.botSessionId };
  }

  // ---- Platform API authentication ------------------------------------------------------------

  /** Bearer token issued by this emulator and still valid; otherwise the 401 Genesys answers. */
  authorizeApi(authorization: string | undefined): { ok: true; clientId: string } | { ok: false; response: EmulatorResponse } {
    const rec = this.accessRecord(authorization);
    return rec ? { ok: true, clientId: rec.clientId } : { ok: false, response: badCredentials() };
  }

  ipRanges(authorization: string | undefined): EmulatorResponse {
    if (this.options.ipRangesRequireAuth && !this.accessRecord(authorization)) return badCredentials();
    return json(200, { entities: this.options.ipRanges.map((r) => ({ ...r })) });
  }

  callsTo(path: string, grantType?: string): EmulatorCall[] {
    return this.calls.filter((c) => c.path === path && (grantType === undefined || c.grantType === grantType));
  }

  // ---- GET /oauth/authorize -------------------------------------------------------------------

  authorize(q: Record<string, unknown>): EmulatorResponse {
    const clientId = str(q.client_id);
    const client = clientId ? this.options.clients.get(clientId) : undefined;
    // Without a known client and an exactly registered redirect URI there is nowhere safe to send
    // the browser: Genesys shows an error page instead of redirecting (open-redirect protection).
    if (!client) return errorPage(400, 'Unknown OAuth client', `No OAuth client "${clientId ?? ''}" exists in this organization.`);
    const redirectUri = str(q.redirect_uri);
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return errorPage(400, 'redirect_uri mismatch', `The redirect_uri "${redirectUri ?? ''}" is not one of the Authorized redirect URIs of client "${client.id}". It must match exactly.`);
    }
    const state = str(q.state);
    const back = (params: Record<string, string>): EmulatorResponse => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (state !== undefined) url.searchParams.set('state', state);
      return { kind: 'redirect', location: url.toString() };
    };
    if (str(q.response_type) !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be "code"' });
    if (!client.grants.includes('authorization_code')) return back({ error: 'unauthorized_client', error_description: 'client is not enabled for the Code Authorization grant' });
    const challenge = str(q.code_challenge);
    const method = str(q.code_challenge_method);
    if (challenge !== undefined || method !== undefined) {
      if (method !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
      if (!challenge || !S256_CHALLENGE.test(challenge)) return back({ error: 'invalid_request', error_description: 'code_challenge must be a base64url SHA-256 (43 characters)' });
    }
    if (this.options.consent === 'deny') return back({ error: 'access_denied', error_description: `${this.options.user.name} denied access to ${client.name ?? client.id}` });
    const code = randomToken(24);
    this.codes.set(code, { clientId: client.id, redirectUri, codeChallenge: challenge, expiresAt: this.now() + this.options.codeLifetimeSeconds * 1000, used: false });
    return back({ code });
  }

  // ---- POST /oauth/token ----------------------------------------------------------------------

  token(
    authorization: string | undefined,
    body: Record<string, unknown>,
  ): EmulatorResponse & { clientId?: string; grantType?: string; error?: string; clientAuth: TokenClientAuth; codeVerifier: boolean } {
    const grantType = str(body.grant_type);
    const auth = this.authenticate(authorization, body);
    const clientAuth: TokenClientAuth = /^\s*Basic\s/i.test(authorization ?? '') ? 'basic' : str(body.client_id) ? 'client_id' : 'none';
    const codeVerifier = str(body.code_verifier) !== undefined;
    const tag = <T extends EmulatorResponse>(r: T) => ({ ...r, grantType, clientId: auth.clientId, error: oauthErrorOf(r), clientAuth, codeVerifier });
    if ('error' in auth) return tag(auth.error);
    switch (grantType) {
      case 'authorization_code':
        return tag(this.codeGrant(auth.client, auth.basic, body));
      case 'refresh_token':
        return tag(this.refreshGrant(auth.client, body));
      case 'client_credentials':
        return tag(this.clientCredentialsGrant(auth.client, auth.basic));
      case undefined:
        return tag(oauthError(400, 'invalid_request', 'grant_type is required'));
      default:
        return tag(oauthError(400, 'unsupported_grant_type', `grant_type "${grantType}" is not supported`));
    }
  }

  /**
   * A client with a secret must prove it with Basic on every grant (RFC 6749 §3.2.1); a PKCE
   * verifier does not stand in for it, since whoever intercepts a code can also send a
   * `client_id`. Only a client without a secret (public) is named by `client_id` alone.
   * `basic` is true when the client authenticated, false for a public client.
   */
  private authenticate(authorization: string | undefined, body: Record<string, unknown>): { client: EmulatorClient; basic: boolean; clientId: string } | { error: EmulatorResponse; clientId?: string } {
    if (authorization !== undefined) {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
      const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
      const sep = decoded.indexOf(':');
      if (sep < 0) return { error: oauthError(401, 'invalid_client', 'malformed Basic authorization') };
      const id = decodeURIComponent(decoded.slice(0, sep));
      const secret = decodeURIComponent(decoded.slice(sep + 1));
      const client = this.options.clients.get(id);
      if (client && client.secret === undefined) {
        return { error: oauthError(401, 'invalid_client', `client "${id}" has no secret (public client): send client_id and code_verifier in the form, without Basic`), clientId: id };
      }
      if (!client || !safeEqual(client.secret!, secret)) return { error: oauthError(401, 'invalid_client', 'client authentication failed'), clientId: id };
      return { client, basic: true, clientId: id };
    }
    const id = str(body.client_id);
    const client = id ? this.options.clients.get(id) : undefined;
    if (!client) return { error: oauthError(401, 'invalid_client', 'client authentication failed'), clientId: id };
    if (client.secret !== undefined) {
      return {
        error: oauthError(401, 'invalid_client', `client "${id}" has a secret (confidential client): authenticate with HTTP Basic client_id:client_secret; a code_verifier does not replace client authentication`),
        clientId: id,
      };
    }
    return { client, basic: false, clientId: id! };
  }

  private codeGrant(client: EmulatorClient, basic: boolean, body: Record<string, unknown>): EmulatorResponse {
    if (!client.grants.includes('authorization_code')) return oauthError(400, 'unauthorized_client', 'client is not enabled for the Code Authorization grant');
    const code = str(body.code);
    const redirectUri = str(body.redirect_uri);
    if (!code || !redirectUri) return oauthError(400, 'invalid_request', 'code and redirect_uri are required');
    const rec = this.codes.get(code);
    if (!rec || rec.clientId !== client.id) return oauthError(400, 'invalid_grant', 'authorization code is invalid');
    if (rec.used) {
      // A replayed code means it leaked: revoke whatever its first use produced.
      if (rec.familyId) this.revokeFamily(rec.familyId);
      return oauthError(400, 'invalid_grant', 'authorization code was already used');
    }
    if (this.now() >= rec.expiresAt) {
      this.codes.delete(code);
      return oauthError(400, 'invalid_grant', 'authorization code expired');
    }
    if (rec.redirectUri !== redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one used at authorization');
    const verifier = str(body.code_verifier);
    if (rec.codeChallenge !== undefined) {
      if (!verifier || !PKCE_VERIFIER.test(verifier)) return oauthError(400, 'invalid_grant', 'code_verifier is required (43-128 unreserved characters)');
      if (s256(verifier) !== rec.codeChallenge) return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    } else if (!basic) {
      return oauthError(401, 'invalid_client', `client "${client.id}" has no secret (public client), so its codes must be requested with a PKCE code_challenge`);
    }
    rec.used = true;
    const familyId = randomToken(12);
    rec.familyId = familyId;
    this.families.set(familyId, { clientId: client.id, revoked: false, scopes: [...client.scopes] });
    return this.issue(client, familyId, client.scopes, true);
  }

  private refreshGrant(client: EmulatorClient, body: Record<string, unknown>): EmulatorResponse {
    const token = str(body.refresh_token);
    if (!token) return oauthError(400, 'invalid_request', 'refresh_token is required');
    const rec = this.refreshTokens.get(token);
    const family = rec ? this.families.get(rec.familyId) : undefined;
    if (!rec || !family || family.clientId !== client.id) return oauthError(400, 'invalid_grant', 'refresh token is invalid');
    if (family.revoked) return oauthError(400, 'invalid_grant', 'refresh token revoked');
    if (rec.used) {
      // Rotation reuse detection: an old refresh token came back, so one of the two holders is
      // not legitimate; the whole grant is revoked and the user must authorize again.
      this.revokeFamily(rec.familyId);
      return oauthError(400, 'invalid_grant', 'refresh token was already used; all tokens of this grant are revoked');
    }
    rec.used = true;
    return this.issue(client, rec.familyId, family.scopes, true);
  }

  private clientCredentialsGrant(client: EmulatorClient, basic: boolean): EmulatorResponse {
    if (!basic) return oauthError(401, 'invalid_client', 'client_credentials requires Basic client authentication');
    if (!client.grants.includes('client_credentials')) return oauthError(400, 'unauthorized_client', 'client is not enabled for the Client Credentials grant');
    // Scopes do not apply to client credentials (permissions come from roles), hence no scope.
    return this.issue(client, undefined, [], false);
  }

  private issue(client: EmulatorClient, familyId: string | undefined, scopes: string[], withRefresh: boolean): EmulatorResponse {
    const lifetime = client.accessTokenLifetimeSeconds ?? this.options.accessTokenLifetimeSeconds;
    const accessToken = randomToken(32);
    this.accessTokens.set(accessToken, { clientId: client.id, familyId, scopes, expiresAt: this.now() + lifetime * 1000 });
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'bearer', expires_in: lifetime };
    if (withRefresh && familyId) {
      const refreshToken = randomToken(32);
      this.refreshTokens.set(refreshToken, { familyId, used: false });
      body.refresh_token = refreshToken;
    }
    return { kind: 'json', status: 200, body, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } };
  }

  /**
   * What an org admin does by revoking the client's authorizations (or a user removing the app):
   * every grant of the client dies, with its access and refresh tokens. Returns how many.
   */
  revokeAuthorizations(clientId: string): number {
    let n = 0;
    for (const [id, family] of this.families) {
      if (family.clientId !== clientId || family.revoked) continue;
      this.revokeFamily(id);
      n++;
    }
    return n;
  }

  private revokeFamily(familyId: string): void {
    const family = this.families.get(familyId);
    if (family) family.revoked = true;
    for (const [t, a] of this.accessTokens) if (a.familyId === familyId) this.accessTokens.delete(t);
  }

  // ---- GET /api/v2/tokens/me ------------------------------------------------------------------

  tokensMe(authorization: string | undefined): EmulatorResponse {
    const rec = this.accessRecord(authorization);
    // Genesys's API error shape (not the OAuth one): message, code, status.
    if (!rec) return badCredentials();
    const client = this.options.clients.get(rec.clientId)!;
    return {
      kind: 'json',
      status: 200,
      body: {
        organization: { ...this.options.organization },
        homeOrganization: { ...this.options.organization },
        authorizedScope: [...rec.scopes],
        OAuthClient: { id: client.id, name: client.name ?? client.id },
      },
    };
  }

  private accessRecord(authorization: string | undefined): AccessRecord | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    const rec = m ? this.accessTokens.get(m[1]!) : undefined;
    return rec && this.now() < rec.expiresAt ? rec : undefined;
  }

  private now(): number {
    return this.options.now();
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function oauthError(status: 400 | 401, error: OAuthErrorCode, description: string): EmulatorResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="oauth"';
  return { kind: 'json', status, body: { error, error_description: description }, headers };
}

function oauthErrorOf(r: EmulatorResponse): string | undefined {
  if (r.kind === 'json' && r.status >= 400 && r.body && typeof r.body === 'object' && 'error' in r.body) return String((r.body as { error: unknown }).error);
  if (r.kind === 'redirect') return new URL(r.location).searchParams.get('error') ?? undefined;
  return undefined;
}

function errorPage(status: number, title: string, message: string): EmulatorResponse {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return { kind: 'html', status, html: `<!doctype html><html><head><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>` };
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Hash both sides first so the comparison takes the same time whatever the lengths. */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
