import { createHmac } from 'node:crypto';
import {
  MIN_CLIENT_SECRET_BYTES,
  assertStrongSecret,
  bearerCredential,
  generateClientId,
  generateClientSecret,
  mintBotConnectorToken,
} from './index.js';

const SECRET = 'q3J9vT0xWm2yB7cLr8Pz4KdN1sHf6UeA5gQ0iXoYtRw';
const CLIENT_ID = 'a1c5d1f2-6b7e-4a0c-9d3e-0f1a2b3c4d5e';
const NOW_MS = 1_800_000_000_500;

const decodeSegment = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

describe('mintBotConnectorToken', () => {
  it('mints an HS256 JWT carrying appId and iat, signed with the client secret', () => {
    const token = mintBotConnectorToken({ clientId: CLIENT_ID, clientSecret: SECRET }, { now: NOW_MS });
    const [header, payload, signature] = token.split('.');

    expect(decodeSegment(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeSegment(payload)).toEqual({ appId: CLIENT_ID, iat: 1_800_000_000 });
    // Independent check that the MAC is plain HMAC-SHA256 over the UTF-8 secret, as Kore-style peers compute it.
    expect(signature).toBe(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'));
  });

  it('adds exp when asked', () => {
    const token = mintBotConnectorToken({ clientId: CLIENT_ID, clientSecret: SECRET }, { now: NOW_MS, expiresInSeconds: 3600 });
    expect(decodeSegment(token.split('.')[1])).toEqual({ appId: CLIENT_ID, iat: 1_800_000_000, exp: 1_800_003_600 });
  });

  it.each([0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses expiresInSeconds = %p', (ttl) => {
    expect(() => mintBotConnectorToken({ clientId: CLIENT_ID, clientSecret: SECRET }, { expiresInSeconds: ttl })).toThrow(
      /expiresInSeconds/,
    );
  });

  it('refuses a weak secret and an empty clientId', () => {
    expect(() => mintBotConnectorToken({ clientId: CLIENT_ID, clientSecret: 'short' })).toThrow(/at least 32/);
    expect(() => mintBotConnectorToken({ clientId: '', clientSecret: SECRET })).toThrow(/clientId/);
  });

  it('bearerCredential builds the Genesys credential value', () => {
    expect(bearerCredential('h.p.s')).toBe('bearer h.p.s');
  });
});

describe('generateClientSecret / generateClientId', () => {
  it('generates 32 random bytes as unpadded base64url', () => {
    const secret = generateClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(() => assertStrongSecret(secret)).not.toThrow();
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateClientSecret));
    const ids = new Set(Array.from({ length: 200 }, generateClientId));
    expect(secrets.size).toBe(200);
    expect(ids.size).toBe(200);
  });

  it('client ids are UUIDs', () => {
    expect(generateClientId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('assertStrongSecret (§3.8 item 11)', () => {
  it.each([
    ['empty', ''],
    ['a dictionary word', 'secret'],
    ['31 bytes', 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0U'],
    ['a repeated placeholder', 'changeme'.repeat(4)],
    ['one repeated character', 'a'.repeat(64)],
  ])('refuses %s', (_label, secret) => {
    expect(() => assertStrongSecret(secret)).toThrow();
  });

  it('never puts the secret in the error message', () => {
    const weak = 'hunter2-hunter2';
    expect(() => assertStrongSecret(weak)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(weak) }));
  });

  it('accepts exactly 32 varied bytes', () => {
    const secret = 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv';
    expect(Buffer.byteLength(secret)).toBe(MIN_CLIENT_SECRET_BYTES);
    expect(() => assertStrongSecret(secret)).not.toThrow();
  });

  it('counts bytes, not characters', () => {
    // 16 two-byte characters: 32 bytes, so it passes the length bar.
    expect(() => assertStrongSecret('éèêëàâäîïôöùûüçñ')).not.toThrow();
  });
});
