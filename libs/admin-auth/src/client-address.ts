import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client a login attempt is counted against, from its address. One IPv6 host usually has a
 * whole /64 to itself (SLAAC, privacy addresses), so counting per address would let it take a
 * fresh address for every try: IPv6 is keyed by its /64, written `2001:db8:0:1::/64`. An
 * IPv4-mapped address (`::ffff:192.0.2.1`, how a dual-stack socket reports an IPv4 peer) is that
 * IPv4 client, so both spellings share one counter.
 */
export function throttleAddress(ip: string): string {
  // A zone (`fe80::1%eth0`) names the local interface, not the client.
  const bare = ip.trim().split('%', 1)[0]!;
  if (isIPv4(bare)) return bare;
  // Not an address (a proxy passed junk in X-Forwarded-For): still one bounded counter per value.
  if (!isIPv6(bare)) return ip.slice(0, 64);
  const h = ipv6Hextets(bare);
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return [h[6]! >> 8, h[6]! & 0xff, h[7]! >> 8, h[7]! & 0xff].join('.');
  return `${h.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded. */
function ipv6Hextets(ip: string): number[] {
  let s = ip.toLowerCase();
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) is the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const gap = s.indexOf('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const head = groups(gap < 0 ? s : s.slice(0, gap));
  const tail = gap < 0 ? [] : groups(s.slice(gap + 2));
  const zeros = gap < 0 ? [] : Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].map((g) => parseInt(g, 16));
}
