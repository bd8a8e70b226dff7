import { intToIpv4, ipv4ToInt, isIPv4Mapped, isNat64, lowIPv4, parseIPv6 } from './ip-address.js';

describe('parseIPv6', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::127.0.0.1', [0, 0, 0, 0, 0, 0, 0x7f00, 1]],
    ['::ffff:192.168.1.1', [0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101]],
    ['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]],
    ['2002:7f00:0001::', [0x2002, 0x7f00, 1, 0, 0, 0, 0, 0]],
    ['1:2:3:4:5:6:7::', [1, 2, 3, 4, 5, 6, 7, 0]],
    ['fe80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
    ['2606:4700::1111', [0x2606, 0x4700, 0, 0, 0, 0, 0, 0x1111]],
  ])('reads %s', (text, groups) => {
    expect(parseIPv6(text)).toEqual(groups);
  });

  it.each(['', '1.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', '::1.2.3', 'g::1', '[::1]'])('refuses %j', (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });
});

describe('embedded IPv4', () => {
  it('reads the IPv4 of a mapped or NAT64 address, and names which it is', () => {
    const mapped = parseIPv6('::ffff:c000:0201')!;
    expect(isIPv4Mapped(mapped)).toBe(true);
    expect(intToIpv4(lowIPv4(mapped))).toBe('192.0.2.1');
    const nat64 = parseIPv6('64:ff9b::198.51.100.7')!;
    expect(isNat64(nat64)).toBe(true);
    expect(isIPv4Mapped(nat64)).toBe(false);
    expect(intToIpv4(lowIPv4(nat64))).toBe('198.51.100.7');
    expect(isNat64(parseIPv6('64:ff9b:1::1')!)).toBe(false);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
  });
});
