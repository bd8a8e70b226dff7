import { FlowValidationError, resolveFlow, type ArchitectFlowDefinition, type ResolvedFlow } from './architect-flow.types.js';

/**
 * Configuration of the in-memory Genesys Cloud emulator. Everything the tests need to vary is
 * here, so a test describes the org it talks to instead of patching the server.
 */

/** The OAuth grants a Genesys OAuth client can be enabled for (the ones the gateway uses). */
export type EmulatorGrant = 'authorization_code' | 'client_credentials';

export interface EmulatorClient {
  /** The OAuth client id (Genesys shows a UUID; any non-empty string works here). */
  id: string;
  /**
   * With a secret the client is confidential (Genesys's Code Authorization and Client Credentials
   * clients): every token call must authenticate with HTTP Basic, PKCE or not. Without one it is
   * a public client (the SDKs' PKCE login): `client_id` in the form, code grant with PKCE only.
   */
  secret?: string;
  name?: string;
  /** Authorized redirect URIs; `/oauth/authorize` and the code exchange require an exact match. */
  redirectUris: string[];
  /** Scopes configured on the client (`architect`, `integrations`, `textbots`, …). */
  scopes: string[];
  /** Grants the client is enabled for; refresh tokens come with `authorization_code`. */
  grants: EmulatorGrant[];
  /** Overrides the emulator-wide access-token lifetime for this client. */
  accessTokenLifetimeSeconds?: number;
}

/** An installed Bot Connector integration (Admin > Integrations). */
export interface EmulatorIntegration {
  id: string;
  name: string;
  /** `botconnector` = Genesys Bot Connector (v1); `digital-botconnector` = Genesys Digital Bot Connector (v2). */
  type: 'botconnector' | 'digital-botconnector';
  /** Inactive integrations refuse outgoing messages (`integration.not.active`). Default true. */
  active?: boolean;
}

/** One entry of `GET /api/v2/ipranges` (PY-SDK `IpAddressRange`). */
export interface EmulatorIpRange {
  cidr: string;
  service: string;
  region: string;
  direction?: 'inbound' | 'outbound';
}

export const DEFAULT_V1_INTEGRATION_ID = 'demo-v1-integration';
export const DEFAULT_V2_INTEGRATION_ID = 'demo-v2-integration';

export const DEFAULT_INTEGRATIONS: readonly EmulatorIntegration[] = [
  { id: DEFAULT_V1_INTEGRATION_ID, name: 'Genesys Bot Connector (emulated)', type: 'botconnector', active: true },
  { id: DEFAULT_V2_INTEGRATION_ID, name: 'Genesys Digital Bot Connector (emulated)', type: 'digital-botconnector', active: true },
];

/**
 * Loopback for `bot-connector`, so a local gateway's source-IP allowlist built from this list
 * accepts the emulator's own calls. The other services use documentation ranges (RFC 5737 /
 * RFC 3849) so nothing real is ever allowlisted by accident.
 */
export const DEFAULT_IP_RANGES: readonly EmulatorIpRange[] = [
  { cidr: '127.0.0.0/8', service: 'bot-connector', region: 'local', direction: 'outbound' },
  { cidr: '::1/128', service: 'bot-connector', region: 'local', direction: 'outbound' },
  { cidr: '192.0.2.0/24', service: 'open-messaging', region: 'us-east-1', direction: 'outbound' },
  { cidr: '198.51.100.0/24', service: 'data-actions', region: 'us-east-1', direction: 'outbound' },
  { cidr: '203.0.113.0/24', service: 'audiohook', region: 'us-east-1', direction: 'outbound' },
  { cidr: '2001:db8::/32', service: 'api', region: 'us-east-1', direction: 'inbound' },
];

