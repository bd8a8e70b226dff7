import Fastify from 'fastify';
import { SourceRanges } from './source-ranges.js';
import { trustProxyHops } from './trust-proxy.js';

describe('SourceRanges (BlockList of Genesys bot-connector ranges)', () => {
  it('matches IPv4 subnets, including their edges', () => {
    const { ranges, rejected } = SourceRanges.build(['52.1.0.0/16', '198.51.100.7/32']);
    expect(rejected).toEqual([]);
    expect(ranges.size).toBe(2);
    expect(ranges.contains('52.1.0.0')).toBe(true);
    expect(ranges.contains('52.1.255.255')).toBe(true);
    expect(ranges.contains('52.2.0.0')).toBe(false);
    expect(ranges.contains('52.0.255.255')).toBe(false);
    expect(ranges.contains('198.51.100.7')).toBe(true);
    expect(ranges.contains('198.51.100.8')).toBe(false);
  });

  it('matches IPv6 subnets, in any spelling', () => {
    const { ranges } = SourceRanges.build(['2001:db8:1::/48', '::1/128']);
    expect(ranges.contains('2001:db8:1::1')).toBe(true);
    expect(ranges.contains('2001:0DB8:0001:ffff::9')).toBe(true);
    expect(ranges.contains('2001:db8:2::1')).toBe(false);
    expect(ranges.contains('::1')).toBe(true);
    expect(ranges.contains('0:0:0:0:0:0:0:1')).toBe(true);
    expect(ranges.contains('::2')).toBe(false);
  });

  it('matches an IPv4-mapped IPv6 address (a dual-stack socket) against the IPv4 ranges', () => {
    const { ranges } = SourceRanges.build(['127.0.0.0/8', '52.1.0.0/16']);
    expect(ranges.contains('::ffff:127.0.0.1')).toBe(true);
    expect(ranges.contains('::FFFF:52.1.2.3')).toBe(true);
    expect(ranges.contains('::ffff:7f00:1')).toBe(true);
    expect(ranges.contains('0:0:0:0:0:ffff:3401:0203')).toBe(true);
    expect(ranges.contains('::ffff:10.0.0.1')).toBe(false);
    // IPv4-compatible (deprecated) and other IPv6 addresses are not IPv4.
    expect(ranges.contains('::127.0.0.1')).toBe(false);
    expect(ranges.contains('::1')).toBe(false);
  });

  it('does not let an IPv6 range admit IPv4 addresses', () => {
    const { ranges } = SourceRanges.build(['::/0']);
    expect(ranges.contains('2001:db8::1')).toBe(true);
    expect(ranges.contains('203.0.113.9')).toBe(false);
    const v4 = SourceRanges.build(['0.0.0.0/0']).ranges;
    expect(v4.contains('203.0.113.9')).toBe(true);
    expect(v4.contains('2001:db8::1')).toBe(false);
  });

  it('ignores bad CIDR entries and reports each', () => {
    const { ranges, rejected } = SourceRanges.build(['10.0.0.0/33', '10.0.0/8', 'fe80::/129', 'banana', '', 42, null, ' 10.1.0.0/16 ', '10.0.0.0/8 extra', '172.16.0.0/12']);
    expect(ranges.cidrs).toEqual(['10.1.0.0/16', '172.16.0.0/12']);
    expect(rejected.map((r) => r.cidr)).toEqual(['10.0.0.0/33', '10.0.0/8', 'fe80::/129', 'banana', '', '42', 'null', '10.0.0.0/8 extra']);
    expect(rejected.every((r) => r.reason.length > 0)).toBe(true);
    expect(ranges.contains('10.1.2.3')).toBe(true);
    expect(ranges.contains('10.0.0.1')).toBe(false);
  });

  it('treats anything that is not an IP address as outside', () => {
    const { ranges } = SourceRanges.build(['0.0.0.0/0', '::/0']);
    for (const v of [undefined, '', 'localhost', '127.0.0.1:80', '[::1]', '1.2.3.4.5']) expect(ranges.contains(v)).toBe(false);
  });

  it('an empty list contains nothing', () => {
    const { ranges } = SourceRanges.build([]);
    expect(ranges.size).toBe(0);
    expect(ranges.contains('127.0.0.1')).toBe(false);
  });
});

describe('trustProxyHops (req.ip behind TRUST_PROXY_HOPS proxies)', () => {
  /** What `req.ip` is for a request from 127.0.0.1 (the "proxy") with this X-Forwarded-For. */
  async function ipSeen(hops: number, xff?: string): Promise<string> {
    const app = Fastify({ trustProxy: trustProxyHops(hops) });
    app.get('/', async (req) => ({ ip: req.ip }));
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(base, { headers: xff ? { 'x-forwarded-for': xff } : {} });
      return ((await res.json()) as { ip: string }).ip;
    } finally {
      await app.close();
    }
  }

  it('0 hops: the socket address; X-Forwarded-For is ignored', async () => {
    expect(trustProxyHops(0)).toBe(false);
    expect(await ipSeen(0, '203.0.113.9')).toBe('127.0.0.1');
  });

  it('1 hop: the address the one proxy appended, whatever a client put before it', async () => {
    expect(await ipSeen(1, '203.0.113.9')).toBe('203.0.113.9');
    expect(await ipSeen(1, '127.0.0.1, 203.0.113.9')).toBe('203.0.113.9');
    expect(await ipSeen(1)).toBe('127.0.0.1');
  });

  it('2 hops: one entry further left', async () => {
    expect(await ipSeen(2, '198.51.100.1, 10.0.0.1, 203.0.113.9')).toBe('10.0.0.1');
  });
});
