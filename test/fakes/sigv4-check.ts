import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS Signature Version 4 checked the way an AWS service does, written from AWS's documented
 * algorithm (canonical request → string to sign → derived key → HMAC) and deliberately sharing no
 * code with the signer the provider uses, so each checks the other. Returns why a request is
 * refused, or undefined when its signature is right.
 */
export function sigV4Problem(
  req: { method: string; path: string; headers: IncomingHttpHeaders; raw: string },
  expect: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string; service: string; now?: number },
): string | undefined {
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'authorization header is not a SigV4 signature';
  const [, keyId, date, region, service, signedList, signature] = m as unknown as string[];
  if (keyId !== expect.accessKeyId) return 'unknown access key';
  if (region !== expect.region || service !== expect.service) return `credential scope must be ${expect.region}/${expect.service}`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return 'x-amz-date missing or not the scope’s date';
  const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs((expect.now ?? Date.now()) - at) > 15 * 60_000) return 'signature expired (clock skew over 15 minutes)';
  const signed = signedList!.split(';');
  if (signed.join(';') !== [...signed].sort().join(';')) return 'SignedHeaders not sorted';
  for (const must of ['host', 'x-amz-date', ...(expect.sessionToken ? ['x-amz-security-token'] : [])]) if (!signed.includes(must)) return `${must} is not signed`;
  if (expect.sessionToken && req.headers['x-amz-security-token'] !== expect.sessionToken) return 'security token does not match';

  const payloadHash = createHash('sha256').update(req.raw, 'utf8').digest('hex');
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== payloadHash) return 'x-amz-content-sha256 does not match the body';

  const [rawPath = '/', rawQuery = ''] = req.path.split('?');
  const canonicalUri = rawPath.split('/').map(rfc3986).join('/') || '/';
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=').map((x) => rfc3986(decodeURIComponent(x.replace(/\+/g, ' ')))))
    .sort(([a = '', av = ''], [b = '', bv = '']) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k = '', v = '']) => `${k}=${v}`)
    .join('&');
  const headerValue = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v.join(',') : String(v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const canonicalHeaders = signed.map((h) => `${h}:${headerValue(h)}\n`).join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, declared ?? payloadHash].join('\n');

  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${expect.secretAccessKey}`, date!), region!), service!), 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign).digest();
  return timingSafeEqual(expected, Buffer.from(signature!, 'hex')) ? undefined : 'The request signature we calculated does not match the signature you provided';
}

/** URI encoding as SigV4 defines it: unreserved characters kept, everything else %XX in upper case. */
function rfc3986(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}
