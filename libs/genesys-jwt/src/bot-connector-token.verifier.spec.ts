import { createHash, createHmac, constants as cryptoConstants, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtService, type JwtVerifyOptions } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import {
  type BotConnectorApp,
  BotConnectorTokenVerifier,
  GenesysJwtModule,
  MAX_BOT_CONNECTOR_TOKEN_LENGTH,
  type TokenRejection,
  bearerCredential,
  mintBotConnectorToken,
} from './index.js';

/**
 * Malformed-JWT corpus, reference perf-reliability.md §3.8 items 1–11. Hostile tokens are built by
 * hand with node:crypto so nothing in the library under test helps produce them.
 */

// Fixed 43-character secrets (the shape generateClientSecret produces) keep failures reproducible.
const SECRET_A = 'q3J9vT0xWm2yB7cLr8Pz4KdN1sHf6UeA5gQ0iXoYtRw';
const SECRET_A_NEXT = 'Zk8Lm3Nq7Rs1Tv5Wx9Yb2Cd6Fg0Hj4Kp8Mn2Qr6St0';
const SECRET_A_RETIRED = 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3_-4a';
const SECRET_B = 'Pq9Rs8Tu7Vw6Xy5Za4Bc3De2Fg1Hi0Jk9Lm8No7Pq6R';
const ATTACKER_KEY = 'attacker-controlled-key-material-0123456789';

const APP_A: BotConnectorApp = { clientId: 'a1c5d1f2-6b7e-4a0c-9d3e-0f1a2b3c4d5e', clientSecrets: [SECRET_A] };
const APP_B: BotConnectorApp = { clientId: 'b7e0c2a4-1d3f-4e5a-8b6c-7d8e9f0a1b2c', clientSecrets: [SECRET_B] };
/** Channel B misconfigured with A's secret: only the appId check separates the two tenants. */
const APP_B_SHARING_A_SECRET: BotConnectorApp = { clientId: APP_B.clientId, clientSecrets: [SECRET_A] };
const APP_A_AFTER_ROTATION: BotConnectorApp = { clientId: APP_A.clientId, clientSecrets: [SECRET_A_NEXT] };
const APP_A_DURING_ROTATION: BotConnectorApp = { clientId: APP_A.clientId, clientSecrets: [SECRET_A, SECRET_A_NEXT] };

const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;

const HS256_HEADER = '{"alg":"HS256","typ":"JWT"}';

const enc = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** Signs the raw header/payload text as given, so duplicate keys, odd JSON and odd bytes survive. */
function hmacToken(
  header: string | Buffer,
  payload: string | Buffer,
  key: string | Buffer = SECRET_A,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  return signSegments(enc(header), enc(payload), key, hash);
}

