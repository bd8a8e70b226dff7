/**
 * Configuration of the in-memory Genesys Cloud emulator. Everything the tests need to vary is
 * here, so a test describes the org it talks to instead of patching the server.
 */

/** The OAuth grants a Genesys OAuth client can be enabled for (the ones the gateway uses). */
export type EmulatorGrant = 'authorization_code' | 'client_credentials';

export interface EmulatorClient {
  /** The OAuth client id (Genesys shows a UUID; any non-empty string works here). */
  id: string;
  secret: string;
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
  /** Clock in ms, injectable so tests can expire tokens without sleeping. */
  now?: () => number;
}

export interface ResolvedEmulatorOptions {
  clients: Map<string, EmulatorClient>;
  organization: { id: string; name: string };
  user: { id: string; name: string };
  consent: 'approve' | 'deny';
  accessTokenLifetimeSeconds: number;
  codeLifetimeSeconds: number;
  now: () => number;
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
    if (!c.secret) problems.push(`${at}.secret is required`);
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
  if (problems.length) throw new EmulatorOptionsError(problems);
  return {
    clients,
    organization: options.organization ?? { id: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924', name: 'Emulated Org' },
    user: options.user ?? { id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', name: 'Emulated Admin' },
    consent: options.consent ?? 'approve',
    accessTokenLifetimeSeconds,
    codeLifetimeSeconds,
    now: options.now ?? Date.now,
  };
}

function checkLifetime(name: string, v: number, problems: string[]): void {
  // Below Genesys's 300 s minimum on purpose: tests expire tokens in seconds.
  if (!Number.isInteger(v) || v < 1 || v > MAX_TOKEN_LIFETIME_S) problems.push(`${name} must be an integer in [1, ${MAX_TOKEN_LIFETIME_S}]`);
}
