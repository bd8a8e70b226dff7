import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 §4.1: 43–128 characters from the unreserved set. */
export const PKCE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

/**
 * A fresh verifier (default 32 random bytes → 43 base64url characters, 256 bits) and its S256
 * challenge. Only S256: `plain` would send the verifier itself through the browser.
 */
export function createPkcePair(bytes = 32): PkcePair {
  // 32..96 bytes keep the base64url verifier within RFC 7636's 43..128 characters.
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 96) throw new RangeError('PKCE verifier entropy must be 32..96 bytes');
  const codeVerifier = randomBytes(bytes).toString('base64url');
  return { codeVerifier, codeChallenge: pkceChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

/** BASE64URL(SHA256(ASCII(verifier))) without padding. */
export function pkceChallenge(codeVerifier: string): string {
  if (!PKCE_VERIFIER_PATTERN.test(codeVerifier)) throw new RangeError('PKCE code_verifier must be 43-128 characters of [A-Za-z0-9-._~]');
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}
