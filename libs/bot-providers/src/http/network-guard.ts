import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}

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

/**
 * The eight 16-bit groups of an IPv6 address: `::` expanded, a trailing dotted quad read as the
 * last two groups, a zone id (`%eth0`) dropped. Undefined when the text is not an IPv6 address.
 * The guard works on these numbers because one address has many spellings (`::127.0.0.1`,
 * `::7f00:1`, `0:0:0:0:0:0:7f00:1`), and `new URL()` rewrites embedded IPv4 into hex.
 */
export function parseIPv6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  const addr = zone >= 0 ? text.slice(0, zone) : text;
  if (isIP(addr) !== 6) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        if (isIP(piece) !== 4) return undefined;
        const n = ipv4ToInt(piece);
        out.push(n >>> 16, n & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const zeros = 8 - head.length - tail.length;
  return zeros >= 1 ? [...head, ...new Array<number>(zeros).fill(0), ...tail] : undefined;
}

function isBlockedV6(g: number[]): boolean {
  const v4At = (i: number) => ((g[i]! << 16) | g[i + 1]!) >>> 0;
  // ::ffff:0:0/96: a dual-stack socket connects to the embedded IPv4 address, so that decides.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return isBlockedV4(v4At(6));
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
    throw new Error('bot URL must use https (http only with HTTP_PROVIDER_ALLOW_PRIVATE in development)');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (isIP(host) ? isPrivateAddress(host) : host === 'localhost' || host.endsWith('.localhost'))) {
    throw new Error('bot URL points at a private or loopback address');
  }
  return url;
}
