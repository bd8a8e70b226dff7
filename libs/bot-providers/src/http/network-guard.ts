import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { ipv4ToInt, isIPv4Mapped, lowIPv4, parseIPv6 } from '@app/net';

const V4_BLOCKED: [number, number][] = (
  [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const
).map(([base, bits]) => [ipv4ToInt(base), bits]);

function isBlockedV4(n: number): boolean {
  return V4_BLOCKED.some(([base, bits]) => n >>> (32 - bits) === base >>> (32 - bits));
}

function isBlockedV6(g: number[]): boolean {
  const v4At = (i: number) => ((g[i]! << 16) | g[i + 1]!) >>> 0;
  // ::ffff:0:0/96: a dual-stack socket connects to the embedded IPv4 address, so that decides.
  if (isIPv4Mapped(g)) return isBlockedV4(lowIPv4(g));
  // Only global unicast (2000::/3) reaches a server on the internet. Everything else is refused
  // whole rather than range by range: ::/8 (unspecified, loopback, the deprecated IPv4-compatible
  // ::/96 that some stacks tunnel to the embedded IPv4, NAT64 64:ff9b::/96 which reaches whatever
  // IPv4 it embeds), ULA fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8
  // and whatever IANA has not allocated.
  if ((g[0]! & 0xe000) !== 0x2000) return true;
  // 6to4 2002::/16: the relay delivers to the IPv4 address in bits 16-48.
  if (g[0] === 0x2002) return isBlockedV4(v4At(1));
  // 2001::/23, IETF protocol assignments: Teredo 2001::/32 (its addresses name a relay and a NATed
  // client, never a bot server), benchmarking, ORCHID.
  if (g[0] === 0x2001 && g[1]! < 0x0200) return true;
  // Documentation: 2001:db8::/32 and 3fff::/20.
  return (g[0] === 0x2001 && g[1] === 0x0db8) || (g[0] === 0x3fff && g[1]! < 0x1000);
}

/**
 * True for every address a bot backend must not be reached at: loopback, private, link-local
 * (cloud metadata), CGNAT, multicast, reserved, and in IPv6 anything outside global unicast or
 * wrapping such an IPv4 address (mapped, 6to4). Anything unparsable counts as blocked.
 */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return isBlockedV4(ipv4ToInt(ip));
  const groups = family === 6 ? parseIPv6(ip) : undefined;
  return groups === undefined || isBlockedV6(groups);
}

/**
 * A `lookup` for http(s) agents that checks the address actually connected to, so a name that
 * resolves (or is re-bound) to an internal address is refused at connect time, not only at
 * configuration time (perf-reliability §3.4).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = !allowPrivate && list.some((a) => isPrivateAddress(a.address));
      if (bad || list.length === 0) {
        const e: NodeJS.ErrnoException = new Error(`refusing to connect to a private or reserved address for ${hostname}`);
        e.code = 'EBLOCKED';
        return callback(e, '', 0);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Checks a configured URL before any connection: scheme and literal-IP hosts. */
export function checkBotUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('bot URL is not a valid URL');
  }
  if (url.username || url.password) throw new Error('bot URL must not carry credentials; use headers');
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new Error('bot URL must use https (http only with BOT_PROVIDERS_ALLOW_PRIVATE in development)');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (isIP(host) ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))) {
    throw new Error('bot URL points at a private or loopback address');
  }
  return url;
}
