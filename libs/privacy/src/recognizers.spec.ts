import { ibanChecksumValid, luhnValid } from './checksums.js';
import { redactCards, redactEmails, redactIbans, redactPhones } from './recognizers.js';
import { redactBuiltIn } from './redactor.js';

describe('luhnValid', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222', '79927398713'])('accepts %s', (n) => {
    expect(luhnValid(n)).toBe(true);
  });
  it.each(['4111111111111112', '1234567890123', '79927398710', '', '4111a11111111111'])('refuses %j', (n) => {
    expect(luhnValid(n)).toBe(false);
  });
});

describe('ibanChecksumValid', () => {
  it.each(['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'NO9386011117947', 'MT84MALT011000012345MTLCAST001S'])('accepts %s', (n) => {
    expect(ibanChecksumValid(n)).toBe(true);
  });
  it.each(['DE89370400440532013001', 'GB82WEST12345698765433', 'DE00370400440532013000', 'DE8'])('refuses %s', (n) => {
    expect(ibanChecksumValid(n)).toBe(false);
  });
});

describe('redactCards', () => {
  it.each([
    ['my card is 4111 1111 1111 1111 thanks', 'my card is [card ••••1111] thanks'],
    ['4111-1111-1111-1111', '[card ••••1111]'],
    ['pay with 4111111111111111.', 'pay with [card ••••1111].'],
    ['amex 3782 822463 10005 ok', 'amex [card ••••0005] ok'],
    ['19 digits 6011 1111 1111 1111 110?', '19 digits [card ••••1110]?'],
    ['card:5555555555554444', 'card:[card ••••4444]'],
    // The expiry right after the number is a separate group: the card is found inside the run.
    ['4111 1111 1111 1111 12/25', '[card ••••1111] 12/25'],
    ['ref 7 4111 1111 1111 1111', 'ref 7 [card ••••1111]'],
    ['two: 4111111111111111 and 5555 5555 5555 4444', 'two: [card ••••1111] and [card ••••4444]'],
  ])('%j', (input, expected) => {
    expect(redactCards(input)).toBe(expected);
  });

  it.each([
    'order 1234567890123',
    'order 4111111111111112',
    'twelve digits 411111111111',
    'twenty digits 41111111111111111111',
    '0000 0000 0000 0000',
    'phone +4111111111111111',
    'date 2024-01-15 and 12:30',
    'amount 1 234 567,89',
  ])('leaves %j', (input) => {
    expect(redactCards(input)).toBe(input);
  });
});

describe('redactIbans', () => {
  it.each([
    ['IBAN DE89 3704 0044 0532 0130 00 please', 'IBAN [iban] please'],
    ['DE89370400440532013000', '[iban]'],
    ['gb82 west 1234 5698 7654 32.', '[iban].'],
    ['to FR14 2004 1010 0505 0001 3M02 606, thanks', 'to [iban], thanks'],
    ['NO9386011117947 and NL91 ABNA 0417 1643 00', '[iban] and [iban]'],
    ['DE89 3704 0044 0532 0130 00 FR14 2004 1010 0505 0001 3M02 606', '[iban] [iban]'],
    ['DE89 3704 0044 0532 0130 00 1234', '[iban] 1234'],
  ])('%j', (input, expected) => {
    expect(redactIbans(input)).toBe(expected);
  });

  it.each([
    'DE89 3704 0044 0532 0130 01',
    'XX89370400440532013000',
    'DE89370400440532013000123',
    'product AB12CDEF34567890',
    'DE8937040044',
  ])('leaves %j', (input) => {
    expect(redactIbans(input)).toBe(input);
  });
});

describe('redactEmails', () => {
  it.each([
    ['mail jane.doe+shop@example.co.uk now', 'mail [email] now'],
    ['<a.b-c_d@mail-server.example.com>', '<[email]>'],
    ['Reach me at JOHN@EXAMPLE.COM.', 'Reach me at [email].'],
    ["o'brien@example.ie, x@y.io", '[email], [email]'],
  ])('%j', (input, expected) => {
    expect(redactEmails(input)).toBe(expected);
  });

  it.each(['no at sign here', 'user@localhost', 'twitter @handle', 'a@b', 'price@5', 'x@1.2.3.4'])('leaves %j', (input) => {
    expect(redactEmails(input)).toBe(input);
  });
});

