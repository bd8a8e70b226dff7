import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { AdminAuthError, API_KEY_PATTERN, API_KEY_PREFIX, USERNAME_PATTERN, type AdminUser, type ApiKeyRecord } from '@app/admin-auth/admin-auth.types.js';
import { hashPassword, passwordProblem, verifyPassword } from '@app/admin-auth/passwords.js';


const sha256 = (s: string) => createHash('sha256').update(s).digest();
const newEpoch = () => randomBytes(12).toString('base64url');

/**
 * Admin users (scrypt) and API keys (SHA-256 of a 256-bit random secret: a fast hash is right for
 * a high-entropy key, and keeps every API call cheap) in Redis. Used by the ingress and the CLI.
 */
export class AdminUsersStore {
  /** Spent on unknown usernames so a login takes as long whether or not the user exists. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async createUser(username: string, password: string): Promise<AdminUser> {
    if (!USERNAME_PATTERN.test(username)) throw new AdminAuthError('invalid_username', 'username: 2-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit');
    const weak = passwordProblem(password);
    if (weak) throw new AdminAuthError('weak_password', `password ${weak}`);
    const user: AdminUser = { username, passwordHash: await hashPassword(password), createdAt: new Date().toISOString(), epoch: newEpoch() };
    if ((await this.redis.hsetnx(this.keys.adminUsers(), username.toLowerCase(), JSON.stringify(user))) === 0) {
      throw new AdminAuthError('exists', `user "${username}" already exists`);
    }
    return user;
  }

  /** A new password and a new epoch: sessions made with the old password are refused from now on. */
  async setPassword(username: string, password: string): Promise<void> {
    const user = await this.getUser(username);
    if (!user) throw new AdminAuthError('not_found', `no user "${username}"`);
    const weak = passwordProblem(password);
    if (weak) throw new AdminAuthError('weak_password', `password ${weak}`);
    const changed: AdminUser = { ...user, passwordHash: await hashPassword(password), epoch: newEpoch() };
    await this.redis.hset(this.keys.adminUsers(), username.toLowerCase(), JSON.stringify(changed));
  }

  async getUser(username: string): Promise<AdminUser | undefined> {
    const raw = await this.redis.hget(this.keys.adminUsers(), username.toLowerCase());
    return raw ? (JSON.parse(raw) as AdminUser) : undefined;
  }

  async listUsers(): Promise<{ username: string; createdAt: string }[]> {
    const all = await this.redis.hvals(this.keys.adminUsers());
    return all.map((r) => JSON.parse(r) as AdminUser).map(({ username, createdAt }) => ({ username, createdAt })).sort((a, b) => a.username.localeCompare(b.username));
  }

  async deleteUser(username: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.adminUsers(), username.toLowerCase())) === 1;
  }

  /** The user when the password is right; the same work is done for unknown users. */
  async checkPassword(username: string, password: string): Promise<AdminUser | undefined> {
    const user = USERNAME_PATTERN.test(username) ? await this.getUser(username) : undefined;
    if (!user) {
      this.dummyHash ??= hashPassword('not a real password, only spent time');
      await verifyPassword(password, await this.dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  async createApiKey(name: string): Promise<{ key: string; record: ApiKeyRecord }> {
    if (!/^[\x20-\x7e]{1,100}$/.test(name) || !name.trim()) throw new AdminAuthError('invalid_name', 'name: 1-100 printable characters');
    const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '').padEnd(12, '0').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = { id, name: name.trim(), secretHash: sha256(secret).toString('hex'), createdAt: new Date().toISOString() };
    await this.redis.hset(this.keys.adminApiKeys(), id, JSON.stringify(record));
    return { key: `${API_KEY_PREFIX}_${id}_${secret}`, record };
  }

  async listApiKeys(): Promise<Omit<ApiKeyRecord, 'secretHash'>[]> {
    const all = await this.redis.hvals(this.keys.adminApiKeys());
    return all.map((r) => JSON.parse(r) as ApiKeyRecord).map(({ secretHash: _, ...rest }) => rest).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revokeApiKey(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.adminApiKeys(), id)) === 1;
  }

  /** The key's record when `presented` is a live key; compared by hash in constant time. */
  async checkApiKey(presented: string): Promise<ApiKeyRecord | undefined> {
    const m = API_KEY_PATTERN.exec(presented);
    if (!m) return undefined;
    const raw = await this.redis.hget(this.keys.adminApiKeys(), m[1]!);
    if (!raw) return undefined;
    const record = JSON.parse(raw) as ApiKeyRecord;
    const expected = Buffer.from(record.secretHash, 'hex');
    const given = sha256(m[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given) ? record : undefined;
  }
}
