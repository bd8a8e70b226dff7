import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A CIDR entry that could not be used, and why (logged by the caller; CIDRs are not secret). */
export interface RejectedCidr {
  cidr: string;
  reason: string;
}

/**
 * Genesys's published source ranges for one region, as `node:net` BlockLists. IPv4 and IPv6
 * subnets sit in separate lists on purpose: Node checks an IPv4 address against IPv6 rules
 * through its mapped form, so one list holding `::/0` would let every IPv4 address in.
 * An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, how a dual-stack socket reports an IPv4 peer)
 * is matched against the IPv4 subnets.
 */
export class SourceRanges {
  private constructor(
    private readonly v4: BlockList,
    private readonly v6: BlockList,
    /** The entries that were added, normalized (`addr/prefix`); this is what is shared through Redis. */
    readonly cidrs: readonly string[],
  ) {}

  static build(entries: readonly unknown[]): { ranges: SourceRanges; rejected: RejectedCidr[] } {
    const v4 = new BlockList();
    const v6 = new BlockList();
    const cidrs: string[] = [];
    const rejected: RejectedCidr[] = [];
    for (const entry of entries) {
      const parsed = parseCidr(entry);
      if ('reason' in parsed) {
        rejected.push({ cidr: String(entry).slice(0, 100), reason: parsed.reason });
        continue;
      }
      try {
        (parsed.family === 'ipv4' ? v4 : v6).addSubnet(parsed.address, parsed.prefix, parsed.family);
      } catch (e) {
        rejected.push({ cidr: String(entry).slice(0, 100), reason: (e as Error).message });
        continue;
      }
      cidrs.push(`${parsed.address}/${parsed.prefix}`);
    }
    return { ranges: new SourceRanges(v4, v6, cidrs), rejected };
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** Whether `ip` (as Fastify reports `req.ip`) lies in one of the ranges; anything not an IP is outside. */
  contains(ip: string | undefined): boolean {
    if (!ip) return false;
    if (isIPv4(ip)) return this.v4.check(ip, 'ipv4');
    if (!isIPv6(ip)) return false;
    // Node matches IPv4 subnets only for the IPv4-mapped form of an IPv6 address.
    return this.v4.check(ip, 'ipv6') || this.v6.check(ip, 'ipv6');
  }
}

type ParsedCidr = { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | { reason: string };

function parseCidr(entry: unknown): ParsedCidr {
  if (typeof entry !== 'string') return { reason: 'not a string' };
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(entry.trim());
  if (!m) return { reason: 'not of the form address/prefix' };
  const address = m[1]!;
  const prefix = Number(m[2]);
  if (isIPv4(address)) return prefix <= 32 ? { address, prefix, family: 'ipv4' } : { reason: 'IPv4 prefix above 32' };
  if (isIPv6(address)) return prefix <= 128 ? { address: address.toLowerCase(), prefix, family: 'ipv6' } : { reason: 'IPv6 prefix above 128' };
  return { reason: 'not an IP address' };
}
