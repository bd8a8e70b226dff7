import { randomBytes } from 'node:crypto';
import { DEV_ONLY_SECRETS_KEY, SecretBox, SecretBoxError } from './secret-box.js';

describe('SecretBox', () => {
  const box = SecretBox.fromEnv(randomBytes(32).toString('base64url'));

  it('round-trips and never shows the plaintext in the sealed form', () => {
    const sealed = box.seal('s3cr3t-value', 'channel:a:clientSecret');
    expect(sealed).not.toContain('s3cr3t');
    expect(sealed.startsWith(`v1.${box.keyId}.`)).toBe(true);
    expect(box.open(sealed, 'channel:a:clientSecret')).toBe('s3cr3t-value');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses a value moved to another record, a tampered value, and another key', () => {
    const sealed = box.seal('s3cr3t', 'channel:a:clientSecret');
    expect(() => box.open(sealed, 'channel:b:clientSecret')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'channel:a:clientSecret')).toThrow('does not authenticate');
    const other = SecretBox.fromEnv(randomBytes(32).toString('hex'));
    expect(() => other.open(sealed, 'channel:a:clientSecret')).toThrow('another key');
    expect(() => box.open('plain', 'x')).toThrow('not a sealed value');
  });

  it('accepts base64url and hex keys of 32 bytes only', () => {
    expect(() => SecretBox.fromEnv('short')).toThrow('32 bytes');
    expect(SecretBox.fromEnv(DEV_ONLY_SECRETS_KEY).keyId).toMatch(/^[0-9a-f]{8}$/);
  });
});
