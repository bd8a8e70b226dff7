import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const VERSION = 'v1';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * Seals secrets for storage in Redis with AES-256-GCM: a random 96-bit IV per value, the 128-bit
 * tag kept, and the record's context (e.g. `channel:demo:clientSecret`) as associated data, so a
 * sealed value copied into another record does not open. The key id in each value tells a wrong
 * SECRETS_KEY apart from tampering.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('SECRETS_KEY must decode to exactly 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** Accepts the SECRETS_KEY forms we document: 32 bytes as base64/base64url, or 64 hex characters. */
  static fromEnv(value: string): SecretBox {
    const v = value.trim();
    const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64url');
    return new SecretBox(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed value');
    const [, keyId, iv, ct, tag] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) throw new SecretBoxError(`sealed with another key (${keyId}); is SECRETS_KEY the one this data was written with?`);
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed value does not authenticate (tampered, or stored under another record)');
    }
  }
}

/**
 * The key used when SECRETS_KEY is not set outside production: fixed, public and clearly not a
 * secret, so development works out of the box and production refuses to start without a real one.
 */
export const DEV_ONLY_SECRETS_KEY = createHash('sha256').update('genesys-bot-gateway DEV-ONLY secrets key: not for production').digest('base64url');

/** The box for a process: SECRETS_KEY, or the public development key when it is unset (config refuses that in production). */
export function secretBoxFor(config: { SECRETS_KEY?: string }): SecretBox {
  return SecretBox.fromEnv(config.SECRETS_KEY ?? DEV_ONLY_SECRETS_KEY);
}

/** How to make a random 32-byte key (SECRETS_KEY, ADMIN_TOKEN), for start-up error messages. */
export const SECRETS_KEY_HELP = 'Make one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"';
