import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from '@app/secrets';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { BOT_CONNECTOR_JWT_SERVICE, createBotConnectorJwtService } from './bot-connector-jwt.provider.js';
import {
  BOT_CONNECTOR_CLOCK_SKEW_SECONDS,
  BOT_CONNECTOR_JWT_ALGORITHM,
  MAX_BOT_CONNECTOR_TOKEN_LENGTH,
  MAX_NUMERIC_DATE_SECONDS,
} from './bot-connector-token.constants.js';
import { type JsonObject, parseJsonObjectSegment } from './strict-jose.js';

/** Why a credential was refused. Meant for logs and metrics; the HTTP answer should not reveal it. */
export type TokenRejection =
  | 'missing'
  | 'malformed_header'
  | 'too_large'
  | 'malformed_token'
  | 'unsupported_alg'
  | 'bad_signature'
  | 'app_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_claims';

/** Claims of a verified token. Only appId/iss and the time claims are checked; the rest is passed through. */
export interface BotConnectorClaims {
  readonly appId?: string;
  readonly iss?: string;
  readonly iat?: number;
  readonly exp?: number;
  readonly nbf?: number;
  readonly [claim: string]: unknown;
}

/** The part of a channel the verifier needs. */
export interface BotConnectorApp {
  clientId: string;
  /** Every currently accepted secret; during rotation the old and the new one. */
  clientSecrets: readonly string[];
}

/** `fingerprint` is the first 8 hex digits of sha256(token): enough to correlate log lines, useless to replay. */
export type TokenVerification =
  | { ok: true; claims: BotConnectorClaims; fingerprint: string }
  | { ok: false; reason: TokenRejection; fingerprint?: string };

/** What `readBearer` makes of an Authorization header before any channel is known. */
export type BearerHeader = { ok: true; token: string } | { ok: false; reason: Extract<TokenRejection, 'missing' | 'malformed_header' | 'too_large'> };

// RFC 7235 credentials: scheme, 1*SP, one token68. Anything else (tabs, a second token) is not one credential.
const CREDENTIALS = /^(\S+) +(\S+)$/;
const BASE64URL_OR_EMPTY = /^[A-Za-z0-9_-]*$/;
/** An HS256 MAC is 32 bytes, which unpadded base64url spells in exactly 43 characters. */
const HS256_SIGNATURE_LENGTH = 43;
/** The whole header may carry the scheme and some padding around the token, but not much more. */
const MAX_HEADER_LENGTH = MAX_BOT_CONNECTOR_TOKEN_LENGTH + 256;

/** First 8 hex digits of sha256(token), the only form in which a token may appear in logs. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8);
}

/**
 * Checks the `Authorization: bearer <JWT>` credential Genesys sends on every Bot Connector turn.
 *
 * jsonwebtoken (through JwtService) does the HMAC; everything it is lenient about is refused first:
 * size, encoding, duplicate keys, algorithm, `crit`, claim types. Header fields that name keys
 * (`kid`, `jku`, `x5u`, `jwk`, `x5c`) are never read, so they cannot steer the key or cause a fetch.
 */
@Injectable()
export class BotConnectorTokenVerifier {
  private readonly jwt: JwtService;

  constructor(@Optional() @Inject(BOT_CONNECTOR_JWT_SERVICE) jwt?: JwtService) {
    this.jwt = jwt ?? createBotConnectorJwtService();
  }

  /** `now` is epoch milliseconds (defaults to Date.now()). */
  verify(authorizationHeader: string | undefined, app: BotConnectorApp, now?: number): TokenVerification {
    const bearer = this.readBearer(authorizationHeader);
    return bearer.ok ? this.verifyToken(bearer.token, app, now) : bearer;
  }

  /**
   * The token of a `bearer <token>` header, or why there is none. Needs no channel, so a caller
   * can refuse a header that is absent or of the wrong shape before anything is looked up.
   */
  readBearer(authorizationHeader: string | undefined): BearerHeader {
    if (authorizationHeader === undefined || authorizationHeader === null) return { ok: false, reason: 'missing' };
    // Typed callers can't do this, but a raw header map can hand us an array.
    if (typeof authorizationHeader !== 'string') return { ok: false, reason: 'malformed_header' };
    if (authorizationHeader.length > MAX_HEADER_LENGTH) return { ok: false, reason: 'too_large' };

    const value = authorizationHeader.trim();
    if (value === '') return { ok: false, reason: 'missing' };
    const credentials = CREDENTIALS.exec(value);
    if (!credentials || credentials[1].toLowerCase() !== 'bearer') return { ok: false, reason: 'malformed_header' };

    const token = credentials[2];
    if (token.length > MAX_BOT_CONNECTOR_TOKEN_LENGTH) return { ok: false, reason: 'too_large' };
    return { ok: true, token };
  }

  /** A token from `readBearer`, checked against the app's id and secrets. */
  verifyToken(token: string, app: BotConnectorApp, now?: number): TokenVerification {
    const fingerprint = tokenFingerprint(token);
    const outcome = this.check(token, app, nowSeconds(now));
    return typeof outcome === 'string'
      ? { ok: false, reason: outcome, fingerprint }
      : { ok: true, claims: outcome, fingerprint };
  }

