/** A generated secret has about 30 distinct characters; fewer than 8 means a repeated placeholder. */
const MIN_DISTINCT_CHARS = 8;

/**
 * Why a shared secret (an HMAC key, a connection secret) is too weak to use, or undefined when it
 * is strong enough. Length alone lets `changeme` x 4 through, so padded placeholders are caught by
 * counting distinct characters. The answer never contains the secret: it ends up in logs.
 */
export function weakSecretProblem(secret: unknown, minBytes: number): string | undefined {
  if (typeof secret !== 'string') return 'must be a string';
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < minBytes) return `is ${bytes} bytes; at least ${minBytes} are required`;
  if (new Set(secret).size < MIN_DISTINCT_CHARS) return `uses fewer than ${MIN_DISTINCT_CHARS} distinct characters (a placeholder?); generate one, e.g. openssl rand -base64 32`;
  return undefined;
}
