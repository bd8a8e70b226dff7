import { isIPv4 } from 'node:net';
import { intToIpv4, isIPv4Mapped, isNat64, lowIPv4, parseIPv6 } from '@app/net';

/**
 * The client a login attempt is counted against, from its address. One IPv6 host usually has a
 * whole /64 to itself (SLAAC, privacy addresses), so counting per address would let it take a
 * fresh address for every try: IPv6 is keyed by its /64, written `2001:db8:0:1::/64`. An address
 * that carries an IPv4 client (IPv4-mapped `::ffff:192.0.2.1`, how a dual-stack socket reports an
 * IPv4 peer; NAT64 `64:ff9b::192.0.2.1`, where every IPv4 client of the translator shares one /64)
 * counts as that IPv4 client.
 */
export function throttleAddress(ip: string): string {
  const trimmed = ip.trim();
  if (isIPv4(trimmed)) return trimmed;
  // A zone (`fe80::1%eth0`) names the local interface, not the client: parseIPv6 drops it.
  const g = parseIPv6(trimmed);
  // Not an address (a proxy passed junk in X-Forwarded-For): still one bounded counter per value.
  if (!g) return ip.slice(0, 64);
  if (isIPv4Mapped(g) || isNat64(g)) return intToIpv4(lowIPv4(g));
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
