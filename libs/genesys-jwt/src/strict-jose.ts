/**
 * Strict decoding of compact-JWS segments, stricter than jsonwebtoken's own decode: two parsers that
 * read one token differently (lenient base64, duplicate JSON keys) are how "alg" or "appId" get
 * smuggled past a check, so each segment must have exactly one reading.
 */

export type JsonObject = Record<string, unknown>;

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]+$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

// ignoreBOM keeps a leading BOM in the text so JSON.parse rejects it instead of it vanishing silently.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes unpadded base64url, or returns undefined when the segment has any other spelling. */
export function decodeBase64UrlStrict(segment: string): Buffer | undefined {
  if (!BASE64URL_ALPHABET.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  // Node ignores non-zero trailing bits, so several spellings decode to the same bytes; only the canonical one passes.
  if (bytes.toString('base64url') !== segment) return undefined;
  return bytes;
}

/** A header or payload segment that decodes to exactly one JSON object with unique keys, else undefined. */
export function parseJsonObjectSegment(segment: string): JsonObject | undefined {
  const bytes = decodeBase64UrlStrict(segment);
  if (!bytes) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (hasDuplicateKey(text)) return undefined;
  return value as JsonObject;
}

interface ScanFrame {
  /** Keys seen so far; undefined for arrays. */
  keys: Set<string> | undefined;
  expectKey: boolean;
}

/**
 * True when any object in the (already JSON.parse-validated) text repeats a key. JSON.parse keeps the
 * last duplicate while other parsers keep the first, so `{"alg":"HS256","alg":"none"}` must not pass.
 * Keys are compared after unescaping, so `"al\u0067"` counts as `"alg"`.
 */
export function hasDuplicateKey(json: string): boolean {
  const stack: ScanFrame[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      while (json.charCodeAt(end) !== QUOTE) end += json.charCodeAt(end) === BACKSLASH ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return true;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      stack.push({ keys: new Set(), expectKey: true });
    } else if (c === OPEN_ARRAY) {
      stack.push({ keys: undefined, expectKey: false });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return false;
}