export interface EmulatorOptions {
  clients: EmulatorClient[];
  organization?: { id: string; name: string };
  /** The user who "logs in" at `/oauth/authorize`. */
  user?: { id: string; name: string };
  /** `approve` (default) redirects with a code; `deny` redirects with `error=access_denied`. */
  consent?: 'approve' | 'deny';
  /** Access-token lifetime (`expires_in`); Genesys's default is 86400 s. */
  accessTokenLifetimeSeconds?: number;
  /** Authorization codes are short-lived and single use. */
  codeLifetimeSeconds?: number;
  /** Clock in ms, injectable so tests can expire tokens and bot sessions without sleeping. */
  now?: () => number;
  /** Bot Connector integrations; default one active v1 (`demo-v1-integration`) and one v2 (`demo-v2-integration`). */
  integrations?: EmulatorIntegration[];
  /** `GET /api/v2/ipranges` entries; default DEFAULT_IP_RANGES. */
  ipRanges?: EmulatorIpRange[];
  /**
   * Genesys requires a token for `/api/v2/ipranges` but no permission (reference §2.1 says "no
   * permission needed"); the emulator answers without one by default so a gateway can fetch the
   * list before it has OAuth set up. Set true to demand a bearer token.
   */
  ipRangesRequireAuth?: boolean;
  /** Architect flows registered at start (same shape as `POST /emulator/flows`). */
  flows?: ArchitectFlowDefinition[];
  /**
   * Success status of `POST /api/v2/conversations/messages/agentless`. Default 202: the public
   * swagger text for it reads "successful operation" (usually 200), which could not be confirmed;
   * 202 makes a client that insists on 200 fail here rather than in production.
   */
  agentlessSuccessStatus?: 200 | 202;
  /**
   * Longest participant attribute value accepted by the PATCH attributes API. Default 256: the
   * only Genesys figure found is Architect's limit for bot flows (Set Participant Data help page).
   */
  participantAttributeMaxValueLength?: number;
}

export interface ResolvedEmulatorOptions {
  clients: Map<string, EmulatorClient>;
  organization: { id: string; name: string };
  user: { id: string; name: string };
  consent: 'approve' | 'deny';
  accessTokenLifetimeSeconds: number;
  codeLifetimeSeconds: number;
  now: () => number;
  integrations: Map<string, Required<EmulatorIntegration>>;
  ipRanges: EmulatorIpRange[];
  ipRangesRequireAuth: boolean;
  flows: ResolvedFlow[];
  agentlessSuccessStatus: 200 | 202;
  participantAttributeMaxValueLength: number;
}

