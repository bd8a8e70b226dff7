import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ChannelRecords, RedisKeys } from '@app/store';
import { SecretBox } from '@app/secrets';
import { ChannelRepository } from './channel.repository.js';
import { parseChannel } from './channel.schema.js';
import type { BotProviderRules } from './provider-rules.js';

// Real Redis, own key prefix, only own keys deleted.
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`crs${randomBytes(4).toString('hex')}`);
const box = SecretBox.fromEnv(randomBytes(32).toString('base64url'));

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

const CLIENT_SECRET = 'kore-client-secret-4f7a9c2e1b8d';
const TOKEN = 'Bearer backend-token-9a8b7c6d';

const channel = (id: string, provider: string, config: Record<string, unknown>) =>
  parseChannel({
    id,
    genesys: { environment: 'mypurecloud.com' },
    app: { clientId: `${id}-app`, clientSecrets: ['repo-secret-0123456789abcdefghijklmnopqrstuvwxyz'] },
    bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: provider, config } }],
  });

/** A provider whose spec names `credentials.key` and `token` as secrets. */
const rules: BotProviderRules = {
  names: () => ['custom'],
  configProblems: () => [],
  secretPaths: () => ['credentials.key', 'token'],
};

describe('ChannelRepository: provider secrets at rest', () => {
  it('seals the paths the provider declares, in place, and opens them back', async () => {
    const repo = new ChannelRepository(new ChannelRecords(redis, keys), box, rules);
    const config = { url: 'https://bot.example.com', token: TOKEN, credentials: { key: CLIENT_SECRET, user: 'visible' }, headers: { authorization: TOKEN } };
    await repo.upsert(channel('ch1', 'custom', config));
    const raw = (await redis.get(keys.channel('ch1')))!;
    expect(raw).not.toContain(CLIENT_SECRET);
    expect(raw).not.toContain('backend-token');
    expect(raw).toContain('"user":"visible"');
    expect(JSON.parse(raw).bots[0].provider.config.credentials.key).toEqual({ $sealed: expect.stringMatching(/^v1\./) });
    expect((await repo.getFresh('ch1'))!.bots[0]!.provider.config).toEqual(config);
  });

  it('without the providers’ rules, still seals every key the built-in providers keep secrets in', async () => {
    const repo = new ChannelRepository(new ChannelRecords(redis, keys), box);
    const config = { webhookUrl: 'https://kore.example.com/hook', clientId: 'app', clientSecret: CLIENT_SECRET, apiKey: 'sk-abcdef', secret: 'dl-secret', credentials: { private_key: 'pem' } };
    await repo.upsert(channel('ch2', 'kore', config));
    const raw = (await redis.get(keys.channel('ch2')))!;
    for (const s of [CLIENT_SECRET, 'sk-abcdef', 'dl-secret', '"pem"']) expect(raw).not.toContain(s);
    expect((await repo.getFresh('ch2'))!.bots[0]!.provider.config).toEqual(config);
  });

  it('a sealed value copied into another channel does not open there', async () => {
    const repo = new ChannelRepository(new ChannelRecords(redis, keys), box, rules);
    await repo.upsert(channel('ch3', 'custom', { token: TOKEN }));
    const stored = JSON.parse((await redis.get(keys.channel('ch3')))!);
    stored.id = 'ch4';
    await redis.set(keys.channel('ch4'), JSON.stringify(stored));
    await expect(repo.getFresh('ch4')).rejects.toThrow();
  });
});