  private check(token: string, app: BotConnectorApp, nowSec: number): BotConnectorClaims | TokenRejection {
    const segments = token.split('.');
    // 5 segments is JWE, 2 is a bare payload: neither is something we issued.
    if (segments.length !== 3) return 'malformed_token';
    const [headerSegment, payloadSegment, signatureSegment] = segments;

    const header = parseJsonObjectSegment(headerSegment);
    if (!header) return 'malformed_token';
    if (!Object.hasOwn(header, 'alg') || header.alg !== BOT_CONNECTOR_JWT_ALGORITHM) return 'unsupported_alg';
    // RFC 7515 §4.1.11: a critical extension we do not implement means the token must not be accepted.
    if (Object.hasOwn(header, 'crit')) return 'malformed_token';

    const payload = parseJsonObjectSegment(payloadSegment);
    if (!payload) return 'malformed_token';
    if (!BASE64URL_OR_EMPTY.test(signatureSegment)) return 'malformed_token';

    const signatureFailure = this.verifySignature(token, signatureSegment, app.clientSecrets);
    if (signatureFailure) return signatureFailure;

    return checkClaims(payload, app.clientId, nowSec);
  }

  private verifySignature(
    token: string,
    signatureSegment: string,
    secrets: readonly string[],
  ): TokenRejection | undefined {
    // A stripped or truncated MAC cannot match any secret; no need to spend HMACs on it.
    if (signatureSegment.length !== HS256_SIGNATURE_LENGTH) return 'bad_signature';

    let matched = false;
    let failure: TokenRejection = 'bad_signature';
    // Every secret is tried even after a match, so response time does not tell which secret is live.
    for (const secret of secrets) {
      // An empty secret would make JwtService fall back to module-level key options.
      if (typeof secret !== 'string' || secret.length === 0) continue;
      try {
        this.jwt.verify(token, {
          // A KeyObject, not the string: jsonwebtoken first tries a string as a PEM public key,
          // which throws and costs ~0.3 ms per check; with a secret KeyObject it costs ~5 µs.
          secret: secretKeyFor(secret) as unknown as string,
          algorithms: [BOT_CONNECTOR_JWT_ALGORITHM],
          // Time claims are validated by checkClaims, which also rejects values jsonwebtoken accepts (1e20, negatives).
          ignoreExpiration: true,
          ignoreNotBefore: true,
        });
        matched = true;
      } catch (err) {
        failure = classifyLibraryError(err);
      }
    }
    return matched ? undefined : failure;
  }
}

const SECRET_KEY_CACHE_MAX = 1024;
const secretKeys = new Map<string, KeyObject>();

function secretKeyFor(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    // Bounded: secrets come from channel config, but rotations over a long uptime must not grow it forever.
    if (secretKeys.size >= SECRET_KEY_CACHE_MAX) secretKeys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}

function checkClaims(payload: JsonObject, clientId: string, nowSec: number): BotConnectorClaims | TokenRejection {
  const exp = readNumericDate(payload, 'exp');
  const nbf = readNumericDate(payload, 'nbf');
  const iat = readNumericDate(payload, 'iat');
  if (exp === null || nbf === null || iat === null) return 'invalid_claims';

  // Kore-style tokens name the app in appId; plain JWT tooling tends to put it in iss.
  const appClaim = Object.hasOwn(payload, 'appId') ? 'appId' : Object.hasOwn(payload, 'iss') ? 'iss' : undefined;
  if (!appClaim) return 'invalid_claims';
  const claimedApp = payload[appClaim];
  if (typeof claimedApp !== 'string') return 'invalid_claims';
  if (clientId.length === 0 || !constantTimeEqual(claimedApp, clientId)) return 'app_mismatch';

  if (exp !== undefined && nowSec >= exp + BOT_CONNECTOR_CLOCK_SKEW_SECONDS) return 'expired';
  if (nbf !== undefined && nbf > nowSec + BOT_CONNECTOR_CLOCK_SKEW_SECONDS) return 'not_yet_valid';

  return Object.freeze({ ...payload }) as BotConnectorClaims;
}

/** undefined when absent, null when present but not a plausible NumericDate. */
function readNumericDate(payload: JsonObject, claim: 'exp' | 'nbf' | 'iat'): number | undefined | null {
  if (!Object.hasOwn(payload, claim)) return undefined;
  const value = payload[claim];
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (value < 0 || value > MAX_NUMERIC_DATE_SECONDS) return null;
  return value;
}

function nowSeconds(now: number | undefined): number {
  const ms = typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
  return ms / 1000;
}


/**
 * Our pre-checks already refuse what jsonwebtoken would call malformed or of the wrong algorithm, so
 * these branches only matter if the two ever disagree; anything unrecognised counts as a failed signature.
 */
function classifyLibraryError(err: unknown): TokenRejection {
  const message = err instanceof Error ? err.message : '';
  if (message === 'invalid algorithm') return 'unsupported_alg';
  if (message === 'jwt malformed' || message === 'invalid token') return 'malformed_token';
  return 'bad_signature';
}