describe('redactPhones', () => {
  it.each([
    ['call +44 20 7946 0958 today', 'call [phone] today'],
    ['+1 (555) 123-4567', '[phone]'],
    ['+33612345678', '[phone]'],
    ['+49 (0)30 1234567', '[phone]'],
    ['+44(0)20 7946 0958', '[phone]'],
    ['(555) 123-4567', '[phone]'],
    ['555-123-4567', '[phone]'],
    ['555.123.4567', '[phone]'],
    ['020 7946 0958', '[phone]'],
    ['06 12 34 56 78', '[phone]'],
    ['0612345678', '[phone]'],
    ['030/1234567', '[phone]'],
    ['0044 20 7946 0958', '[phone]'],
    ['tel: 612 345 678.', 'tel: [phone].'],
    ['ref 42 020 7946 0958', 'ref 42 [phone]'],
    ['1-800-555-1234', '1-[phone]'],
    ['my phone 07911 123456', 'my phone [phone]'],
    ['mobile 0171 1234567', 'mobile [phone]'],
    ['+1-202-555-0143', '[phone]'],
    ['06.12.34.56.78', '[phone]'],
    ['(06) 12 34 56 78', '[phone]'],
  ])('%j', (input, expected) => {
    expect(redactPhones(input)).toBe(expected);
  });

  it.each([
    'on 2024-01-15 at 12:30',
    'on 15.01.2024 10:30',
    '01/15/2024',
    'order 12345',
    'room 101, floor 3',
    '555-1234',
    'total $1 234 567 890',
    'total 1 234 567 890 €',
    'total 1 234 567,89',
    'server 192.168.100.200',
    'order 4567890123',
    'pi 3.14',
    '+1234567',
    'ZIP 90210-1234',
    'invoice 2024-000123',
    'ref 2024-01-15-0930',
    'on 15.01.2024.10.30',
    'between 2019 2020 2021',
    'order 000123456789',
    'ISBN 978-3-16-148410-0',
  ])('leaves %j', (input) => {
    expect(redactPhones(input)).toBe(input);
  });
});

describe('redactBuiltIn (all recognizers, in order)', () => {
  it('does not let the phone recognizer take a card or an IBAN apart', () => {
    expect(redactBuiltIn('card 4111 1111 1111 1111, iban DE89 3704 0044 0532 0130 00, phone 020 7946 0958, mail a@b.io')).toBe(
      'card [card ••••1111], iban [iban], phone [phone], mail [email]',
    );
  });

  it('leaves text without digits or @ as the same string', () => {
    const s = 'Hello, I would like to change my delivery address.';
    expect(redactBuiltIn(s)).toBe(s);
  });

  it('keeps a redacted text as it is when redacted again', () => {
    const once = redactBuiltIn('4111111111111111 / +33 6 12 34 56 78 / x@y.io / DE89370400440532013000');
    expect(redactBuiltIn(once)).toBe(once);
  });

  it('keeps uuids and ids with digits', () => {
    for (const s of ['123e4567-e89b-12d3-a456-426614174000', 'turn-0612345678ab', 'v1.2.3', 'b5f0c1d2-7a8e-4f3a-9b1c-2d3e4f5a6b7c']) expect(redactBuiltIn(s)).toBe(s);
  });

  it('runs in linear time on adversarial input', () => {
    for (const s of ['1 '.repeat(30_000), 'a'.repeat(60_000) + '@', '+1'.repeat(30_000), 'DE89'.repeat(15_000), `${'a.'.repeat(30_000)}@x`, '(1)'.repeat(20_000)]) {
      const started = process.hrtime.bigint();
      redactBuiltIn(s);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    }
  });
});
