/**
 * Fastify's `trustProxy` for TRUST_PROXY_HOPS: `false` (0: `req.ip` is the socket address), or a
 * function trusting the socket peer and the next `hops - 1` X-Forwarded-For entries from the
 * right, so `req.ip` is the address the outermost trusted proxy saw. A function because Fastify
 * 5.12 treats a numeric `trustProxy` as "trust nothing"; this is how Express compiles a number.
 * Only the proxies may reach the port then: a direct caller could put any address in the header.
 */
export function trustProxyHops(hops: number): false | ((address: string, hop: number) => boolean) {
  if (!Number.isInteger(hops) || hops <= 0) return false;
  return (_address, hop) => hop < hops;
}