function signSegments(
  headerSegment: string,
  payloadSegment: string,
  key: string | Buffer = SECRET_A,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

const claimsJson = (extra: Record<string, unknown> = {}, clientId = APP_A.clientId): string =>
  JSON.stringify({ appId: clientId, iat: NOW_S - 60, ...extra });

/** A token APP_A accepts; the starting point for most mutations. */
const validTokenA = (extra: Record<string, unknown> = {}): string => hmacToken(HS256_HEADER, claimsJson(extra));

function withHeader(token: string, header: string): string {
  const [, payload, signature] = token.split('.');
  return `${enc(header)}.${payload}.${signature}`;
}

function withSignature(token: string, signature: string): string {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${signature}`;
}

function flipSignatureBit(token: string): string {
  const bytes = Buffer.from(token.split('.')[2], 'base64url');
  bytes[7] ^= 0x01;
  return withSignature(token, bytes.toString('base64url'));
}

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets a trailing pad bit in the last character: same decoded bytes, different (non-canonical) text. */
function nonCanonical(segment: string): string {
  if (segment.length % 4 === 0) throw new Error('segment has no spare bits');
  const last = B64URL_ALPHABET.indexOf(segment[segment.length - 1]);
  return segment.slice(0, -1) + B64URL_ALPHABET[last ^ 1];
}

function standardBase64WithSlashOrPlus(text: string): string {
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.from(' '.repeat(shift) + text).toString('base64').replace(/=+$/, '');
    if (/[+/]/.test(encoded)) return encoded;
  }
  throw new Error('could not produce a + or / in standard base64');
}

/** Pads a claim until the token is just under (or over) a length, to probe the size cap with real signatures. */
function tokenOfLength(target: number, mode: 'atMost' | 'over'): string {
  let best = '';
  for (let pad = 0; ; pad++) {
    const token = validTokenA({ pad: 'x'.repeat(pad) });
    if (mode === 'over' && token.length > target) return token;
    if (mode === 'atMost') {
      if (token.length > target) return best;
      best = token;
    }
  }
}

// Real asymmetric tokens: a verifier that looked at the header to pick a key type would fall for these.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RSA_PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;

function asymmetricToken(alg: 'RS256' | 'ES256' | 'PS256'): string {
  const input = `${enc(JSON.stringify({ alg, typ: 'JWT' }))}.${enc(claimsJson())}`;
  const key =
    alg === 'RS256'
      ? rsa.privateKey
      : alg === 'ES256'
        ? { key: ec.privateKey, dsaEncoding: 'ieee-p1363' as const }
        : { key: rsa.privateKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  return `${input}.${cryptoSign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** Counts HMAC attempts, to prove structural rejections happen before any crypto. */
class CountingJwtService extends JwtService {
  calls = 0;
  override verify<T extends object = any>(token: string, options?: JwtVerifyOptions): T {
    this.calls++;
    return super.verify<T>(token, options);
  }
}

/** Reasons that must be decided without touching a secret. */
const PRE_CRYPTO_REASONS = new Set<TokenRejection>([
  'missing',
  'malformed_header',
  'too_large',
  'malformed_token',
  'unsupported_alg',
]);

// Canary for §3.8 item 9: jku/x5u point here and it must never see a connection.
let canary: Server;
let canaryConnections = 0;
let canaryUrl = '';

beforeAll(async () => {
  canary = createServer((_req, res) => res.end('{"keys":[]}'));
  canary.on('connection', () => {
    canaryConnections++;
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => canary.close(() => resolve()));
});

interface RejectCase {
  item: number;
  name: string;
  /** Lazy: some headers need the canary's port, known only after beforeAll. */
  authorization: () => string | undefined;
  app?: BotConnectorApp;
  reason: TokenRejection;
}

const bearer = (token: string): string => `bearer ${token}`;

const REJECT_CASES: RejectCase[] = [
  // 1. Authorization header shape
  { item: 1, name: 'no Authorization header', authorization: () => undefined, reason: 'missing' },
  { item: 1, name: 'empty value', authorization: () => '', reason: 'missing' },
  { item: 1, name: 'whitespace-only value', authorization: () => '   \t ', reason: 'missing' },
  { item: 1, name: '"bearer" with no token', authorization: () => 'bearer', reason: 'malformed_header' },
  { item: 1, name: '"bearer " with trailing spaces only', authorization: () => 'bearer    ', reason: 'malformed_header' },
  { item: 1, name: 'Basic scheme with user:pass', authorization: () => `Basic ${enc('user:pass')}`, reason: 'malformed_header' },
  { item: 1, name: 'Basic scheme carrying a valid JWT', authorization: () => `Basic ${validTokenA()}`, reason: 'malformed_header' },
  { item: 1, name: 'Token scheme carrying a valid JWT', authorization: () => `Token ${validTokenA()}`, reason: 'malformed_header' },
  { item: 1, name: 'JWT without a scheme', authorization: () => validTokenA(), reason: 'malformed_header' },
  { item: 1, name: '"Bearer:" with a colon', authorization: () => `Bearer: ${validTokenA()}`, reason: 'malformed_header' },
  { item: 1, name: 'two tokens', authorization: () => `bearer ${validTokenA()} ${validTokenA()}`, reason: 'malformed_header' },
  { item: 1, name: 'tab between scheme and token', authorization: () => `bearer\t${validTokenA()}`, reason: 'malformed_header' },

  // 2. alg none, with the signature removed and with the original one kept
  ...(['none', 'None', 'NONE', 'nOnE'] as const).flatMap((alg): RejectCase[] => [
    {
      item: 2,
      name: `alg "${alg}" with empty signature`,
      authorization: () => bearer(withSignature(withHeader(validTokenA(), JSON.stringify({ alg, typ: 'JWT' })), '')),
      reason: 'unsupported_alg',
    },
    {
      item: 2,
      name: `alg "${alg}" with the original signature kept`,
      authorization: () => bearer(withHeader(validTokenA(), JSON.stringify({ alg, typ: 'JWT' }))),
      reason: 'unsupported_alg',
    },
  ]),

  // 3. algorithms other than HS256, including key confusion
  {
    item: 3,
    name: 'HS384 signed with the right secret',
    authorization: () => bearer(hmacToken('{"alg":"HS384","typ":"JWT"}', claimsJson(), SECRET_A, 'sha384')),
    reason: 'unsupported_alg',
  },
  {
    item: 3,
    name: 'HS512 signed with the right secret',
    authorization: () => bearer(hmacToken('{"alg":"HS512","typ":"JWT"}', claimsJson(), SECRET_A, 'sha512')),
    reason: 'unsupported_alg',
  },
  { item: 3, name: 'RS256 token', authorization: () => bearer(asymmetricToken('RS256')), reason: 'unsupported_alg' },
  { item: 3, name: 'ES256 token', authorization: () => bearer(asymmetricToken('ES256')), reason: 'unsupported_alg' },
  { item: 3, name: 'PS256 token', authorization: () => bearer(asymmetricToken('PS256')), reason: 'unsupported_alg' },
  {
    item: 3,
    name: 'RS256→HS256 confusion: HMAC keyed with the RSA public key PEM',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson(), RSA_PUBLIC_PEM)),
    reason: 'bad_signature',
  },
  { item: 3, name: 'alg missing', authorization: () => bearer(hmacToken('{"typ":"JWT"}', claimsJson())), reason: 'unsupported_alg' },
  { item: 3, name: 'alg in lower case "hs256"', authorization: () => bearer(hmacToken('{"alg":"hs256"}', claimsJson())), reason: 'unsupported_alg' },
  { item: 3, name: 'alg as an array ["HS256"]', authorization: () => bearer(hmacToken('{"alg":["HS256"]}', claimsJson())), reason: 'unsupported_alg' },

  // 4. signatures
  { item: 4, name: 'signature stripped (h.p.)', authorization: () => bearer(withSignature(validTokenA(), '')), reason: 'bad_signature' },
  { item: 4, name: 'signed with a wrong secret', authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson(), SECRET_B)), reason: 'bad_signature' },
  {
    item: 4,
    name: 'signed with a rotated-out secret',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson(), SECRET_A_RETIRED)),
    app: APP_A_AFTER_ROTATION,
    reason: 'bad_signature',
  },
  {
    item: 4,
    name: 'old secret after rotation completed',
    authorization: () => bearer(validTokenA()),
    app: APP_A_AFTER_ROTATION,
    reason: 'bad_signature',
  },
  {
    item: 4,
    name: 'valid signature, tampered payload',
    authorization: () => {
      const [header, , signature] = validTokenA().split('.');
      return bearer(`${header}.${enc(claimsJson({ role: 'admin' }))}.${signature}`);
    },
    reason: 'bad_signature',
  },
  {
    item: 4,
    name: 'signature borrowed from another valid token',
    authorization: () => bearer(withSignature(validTokenA({ n: 1 }), validTokenA({ n: 2 }).split('.')[2])),
    reason: 'bad_signature',
  },
  {
    item: 4,
    name: 'truncated signature',
    authorization: () => {
      const token = validTokenA();
      return bearer(withSignature(token, token.split('.')[2].slice(0, 40)));
    },
    reason: 'bad_signature',
  },
  { item: 4, name: 'bit-flipped signature', authorization: () => bearer(flipSignatureBit(validTokenA())), reason: 'bad_signature' },
  {
    item: 4,
    name: 'signature re-spelled with a non-canonical last character',
    authorization: () => {
      const token = validTokenA();
      return bearer(withSignature(token, nonCanonical(token.split('.')[2])));
    },
    reason: 'bad_signature',
  },
  {
    item: 4,
    name: 'no secrets configured',
    authorization: () => bearer(validTokenA()),
    app: { clientId: APP_A.clientId, clientSecrets: [] },
    reason: 'bad_signature',
  },

  // 5. app identity
  {
    item: 5,
    name: 'appId and iss both missing',
    authorization: () => bearer(hmacToken(HS256_HEADER, JSON.stringify({ iat: NOW_S }))),
    reason: 'invalid_claims',
  },
  {
    item: 5,
    name: 'appId of another channel (signed with our secret)',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson({}, APP_B.clientId))),
    reason: 'app_mismatch',
  },
  {
    item: 5,
    name: 'iss of another channel',
    authorization: () => bearer(hmacToken(HS256_HEADER, JSON.stringify({ iss: APP_B.clientId }))),
    reason: 'app_mismatch',
  },
  {
    item: 5,
    name: 'wrong appId is not rescued by a right iss',
    authorization: () => bearer(hmacToken(HS256_HEADER, JSON.stringify({ appId: APP_B.clientId, iss: APP_A.clientId }))),
    reason: 'app_mismatch',
  },
  {
    item: 5,
    name: 'appId differing only in case',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson({}, APP_A.clientId.toUpperCase()))),
    reason: 'app_mismatch',
  },
  {
    item: 5,
    name: 'appId with a trailing space',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson({}, `${APP_A.clientId} `))),
    reason: 'app_mismatch',
  },
  { item: 5, name: 'appId empty string', authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson({}, ''))), reason: 'app_mismatch' },
  {
    item: 5,
    name: 'appId as a number',
    authorization: () => bearer(hmacToken(HS256_HEADER, JSON.stringify({ appId: 12345 }))),
    reason: 'invalid_claims',
  },
  {
    item: 5,
    name: 'appId as an array holding the right id',
    authorization: () => bearer(hmacToken(HS256_HEADER, JSON.stringify({ appId: [APP_A.clientId] }))),
    reason: 'invalid_claims',
  },
  { item: 5, name: 'channel A token on channel B', authorization: () => bearer(validTokenA()), app: APP_B, reason: 'bad_signature' },
  {
    item: 5,
    name: 'channel A token on channel B that shares A’s secret',
    authorization: () => bearer(validTokenA()),
    app: APP_B_SHARING_A_SECRET,
    reason: 'app_mismatch',
  },

  // 6. time claims
  { item: 6, name: 'exp 31 s in the past (past the 30 s skew)', authorization: () => bearer(validTokenA({ exp: NOW_S - 31 })), reason: 'expired' },
  { item: 6, name: 'exp exactly at the skew boundary', authorization: () => bearer(validTokenA({ exp: NOW_S - 30 })), reason: 'expired' },
  { item: 6, name: 'exp a day in the past', authorization: () => bearer(validTokenA({ exp: NOW_S - 86_400 })), reason: 'expired' },
  { item: 6, name: 'exp 0', authorization: () => bearer(validTokenA({ exp: 0 })), reason: 'expired' },
  { item: 6, name: 'nbf two minutes in the future', authorization: () => bearer(validTokenA({ nbf: NOW_S + 120 })), reason: 'not_yet_valid' },
  { item: 6, name: 'exp as a numeric string', authorization: () => bearer(validTokenA({ exp: String(NOW_S + 3600) })), reason: 'invalid_claims' },
  { item: 6, name: 'exp as the string "NaN"', authorization: () => bearer(validTokenA({ exp: 'NaN' })), reason: 'invalid_claims' },
  {
    item: 6,
    name: 'exp as a bare NaN literal (not JSON)',
    authorization: () => bearer(hmacToken(HS256_HEADER, `{"appId":"${APP_A.clientId}","exp":NaN}`)),
    reason: 'malformed_token',
  },
  { item: 6, name: 'exp negative', authorization: () => bearer(validTokenA({ exp: -1 })), reason: 'invalid_claims' },
  { item: 6, name: 'exp 1e20', authorization: () => bearer(validTokenA({ exp: 1e20 })), reason: 'invalid_claims' },
  {
    item: 6,
    name: 'exp 1e400 (parses to Infinity)',
    authorization: () => bearer(hmacToken(HS256_HEADER, `{"appId":"${APP_A.clientId}","exp":1e400}`)),
    reason: 'invalid_claims',
  },
  { item: 6, name: 'exp null', authorization: () => bearer(validTokenA({ exp: null })), reason: 'invalid_claims' },
  { item: 6, name: 'exp true', authorization: () => bearer(validTokenA({ exp: true })), reason: 'invalid_claims' },
  { item: 6, name: 'nbf as a string', authorization: () => bearer(validTokenA({ nbf: String(NOW_S) })), reason: 'invalid_claims' },
  { item: 6, name: 'iat 1e20', authorization: () => bearer(validTokenA({ iat: 1e20 })), reason: 'invalid_claims' },

  // 7. compact serialization structure
  {
    item: 7,
    name: '2 segments',
    authorization: () => bearer(validTokenA().split('.').slice(0, 2).join('.')),
    reason: 'malformed_token',
  },
  { item: 7, name: '4 segments', authorization: () => bearer(`${validTokenA()}.${enc('x')}`), reason: 'malformed_token' },
  {
    item: 7,
    name: '5 segments (JWE-shaped)',
    authorization: () => bearer([enc('{"alg":"dir","enc":"A256GCM"}'), '', enc('iv'), enc('ct'), enc('tag')].join('.')),
    reason: 'malformed_token',
  },
  { item: 7, name: 'all segments empty ("..")', authorization: () => bearer('..'), reason: 'malformed_token' },
  {
    item: 7,
    name: 'empty header segment',
    authorization: () => bearer(signSegments('', enc(claimsJson()))),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: 'empty payload segment',
    authorization: () => bearer(signSegments(enc(HS256_HEADER), '')),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: 'standard-base64 characters (+ /) in the payload',
    authorization: () => bearer(signSegments(enc(HS256_HEADER), standardBase64WithSlashOrPlus(claimsJson({ q: '???>>>' })))),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: 'non-base64 character "!" in the header',
    authorization: () => bearer(signSegments(`${enc(HS256_HEADER)}!`, enc(claimsJson()))),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: '"=" padding on the payload',
    authorization: () => bearer(signSegments(enc(HS256_HEADER), Buffer.from(claimsJson({ p: 'x' })).toString('base64url') + '==')),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: '"=" padding on the signature',
    authorization: () => bearer(`${validTokenA()}=`),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: 'header segment of impossible length (4n+1)',
    authorization: () => bearer(signSegments(`${enc(HS256_HEADER)}A`, enc(claimsJson()))),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: 'non-canonical header base64 (pad bits set)',
    authorization: () => bearer(signSegments(nonCanonical(enc('{"alg":"HS256" }')), enc(claimsJson()))),
    reason: 'malformed_token',
  },
  {
    item: 7,
    name: 'whitespace inside the token',
    authorization: () => {
      const [h, p, s] = validTokenA().split('.');
      return bearer(`${h}.${p} .${s}`);
    },
    reason: 'malformed_header',
  },

  // 8. the JOSE header
  { item: 8, name: 'header not JSON', authorization: () => bearer(hmacToken('alg=HS256', claimsJson())), reason: 'malformed_token' },
  { item: 8, name: 'header is a JSON array', authorization: () => bearer(hmacToken('[{"alg":"HS256"}]', claimsJson())), reason: 'malformed_token' },
  { item: 8, name: 'header is a JSON string', authorization: () => bearer(hmacToken('"HS256"', claimsJson())), reason: 'malformed_token' },
  { item: 8, name: 'header is JSON null', authorization: () => bearer(hmacToken('null', claimsJson())), reason: 'malformed_token' },
  {
    item: 8,
    name: 'header with a byte-order mark',
    authorization: () => bearer(hmacToken('\uFEFF{"alg":"HS256"}', claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'header with invalid UTF-8',
    authorization: () =>
      bearer(hmacToken(Buffer.concat([Buffer.from('{"alg":"HS256","x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'duplicate alg keys, HS256 first',
    authorization: () => bearer(hmacToken('{"alg":"HS256","alg":"none"}', claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'duplicate alg keys, HS256 last (JSON.parse alone would accept)',
    authorization: () => bearer(hmacToken('{"alg":"none","alg":"HS256"}', claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'duplicate alg keys hidden by a \\u escape',
    authorization: () => bearer(hmacToken('{"alg":"none","al\\u0067":"HS256"}', claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'duplicate appId keys in the payload',
    authorization: () => bearer(hmacToken(HS256_HEADER, `{"appId":"${APP_B.clientId}","appId":"${APP_A.clientId}"}`)),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'unknown crit extension',
    authorization: () => bearer(hmacToken('{"alg":"HS256","crit":["x-gw"],"x-gw":1}', claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'crit with b64:false (RFC 7797)',
    authorization: () => bearer(hmacToken('{"alg":"HS256","b64":false,"crit":["b64"]}', claimsJson())),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'payload is a JSON array',
    authorization: () => bearer(hmacToken(HS256_HEADER, `[{"appId":"${APP_A.clientId}"}]`)),
    reason: 'malformed_token',
  },
  {
    item: 8,
    name: 'payload is not JSON',
    authorization: () => bearer(hmacToken(HS256_HEADER, `appId=${APP_A.clientId}`)),
    reason: 'malformed_token',
  },

  // 9. key-selecting header fields must not select anything
  {
    item: 9,
    name: 'kid path traversal to /dev/null, signed with an empty key',
    authorization: () => bearer(hmacToken('{"alg":"HS256","kid":"../../../../../../dev/null"}', claimsJson(), Buffer.alloc(0))),
    reason: 'bad_signature',
  },
  {
    item: 9,
    name: 'kid SQL injection selecting a known key',
    authorization: () => bearer(hmacToken(`{"alg":"HS256","kid":"x' UNION SELECT 'k' --"}`, claimsJson(), 'k')),
    reason: 'bad_signature',
  },
  {
    item: 9,
    name: 'jku pointing at the local canary, attacker-signed',
    authorization: () => bearer(hmacToken(JSON.stringify({ alg: 'HS256', jku: `${canaryUrl}/jwks.json` }), claimsJson(), ATTACKER_KEY)),
    reason: 'bad_signature',
  },
  {
    item: 9,
    name: 'x5u pointing at the local canary, attacker-signed',
    authorization: () => bearer(hmacToken(JSON.stringify({ alg: 'HS256', x5u: `${canaryUrl}/cert.pem` }), claimsJson(), ATTACKER_KEY)),
    reason: 'bad_signature',
  },
  {
    item: 9,
    name: 'embedded jwk with the attacker’s own oct key',
    authorization: () =>
      bearer(hmacToken(JSON.stringify({ alg: 'HS256', jwk: { kty: 'oct', k: enc(ATTACKER_KEY) } }), claimsJson(), ATTACKER_KEY)),
    reason: 'bad_signature',
  },

  // 10. size
  {
    item: 10,
    name: '100 KB token, validly signed',
    authorization: () => bearer(validTokenA({ pad: 'x'.repeat(100 * 1024) })),
    reason: 'too_large',
  },
  { item: 10, name: '100 KB of junk', authorization: () => bearer('a'.repeat(100 * 1024)), reason: 'too_large' },
  {
    item: 10,
    name: 'one character over the 8 KB cap',
    authorization: () => bearer(tokenOfLength(MAX_BOT_CONNECTOR_TOKEN_LENGTH, 'over')),
    reason: 'too_large',
  },
  {
    item: 10,
    name: '100 KB of whitespace around a valid token',
    authorization: () => `${' '.repeat(100 * 1024)}bearer ${validTokenA()}`,
    reason: 'too_large',
  },
];

describe('BotConnectorTokenVerifier: malformed-JWT corpus (§3.8)', () => {
  it('has at least 35 hostile variants', () => {
    expect(REJECT_CASES.length).toBeGreaterThanOrEqual(35);
  });

  it.each(REJECT_CASES)('§3.8.$item $name → $reason', ({ authorization, app, reason }) => {
    const jwt = new CountingJwtService();
    const verifier = new BotConnectorTokenVerifier(jwt);
    const header = authorization();

    const result = verifier.verify(header, app ?? APP_A, NOW_MS);

    expect(result).toEqual(expect.objectContaining({ ok: false, reason }));
    if (PRE_CRYPTO_REASONS.has(reason)) expect(jwt.calls).toBe(0);
    if (!result.ok && result.fingerprint !== undefined) expect(result.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    // The result is what callers log: it must not carry the credential or any part of it.
    expect(Object.keys(result).sort()).toEqual(result.fingerprint === undefined ? ['ok', 'reason'] : ['fingerprint', 'ok', 'reason']);
  });

  it('gives no fingerprint for an oversize token (no hashing before the size check)', () => {
    const result = new BotConnectorTokenVerifier().verify(bearer('a'.repeat(100 * 1024)), APP_A, NOW_MS);
    expect(result).toEqual({ ok: false, reason: 'too_large' });
  });

  it('rejects a non-string header value (e.g. a raw header array)', () => {
    const header = [bearer(validTokenA())] as unknown as string;
    expect(new BotConnectorTokenVerifier().verify(header, APP_A, NOW_MS)).toEqual({ ok: false, reason: 'malformed_header' });
  });

  it('tries every secret even after one matches (no early exit revealing which secret is live)', () => {
    const jwt = new CountingJwtService();
    const app: BotConnectorApp = { clientId: APP_A.clientId, clientSecrets: [SECRET_A, SECRET_A_NEXT, SECRET_B] };
    expect(new BotConnectorTokenVerifier(jwt).verify(bearer(validTokenA()), app, NOW_MS).ok).toBe(true);
    expect(jwt.calls).toBe(3);
  });

  it('the jku/x5u canary received 0 connections', async () => {
    // Let any stray socket from the cases above reach the listener before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(canaryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(canaryConnections).toBe(0);
  });
});

interface AcceptCase {
  name: string;
  authorization: () => string;
  app?: BotConnectorApp;
}

const ACCEPT_CASES: AcceptCase[] = [
  { name: 'lower-case scheme', authorization: () => `bearer ${validTokenA()}` },
  { name: 'capitalised scheme', authorization: () => `Bearer ${validTokenA()}` },
  { name: 'upper-case scheme', authorization: () => `BEARER ${validTokenA()}` },
  { name: 'mixed-case scheme', authorization: () => `bEaReR ${validTokenA()}` },
  { name: 'surrounding whitespace', authorization: () => `  \tbearer ${validTokenA()} \t ` },
  { name: 'several spaces after the scheme', authorization: () => `bearer   ${validTokenA()}` },
  { name: 'iss instead of appId', authorization: () => bearer(hmacToken(HS256_HEADER, JSON.stringify({ iss: APP_A.clientId }))) },
  { name: 'header without typ', authorization: () => bearer(hmacToken('{"alg":"HS256"}', claimsJson())) },
  { name: 'rotation: old secret while both are configured', authorization: () => bearer(validTokenA()), app: APP_A_DURING_ROTATION },
  {
    name: 'rotation: new secret while both are configured',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson(), SECRET_A_NEXT)),
    app: APP_A_DURING_ROTATION,
  },
  {
    name: 'rotation: new secret after rotation completed',
    authorization: () => bearer(hmacToken(HS256_HEADER, claimsJson(), SECRET_A_NEXT)),
    app: APP_A_AFTER_ROTATION,
  },
  { name: 'exp 10 s in the past (inside the 30 s skew)', authorization: () => bearer(validTokenA({ exp: NOW_S - 10 })) },
  { name: 'exp 29 s in the past', authorization: () => bearer(validTokenA({ exp: NOW_S - 29 })) },
  { name: 'exp in the future', authorization: () => bearer(validTokenA({ exp: NOW_S + 3600 })) },
  { name: 'nbf 10 s in the future (inside the skew)', authorization: () => bearer(validTokenA({ nbf: NOW_S + 10 })) },
  { name: 'fractional NumericDate', authorization: () => bearer(validTokenA({ exp: NOW_S + 0.5, nbf: NOW_S - 0.5 })) },
  {
    name: 'kid with path traversal is ignored, token verifies normally',
    authorization: () => bearer(hmacToken('{"alg":"HS256","kid":"../../../../etc/passwd"}', claimsJson())),
  },
  {
    name: 'kid with SQL characters is ignored',
    authorization: () => bearer(hmacToken(`{"alg":"HS256","kid":"'; DROP TABLE keys; --"}`, claimsJson())),
  },
  {
    name: 'jku/x5u to the canary on a genuinely signed token are ignored',
    authorization: () =>
      bearer(hmacToken(JSON.stringify({ alg: 'HS256', jku: `${canaryUrl}/k`, x5u: `${canaryUrl}/c` }), claimsJson())),
  },
  { name: 'a token just under the 8 KB cap', authorization: () => bearer(tokenOfLength(MAX_BOT_CONNECTOR_TOKEN_LENGTH, 'atMost')) },
  {
    name: 'minted by mintBotConnectorToken',
    authorization: () => bearerCredential(mintBotConnectorToken({ clientId: APP_A.clientId, clientSecret: SECRET_A }, { now: NOW_MS })),
  },
  {
    name: 'minted with an expiry',
    authorization: () =>
      bearerCredential(mintBotConnectorToken({ clientId: APP_A.clientId, clientSecret: SECRET_A }, { now: NOW_MS, expiresInSeconds: 60 })),
  },
];

describe('BotConnectorTokenVerifier: accepted credentials', () => {
  it.each(ACCEPT_CASES)('accepts: $name', ({ authorization, app }) => {
    const header = authorization();
    const token = header.trim().split(/ +/)[1];

    const result = new BotConnectorTokenVerifier().verify(header, app ?? APP_A, NOW_MS);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fingerprint).toBe(createHash('sha256').update(token).digest('hex').slice(0, 8));
    expect(JSON.stringify(result)).not.toContain(token.split('.')[2]);
    expect([result.claims.appId, result.claims.iss]).toContain(APP_A.clientId);
  });

  it('passes the verified claims through, frozen', () => {
    const result = new BotConnectorTokenVerifier().verify(bearer(validTokenA({ locale: 'de-de' })), APP_A, NOW_MS);
    expect(result).toEqual({
      ok: true,
      fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
      claims: { appId: APP_A.clientId, iat: NOW_S - 60, locale: 'de-de' },
    });
    if (result.ok) expect(Object.isFrozen(result.claims)).toBe(true);
  });

  it('expires a minted token once exp plus the skew has passed', () => {
    const token = mintBotConnectorToken({ clientId: APP_A.clientId, clientSecret: SECRET_A }, { now: NOW_MS, expiresInSeconds: 60 });
    const verifier = new BotConnectorTokenVerifier();
    expect(verifier.verify(bearer(token), APP_A, NOW_MS + 89_000).ok).toBe(true);
    expect(verifier.verify(bearer(token), APP_A, NOW_MS + 90_000)).toEqual(expect.objectContaining({ ok: false, reason: 'expired' }));
  });

  it('defaults now to the wall clock', () => {
    const token = mintBotConnectorToken({ clientId: APP_A.clientId, clientSecret: SECRET_A }, { expiresInSeconds: 300 });
    expect(new BotConnectorTokenVerifier().verify(bearer(token), APP_A).ok).toBe(true);
  });
});

describe('BotConnectorTokenVerifier.readBearer (no channel needed)', () => {
  it.each(REJECT_CASES.filter((c) => ['missing', 'malformed_header', 'too_large'].includes(c.reason)))('§3.8.$item $name → $reason, as verify says', ({ authorization, reason }) => {
    const jwt = new CountingJwtService();
    expect(new BotConnectorTokenVerifier(jwt).readBearer(authorization())).toEqual({ ok: false, reason });
    expect(jwt.calls).toBe(0);
  });

  it('hands over the token of a well-formed header, checked only by verifyToken', () => {
    const jwt = new CountingJwtService();
    const verifier = new BotConnectorTokenVerifier(jwt);
    const token = validTokenA();
    expect(verifier.readBearer(`  BEARER ${token} `)).toEqual({ ok: true, token });
    expect(verifier.readBearer(bearer('not-a-jwt'))).toEqual({ ok: true, token: 'not-a-jwt' });
    expect(jwt.calls).toBe(0);
    expect(verifier.verifyToken(token, APP_A, NOW_MS)).toEqual(verifier.verify(bearer(token), APP_A, NOW_MS));
    expect(verifier.verifyToken('not-a-jwt', APP_A, NOW_MS)).toMatchObject({ ok: false, reason: 'malformed_token' });
  });
});

describe('GenesysJwtModule', () => {
  it('provides a working BotConnectorTokenVerifier through DI', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [GenesysJwtModule] }).compile();
    const verifier = moduleRef.get(BotConnectorTokenVerifier);
    expect(verifier.verify(bearer(validTokenA()), APP_A, NOW_MS).ok).toBe(true);
    expect(verifier.verify(bearer(hmacToken(HS256_HEADER, claimsJson(), SECRET_B)), APP_A, NOW_MS)).toEqual(
      expect.objectContaining({ ok: false, reason: 'bad_signature' }),
    );
    await moduleRef.close();
  });
});
