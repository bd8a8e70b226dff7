import { checkBotUrl, guardedLookup, isPrivateAddress } from './network-guard.js';

/**
 * The HTTP bot provider's address guard. One address has many spellings, and `new URL()` rewrites
 * some of them (`[::127.0.0.1]` becomes `[::7f00:1]`), so every case is decided on the parsed
 * address, and the URL cases go through `checkBotUrl` exactly as a configured bot URL does.
 */

const BLOCKED: [string, string][] = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['100.64.0.1', 'CGNAT'],
  ['0.0.0.0', 'this network'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  // IPv6 basics
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback, long form'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone id'],
  ['fc00::1', 'unique local'],
  ['fd12:3456:789a::1', 'unique local'],
  ['ff02::1', 'multicast'],
  // IPv4-mapped ::ffff:0:0/96, every spelling
  ['::ffff:127.0.0.1', 'mapped loopback, dotted'],
  ['::ffff:7f00:1', 'mapped loopback, hex (what URL normalization gives)'],
  ['0:0:0:0:0:ffff:7f00:1', 'mapped loopback, uncompressed'],
  ['::ffff:a9fe:a9fe', 'mapped cloud metadata'],
  ['::FFFF:10.0.0.1', 'mapped private, upper case'],
  // IPv4-compatible ::/96 (deprecated): refused whole
  ['::127.0.0.1', 'IPv4-compatible loopback, dotted'],
  ['::7f00:1', 'IPv4-compatible loopback, hex'],
  ['::8.8.8.8', 'IPv4-compatible of a public address: deprecated, not a destination'],
  // 6to4 2002::/16 with a private or reserved IPv4 in bits 16-48
  ['2002:7f00:0001::', '6to4 of 127.0.0.1'],
  ['2002:7f00:1::', '6to4 of 127.0.0.1, compressed'],
  ['2002:c0a8:0101::1', '6to4 of 192.168.1.1'],
  ['2002:a00:1::', '6to4 of 10.0.0.1'],
  ['2002:a9fe:a9fe::1', '6to4 of the cloud metadata address'],
  ['2002::1', '6to4 of 0.0.0.0'],
  // site-local fec0::/10 (deprecated)
  ['fec0::1', 'site-local'],
  ['feff::1', 'site-local, top of the range'],
  // NAT64: refused whole, whatever IPv4 it embeds
  ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
  ['64:ff9b::10.0.0.1', 'NAT64 of 10.0.0.1, dotted'],
  ['64:ff9b::808:808', 'NAT64 of 8.8.8.8'],
  ['64:ff9b:1::1', 'local-use NAT64'],
  // Teredo and the other IETF protocol assignments, documentation, unallocated
  ['2001::1', 'Teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo, full form'],
  ['2001:2::1', 'benchmarking'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation (RFC 9637)'],
  ['100::1', 'discard-only'],
  ['4000::1', 'outside global unicast'],
  // not an address at all
  ['', 'empty'],
  ['localhost', 'a name'],
  ['1::2::3', 'two ::'],
  ['[::1]', 'brackets are URL syntax, not address syntax'],
];

const ALLOWED: [string, string][] = [
  ['8.8.8.8', 'public IPv4'],
  ['1.1.1.1', 'public IPv4'],
  ['2606:4700::1111', 'public IPv6'],
  ['2001:4860:4860::8888', 'public IPv6 right above 2001::/23'],
  ['2a00:1450:4001:80b::200e', 'public IPv6'],
  ['::ffff:8.8.8.8', 'mapped public IPv4'],
  ['::ffff:808:808', 'mapped public IPv4, hex'],
  // 6to4 of a public IPv4 reaches that public address: refusing it would protect nothing.
  ['2002:0808:0808::1', '6to4 of 8.8.8.8'],
  ['2002:808:808::', '6to4 of 8.8.8.8, compressed'],
];

describe('isPrivateAddress', () => {
  it.each(BLOCKED)('refuses %s (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(ALLOWED)('allows %s (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});


describe('checkBotUrl', () => {
  const refused = /private or loopback/;

  it.each([
    ['https://[::127.0.0.1]/bot', '[::7f00:1]'],
    ['https://[::ffff:127.0.0.1]/bot', '[::ffff:7f00:1]'],
    ['https://[0:0:0:0:0:ffff:7f00:1]/bot', '[::ffff:7f00:1]'],
    ['https://[2002:7f00:0001::]/bot', '[2002:7f00:1::]'],
    ['https://[64:ff9b::10.0.0.1]/bot', '[64:ff9b::a00:1]'],
  ])('sees through what URL parsing does to %s (hostname %s)', (raw, hostname) => {
    expect(new URL(raw).hostname).toBe(hostname);
    expect(() => checkBotUrl(raw, false)).toThrow(refused);
  });

  it.each([
    'https://[::1]/bot',
    'https://[::7f00:1]:8443/bot',
    'https://[2002:c0a8:0101::1]/bot',
    'https://[fec0::1]/bot',
    'https://[64:ff9b::a00:1]/bot',
    'https://[2001::1]/bot',
    'https://[fd00::1]/bot',
    'https://127.1/bot',
    'https://0x7f000001/bot',
    'https://2130706433/bot',
    'https://localhost/bot',
    'https://api.localhost/bot',
  ])('refuses %s', (raw) => {
    expect(() => checkBotUrl(raw, false)).toThrow(refused);
  });

  it.each(['https://[2606:4700::1111]/bot', 'https://[2002:0808:0808::1]/bot', 'https://8.8.8.8/bot', 'https://bot.example.com/bot'])('accepts %s', (raw) => {
    expect(checkBotUrl(raw, false).href).toBe(new URL(raw).href);
  });

  it('accepts private addresses only when allowed (development), and never a link-local zone in a URL', () => {
    expect(checkBotUrl('http://[::127.0.0.1]:3000/bot', true).hostname).toBe('[::7f00:1]');
    expect(() => checkBotUrl('http://[::1]/bot', false)).toThrow(/https/);
    expect(() => checkBotUrl('https://[fe80::1%25eth0]/bot', false)).toThrow(/not a valid URL/);
  });
});

describe('guardedLookup', () => {
  const resolve = (allowPrivate: boolean, host: string) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((done) => guardedLookup(allowPrivate)(host, {}, (err, address) => done({ err, address })));

  it('refuses a name that resolves to loopback at connect time, unless private networks are allowed', async () => {
    const blocked = await resolve(false, 'localhost');
    expect(blocked.err?.code).toBe('EBLOCKED');
    const allowed = await resolve(true, 'localhost');
    expect(allowed.err).toBeNull();
    expect(isPrivateAddress(String(allowed.address))).toBe(true);
  });
});
