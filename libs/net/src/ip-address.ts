import { isIP } from 'node:net';

/** A dotted-quad IPv4 address as an unsigned 32-bit number (the caller has checked it with isIP). */
export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/**
 * The eight 16-bit groups of an IPv6 address: `::` expanded, a trailing dotted quad read as the
 * last two groups, a zone id (`%eth0`) dropped. Undefined when the text is not an IPv6 address.
 * Decisions about an address are made on these numbers because one address has many spellings
 * (`::127.0.0.1`, `::7f00:1`, `0:0:0:0:0:0:7f00:1`), and `new URL()` rewrites embedded IPv4 into hex.
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

/** The IPv4 address in the low 32 bits of parsed IPv6 groups. */
export function lowIPv4(groups: number[]): number {
  return ((groups[6]! << 16) | groups[7]!) >>> 0;
}

/** `::ffff:0:0/96`: how a dual-stack socket reports, and connects to, an IPv4 peer. */
export function isIPv4Mapped(groups: number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/** `64:ff9b::/96`: NAT64, an IPv4 host reached through (or seen through) a translator. */
export function isNat64(groups: number[]): boolean {
  return groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
}
