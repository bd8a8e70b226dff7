import { createHash, sign } from 'node:crypto';
import { BackendCredentialsError, PermanentBotError } from '../bot-provider.interface.js';
import type { BackendClient } from '../kit/backend-client.js';
import { jsonOf, throwForStatus } from '../kit/backend-client.js';
import { isObj, str } from '../kit/content.js';
import { GOOGLE_TOKEN_URI, privateKeyOf, type GoogleServiceAccountKey } from './dialogflow-cx.config.js';

export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Refresh this long before Google's expiry, so a token never dies between our check and its use. */
const REFRESH_MARGIN_MS = 60_000;
/** Google's maximum assertion lifetime. */
const ASSERTION_TTL_S = 3600;
const MAX_CACHED = 500;
const WHAT = 'Google’s token endpoint';
/** OAuth errors that mean "this key will not work", as opposed to a malformed request. */
const REFUSALS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied']);

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** The RS256 JWT a service account presents to the token endpoint (RFC 7523 bearer assertion). */
export function serviceAccountAssertion(key: GoogleServiceAccountKey, nowMs = Date.now()): string {
  const privateKey = privateKeyOf(key.private_key);
  // Checked at load; only a config that bypassed validation gets here.
  if (!privateKey) throw new BackendCredentialsError('Dialogflow CX: credentials.private_key is not an RSA private key');
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, scope: GOOGLE_SCOPE, aud: key.token_uri || GOOGLE_TOKEN_URI, iat, exp: iat + ASSERTION_TTL_S };
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${unsigned}.${b64url(sign('sha256', Buffer.from(unsigned), privateKey))}`;
}

interface Cached {
  token: string;
  expiresAt: number;
}

/**
 * Access tokens of service accounts, cached per key until a minute before they expire: a turn pays
 * for a token fetch about once an hour, not every time. Only successes are cached.
 */
export class GoogleTokenCache {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly client: BackendClient) {}

  async accessToken(key: GoogleServiceAccountKey, call: { signal: AbortSignal; timeoutMs: number }): Promise<string> {
    const id = cacheKey(key);
    const hit = this.cache.get(id);
    if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.token;
    const fetched = await this.fetch(key, call);
    this.cache.delete(id);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, fetched);
    return fetched.token;
  }

  /** Drops the cached token (Dialogflow said 401: revoked or expired early). */
  forget(key: GoogleServiceAccountKey): void {
    this.cache.delete(cacheKey(key));
  }

  private async fetch(key: GoogleServiceAccountKey, call: { signal: AbortSignal; timeoutMs: number }): Promise<Cached> {
    const started = Date.now();
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: serviceAccountAssertion(key, started) }).toString();
    const res = await this.client.request({
      method: 'POST',
      url: key.token_uri || GOOGLE_TOKEN_URI,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: call.signal,
      timeoutMs: call.timeoutMs,
      what: WHAT,
    });
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      let error: string | undefined;
      try {
        const parsed = JSON.parse(res.text) as unknown;
        // Only the OAuth error code: descriptions may quote the account.
        error = isObj(parsed) ? str(parsed.error)?.match(/^[a-z_]{1,40}$/)?.[0] : undefined;
      } catch {
        error = undefined;
      }
      if (res.status !== 400 || (error && REFUSALS.has(error))) {
        throw new BackendCredentialsError(
          `Google refused the service-account key (HTTP ${res.status}${error ? ` ${error}` : ''}): check that the key is current (not deleted or disabled), that client_email and private_key come from the same key file, and that this server’s clock is right`,
        );
      }
      throw new PermanentBotError(`${WHAT} answered HTTP 400${error ? ` ${error}` : ''}`);
    }
    throwForStatus(res, WHAT);
    const parsed = jsonOf(res, WHAT);
    const token = isObj(parsed) ? parsed.access_token : undefined;
    if (typeof token !== 'string' || !token || token.length > 8192 || /[\s\0]/.test(token)) throw new PermanentBotError(`${WHAT} answered without a usable access token`);
    const rawTtl = isObj(parsed) ? Number(parsed.expires_in) : NaN;
    const ttlS = Number.isFinite(rawTtl) && rawTtl > 0 ? Math.min(rawTtl, 24 * 3600) : ASSERTION_TTL_S;
    return { token, expiresAt: started + ttlS * 1000 };
  }
}

function cacheKey(key: GoogleServiceAccountKey): string {
  return createHash('sha256')
    .update(`${key.client_email}\0${key.token_uri || GOOGLE_TOKEN_URI}\0${key.private_key}`)
    .digest('base64url');
}
