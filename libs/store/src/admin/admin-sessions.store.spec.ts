import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys.js';
import { AdminSessionsStore, sessionMatchesUser } from './admin-sessions.store.js';
import { AdminUsersStore } from './admin-users.store.js';

// Real Redis, own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tas${randomBytes(4).toString('hex')}`);
const sessions = new AdminSessionsStore(redis, keys, 60_000);
const users = new AdminUsersStore(redis, keys);
const PASSWORD = 'correct horse battery staple';

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

describe('AdminSessionsStore (real Redis)', () => {
  it('ends every session of one user from its index, and no one else’s', async () => {
    const dave = await Promise.all([1, 2, 3].map(() => sessions.create({ username: 'Dave', epoch: 'e1' })));
    const alice = await sessions.create({ username: 'alice', epoch: 'e1' });
    expect(await redis.zcard(keys.adminUserSessions('dave'))).toBe(3);

    expect(await sessions.destroyAllOf('DAVE')).toBe(3);
    for (const s of dave) expect(await sessions.get(s.sessionId)).toBeUndefined();
    expect(await sessions.get(alice.sessionId)).toMatchObject({ username: 'alice' });
    expect(await redis.exists(keys.adminUserSessions('dave'))).toBe(0);
    expect(await sessions.destroyAllOf('dave')).toBe(0);
  });

  it('forgets a logged-out session in the index, and expired ones when the next is made', async () => {
    const short = new AdminSessionsStore(redis, keys, 150);
    const first = await short.create({ username: 'erin' });
    const second = await short.create({ username: 'erin' });
    await short.destroy({ id: first.sessionId, username: 'erin' });
    expect(await redis.zcard(keys.adminUserSessions('erin'))).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    expect(await short.get(second.sessionId)).toBeUndefined();
    await sessions.create({ username: 'erin' });
    expect(await redis.zcard(keys.adminUserSessions('erin'))).toBe(1);
    expect(await redis.pttl(keys.adminUserSessions('erin'))).toBeGreaterThan(50_000);
  });
});

describe('sessionMatchesUser (a session lives only as long as the credential it was made with)', () => {
  it('refuses a session after a password change, a deletion, and a re-creation under the same name', async () => {
    const user = await users.createUser('frank', PASSWORD);
    const { session } = await sessions.create(user);
    expect(sessionMatchesUser(session, await users.getUser('frank'))).toBe(true);

    await users.setPassword('frank', 'another long passphrase');
    expect(sessionMatchesUser(session, await users.getUser('frank'))).toBe(false);
    const { session: after } = await sessions.create((await users.getUser('frank'))!);
    expect(sessionMatchesUser(after, await users.getUser('frank'))).toBe(true);

    await users.deleteUser('frank');
    expect(sessionMatchesUser(after, await users.getUser('frank'))).toBe(false);
    await users.createUser('frank', PASSWORD);
    expect(sessionMatchesUser(after, await users.getUser('frank'))).toBe(false);
  });

  it('keeps sessions made before epochs existed working until the credential changes', async () => {
    const legacyUser = { username: 'grace', passwordHash: 'x', createdAt: new Date().toISOString() };
    const legacySession = { username: 'grace', csrfToken: 't', createdAt: legacyUser.createdAt, expiresAt: Date.now() + 1000 };
    expect(sessionMatchesUser(legacySession, legacyUser)).toBe(true);
    expect(sessionMatchesUser(legacySession, { ...legacyUser, epoch: 'new' })).toBe(false);
  });
});
