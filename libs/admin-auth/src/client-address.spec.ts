import { throttleAddress } from './client-address.js';

describe('throttleAddress (the client a login attempt counts against)', () => {
  it('keys IPv6 by its /64, however the address is written', () => {
    const same = ['2001:db8:aa:bb::1', '2001:db8:aa:bb:ffff:1:2:3', '2001:0DB8:00aa:00bb:0000:0000:0000:0009', '2001:db8:aa:bb::', '2001:db8:aa:bb::7%eth0'];
    expect(new Set(same.map(throttleAddress))).toEqual(new Set(['2001:db8:aa:bb::/64']));
    expect(throttleAddress('2001:db8:aa:bc::1')).toBe('2001:db8:aa:bc::/64');
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
    expect(throttleAddress('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(throttleAddress('::2001:db8:aa:bb:1')).toBe('0:0:0:2001::/64');
    expect(throttleAddress('1:2:3:4:5:6:7:8')).toBe('1:2:3:4::/64');
    // Other dotted tails only change the low half.
    expect(throttleAddress('2001:db8:aa:bb::192.0.2.1')).toBe('2001:db8:aa:bb::/64');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 client, in both spellings', () => {
    expect(throttleAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(throttleAddress('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(throttleAddress('0:0:0:0:0:ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(throttleAddress('192.0.2.1')).toBe('192.0.2.1');
  });

  it('counts a NAT64 client as the IPv4 client behind the translator, not as the translator\'s /64', () => {
    expect(throttleAddress('64:ff9b::192.0.2.1')).toBe('192.0.2.1');
    expect(throttleAddress('64:ff9b::c000:202')).toBe('192.0.2.2');
  });

  it('keeps anything else as one bounded subject', () => {
    expect(throttleAddress('not an address')).toBe('not an address');
    expect(throttleAddress('x'.repeat(500))).toHaveLength(64);
  });
});
