import { checkGenesysBaseUrl } from './genesys-base-url.js';

describe('checkGenesysBaseUrl (an override of the Genesys hosts: secrets and tokens go there)', () => {
  it.each([
    ['https://login.example.com/some/path', { origin: 'https://login.example.com', localEmulator: false }],
    ['http://127.0.0.1:9555', { origin: 'http://127.0.0.1:9555', localEmulator: true }],
    ['http://localhost:9555/', { origin: 'http://localhost:9555', localEmulator: true }],
    ['http://[::1]:9555', { origin: 'http://[::1]:9555', localEmulator: true }],
  ])('accepts %s', (raw, expected) => {
    expect(checkGenesysBaseUrl(raw)).toEqual(expected);
  });

  it.each([
    'http://login.example.com',
    'http://10.0.0.8:9555',
    // Resolved through DNS outside resolvers that special-case it: not necessarily this machine.
    'http://emulator.localhost:9555',
    'https://user:pw@login.example.com',
    'ftp://127.0.0.1',
    'not a url',
  ])('refuses %s', (raw) => {
    expect(checkGenesysBaseUrl(raw)).toEqual({ problem: expect.any(String) });
  });
});