export class EmulatorOptionsError extends Error {
  constructor(problems: string[]) {
    super(`Invalid Genesys emulator options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EmulatorOptionsError';
  }
}

const MAX_TOKEN_LIFETIME_S = 172_800; // Genesys caps accessTokenValiditySeconds at 48 h.

/** Validates the options once, listing every problem, so a broken test setup fails loudly and early. */
export function resolveEmulatorOptions(options: EmulatorOptions): ResolvedEmulatorOptions {
  const problems: string[] = [];
  const clients = new Map<string, EmulatorClient>();
  if (!Array.isArray(options.clients) || options.clients.length === 0) problems.push('clients: at least one OAuth client is required');
  for (const [i, c] of (options.clients ?? []).entries()) {
    const at = `clients[${i}]`;
    if (!c.id) problems.push(`${at}.id is required`);
    if (c.secret !== undefined && !c.secret) problems.push(`${at}.secret must not be empty (leave it out for a public client)`);
    if (c.secret === undefined && c.grants?.includes('client_credentials')) problems.push(`${at}: the client_credentials grant needs a secret`);
    if (clients.has(c.id)) problems.push(`${at}.id "${c.id}" is registered twice`);
    for (const uri of c.redirectUris ?? []) {
      try {
        new URL(uri);
      } catch {
        problems.push(`${at}.redirectUris: "${uri}" is not an absolute URL`);
      }
    }
    if (!c.grants?.length) problems.push(`${at}.grants: at least one grant is required`);
    if (c.grants?.includes('authorization_code') && !c.redirectUris?.length) problems.push(`${at}: the authorization_code grant needs at least one redirect URI`);
    if (c.accessTokenLifetimeSeconds !== undefined) checkLifetime(`${at}.accessTokenLifetimeSeconds`, c.accessTokenLifetimeSeconds, problems);
    clients.set(c.id, { ...c, redirectUris: [...(c.redirectUris ?? [])], scopes: [...(c.scopes ?? [])], grants: [...(c.grants ?? [])] });
  }
  const accessTokenLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 86_400;
  checkLifetime('accessTokenLifetimeSeconds', accessTokenLifetimeSeconds, problems);
  const codeLifetimeSeconds = options.codeLifetimeSeconds ?? 60;
  if (!(codeLifetimeSeconds > 0 && codeLifetimeSeconds <= 600)) problems.push('codeLifetimeSeconds must be in (0, 600]');
  if (options.consent !== undefined && options.consent !== 'approve' && options.consent !== 'deny') problems.push('consent must be "approve" or "deny"');
  const integrations = new Map<string, Required<EmulatorIntegration>>();
  for (const [i, integ] of (options.integrations ?? DEFAULT_INTEGRATIONS).entries()) {
    const at = `integrations[${i}]`;
    if (!integ.id) problems.push(`${at}.id is required`);
    if (integrations.has(integ.id)) problems.push(`${at}.id "${integ.id}" is registered twice`);
    if (integ.type !== 'botconnector' && integ.type !== 'digital-botconnector') problems.push(`${at}.type must be "botconnector" or "digital-botconnector"`);
    integrations.set(integ.id, { id: integ.id, name: integ.name || integ.id, type: integ.type, active: integ.active ?? true });
  }
  const ipRanges = (options.ipRanges ?? DEFAULT_IP_RANGES).map((r) => ({ ...r }));
  for (const [i, r] of ipRanges.entries()) {
    if (!r.cidr || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(r.cidr)) problems.push(`ipRanges[${i}].cidr "${r.cidr}" is not a CIDR`);
    if (!r.service) problems.push(`ipRanges[${i}].service is required`);
  }
  const flows: ResolvedFlow[] = [];
  for (const [i, def] of (options.flows ?? []).entries()) {
    try {
      flows.push(resolveFlow(def, integrations));
    } catch (e) {
      if (!(e instanceof FlowValidationError)) throw e;
      for (const d of e.details) problems.push(`flows[${i}].${d.fieldName}: ${d.errorMessage}`);
    }
  }
  const agentlessSuccessStatus = options.agentlessSuccessStatus ?? 202;
  if (agentlessSuccessStatus !== 200 && agentlessSuccessStatus !== 202) problems.push('agentlessSuccessStatus must be 200 or 202');
  const participantAttributeMaxValueLength = options.participantAttributeMaxValueLength ?? 256;
  if (!Number.isInteger(participantAttributeMaxValueLength) || participantAttributeMaxValueLength < 1) problems.push('participantAttributeMaxValueLength must be a positive integer');
  if (problems.length) throw new EmulatorOptionsError(problems);
  return {
    clients,
    organization: options.organization ?? { id: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924', name: 'Emulated Org' },
    user: options.user ?? { id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', name: 'Emulated Admin' },
    consent: options.consent ?? 'approve',
    accessTokenLifetimeSeconds,
    codeLifetimeSeconds,
    now: options.now ?? Date.now,
    integrations,
    ipRanges,
    ipRangesRequireAuth: options.ipRangesRequireAuth ?? false,
    flows,
    agentlessSuccessStatus,
    participantAttributeMaxValueLength,
  };
}

function checkLifetime(name: string, v: number, problems: string[]): void {
  // Below Genesys's 300 s minimum on purpose: tests expire tokens in seconds.
  if (!Number.isInteger(v) || v < 1 || v > MAX_TOKEN_LIFETIME_S) problems.push(`${name} must be an integer in [1, ${MAX_TOKEN_LIFETIME_S}]`);
}
