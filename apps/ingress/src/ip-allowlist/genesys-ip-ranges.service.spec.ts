import { randomBytes } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Channel, ChannelRepository } from '@app/channels';
import { IngressConfig } from '@app/config';
import { GenesysApiClientFactory } from '@app/genesys-api';
import type { GenesysTokenStore } from '@app/genesys-oauth';
import { IpRangesStore, RedisKeys } from '@app/store';
import { GatewayError } from '@app/errors';
import type { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import type { IpRangesSource } from './genesys-ip-ranges.fetcher.js';
import { GenesysIpRanges, type IpRangesOptions } from './genesys-ip-ranges.service.js';
import { GenesysSourceCheck } from './genesys-source-check.service.js';
import { WEBHOOK_REFUSAL_MESSAGE } from '../bot-connector/webhook-edge.js';

// Real Redis, own key prefix, only own keys deleted (see test/support/global-setup.mjs).
const redis = new Redis(process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = new RedisKeys(`tipr${randomBytes(4).toString('hex')}`);

/** Every Nest log line, to check what is warned about and how often. */
const logs: { level: string; obj: unknown; msg: string }[] = [];
const recorder: LoggerService = {
  log: (obj: unknown, msg: string) => void logs.push({ level: 'log', obj, msg }),
  error: (obj: unknown, msg: string) => void logs.push({ level: 'error', obj, msg }),
  warn: (obj: unknown, msg: string) => void logs.push({ level: 'warn', obj, msg }),
  debug: (obj: unknown, msg: string) => void logs.push({ level: 'debug', obj, msg }),
  verbose: () => undefined,
};
const logged = (level: string, text: string) => logs.filter((l) => l.level === level && String(l.msg).includes(text));

beforeAll(() => Logger.overrideLogger(recorder));
afterAll(async () => {
  Logger.overrideLogger(false);
  const found = await redis.keys(`${keys.prefix}:*`);
  if (found.length) await redis.unlink(...found);
  redis.disconnect();
});

/** What Genesys "publishes": a list, or an error, per call; records who asked. */
class FakeSource implements IpRangesSource {
  calls: string[] = [];
  answer: string[] | Error = ['127.0.0.0/8'];
  delayMs = 0;
  async fetchBotConnectorCidrs(apiBaseUrl: string): Promise<string[]> {
    this.calls.push(apiBaseUrl);
    if (this.delayMs) await sleep(this.delayMs);
    if (this.answer instanceof Error) throw this.answer;
    return [...this.answer];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const services: GenesysIpRanges[] = [];

/** A region of its own per test (an emulator-style base URL), so tests share no Redis key. */
function setup(opts: { refreshMs?: number; channels?: Channel[]; baseUrl?: string; options?: IpRangesOptions; source?: FakeSource } = {}) {
  const baseUrl = opts.baseUrl ?? `http://region-${++n}.test:${9000 + n}`;
  const config = Object.assign(new IngressConfig(), { GENESYS_BASE_URL: baseUrl, GENESYS_IP_RANGES_REFRESH_MS: opts.refreshMs ?? 3_600_000 });
  const source = opts.source ?? new FakeSource();
  const factory = new GenesysApiClientFactory({} as GenesysTokenStore, { baseUrlOverride: config.GENESYS_BASE_URL });
  const repo = { list: async () => opts.channels ?? [] } as unknown as ChannelRepository;
  const service = new GenesysIpRanges(config, new IpRangesStore(redis, keys), repo, factory, source, { requestWaitMs: 500, retryBaseMs: 60_000, ...opts.options });
  services.push(service);
  return { service, source, baseUrl, config };
}
afterEach(() => {
  for (const s of services.splice(0)) s.onApplicationShutdown();
  logs.length = 0;
});

function channel(id: string, genesys: Partial<Channel['genesys']> = {}): Channel {
  return { id, enabled: true, genesys: { environment: 'mypurecloud.ie', restrictToGenesysIps: true, ...genesys } } as Channel;
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('GenesysIpRanges', () => {
  it('fetches a region once on first use, then answers from memory', async () => {
    const { service, source, baseUrl } = setup();
    const ch = channel('c1');
    expect(await service.verdict(ch, '127.0.0.1')).toBe('allowed');
    expect(await service.verdict(ch, '::ffff:127.0.0.5')).toBe('allowed');
    expect(await service.verdict(ch, '203.0.113.9')).toBe('denied');
    expect(source.calls).toEqual([baseUrl]);
  });

  it('shares the list through Redis: another process (or a restart) uses it without asking Genesys', async () => {
    const first = setup();
    expect(await first.service.verdict(channel('c1'), '127.0.0.1')).toBe('allowed');
    const stored = JSON.parse((await redis.get(keys.ipRanges(first.baseUrl)))!);
    expect(stored).toMatchObject({ apiBaseUrl: first.baseUrl, cidrs: ['127.0.0.0/8'] });
    expect(await redis.pttl(keys.ipRanges(first.baseUrl))).toBeGreaterThan(86_400_000);

    const second = setup({ baseUrl: first.baseUrl });
    second.source.answer = new Error('Genesys unreachable');
    expect(await second.service.verdict(channel('c1'), '127.0.0.1')).toBe('allowed');
    expect(second.source.calls).toEqual([]);
  });

  it('is unavailable while nothing was ever loaded, logs an error once per failure streak, and recovers', async () => {
    const { service, source } = setup({ options: { retryUnknownAfterMs: 100 } });
    source.answer = new Error('could not reach http://x (ECONNREFUSED)');
    const ch = channel('c1');
    expect(await service.verdict(ch, '127.0.0.1')).toBe('unavailable');
    // Within the retry floor a request does not ask Genesys again.
    expect(await service.verdict(ch, '127.0.0.1')).toBe('unavailable');
    expect(source.calls).toHaveLength(1);
    await sleep(120);
    expect(await service.verdict(ch, '127.0.0.1')).toBe('unavailable');
    expect(source.calls).toHaveLength(2);
    expect(logged('error', 'could not be loaded')).toHaveLength(1);
    expect(JSON.stringify(logged('error', 'could not be loaded')[0]!.obj)).toContain('ECONNREFUSED');

    source.answer = ['127.0.0.0/8'];
    await sleep(120);
    expect(await service.verdict(ch, '127.0.0.1')).toBe('allowed');
    expect(logged('log', 'loaded again')).toHaveLength(1);
  });

  it('refreshes on its timer (with jitter), and a failed refresh keeps the last good list with one warning per streak', async () => {
    const { service, source } = setup({ refreshMs: 100, options: { retryBaseMs: 100 } });
    const ch = channel('c1');
    source.answer = ['198.51.100.0/24'];
    expect(await service.verdict(ch, '198.51.100.1')).toBe('allowed');

    source.answer = new Error('HTTP 503');
    const before = source.calls.length;
    await until(() => source.calls.length >= before + 3);
    expect(await service.verdict(ch, '198.51.100.1')).toBe('allowed');
    expect(logged('warn', 'keeping the last good list')).toHaveLength(1);

    source.answer = ['203.0.113.0/24'];
    await until(() => logged('log', 'loaded again').length === 1);
    expect(await service.verdict(ch, '203.0.113.9')).toBe('allowed');
    expect(await service.verdict(ch, '198.51.100.1')).toBe('denied');

    // A new streak warns again.
    source.answer = new Error('HTTP 500');
    await until(() => logged('warn', 'keeping the last good list').length === 2);
  });

  it('a refused address makes it fetch again only when the list is older than the floor', async () => {
    const { service, source } = setup({ options: { refetchOnRefusalAfterMs: 300 } });
    const ch = channel('c1');
    source.answer = ['198.51.100.0/24'];
    expect(await service.verdict(ch, '127.0.0.1')).toBe('denied');
    expect(source.calls).toHaveLength(1);
    source.answer = ['198.51.100.0/24', '127.0.0.0/8'];
    // Refusals within the floor do not reach Genesys, however many.
    for (let i = 0; i < 20; i++) expect(await service.verdict(ch, '127.0.0.1')).toBe('denied');
    expect(source.calls).toHaveLength(1);
    await sleep(320);
    // Past the floor the refused request itself waits for the new list and is let in.
    expect(await service.verdict(ch, '127.0.0.1')).toBe('allowed');
    expect(source.calls).toHaveLength(2);
  });

  it('ignores bad CIDRs with a warning; a list with nothing usable counts as a failed fetch', async () => {
    const { service, source } = setup({ options: { retryUnknownAfterMs: 0 } });
    const ch = channel('c1');
    source.answer = ['not-a-cidr', '999.1.1.1/8'];
    expect(await service.verdict(ch, '127.0.0.1')).toBe('unavailable');
    expect(logged('warn', 'not valid CIDRs')).toHaveLength(1);
    expect(logged('error', 'could not be loaded')).toHaveLength(1);
    expect(JSON.stringify(logged('error', 'could not be loaded')[0]!.obj)).toContain('no usable bot-connector range');

    source.answer = ['127.0.0.0/8', '10.0.0.0/99'];
    expect(await service.verdict(ch, '127.0.0.1')).toBe('allowed');
    expect(JSON.stringify(logged('warn', 'not valid CIDRs')[1]!.obj)).toContain('10.0.0.0/99');
  });

  it('answers unavailable when the fetch outlasts the request wait, and uses the list once it lands', async () => {
    const { service, source } = setup({ options: { requestWaitMs: 50 } });
    source.delayMs = 300;
    const ch = channel('c1');
    expect(await service.verdict(ch, '127.0.0.1')).toBe('unavailable');
    await sleep(300);
    expect(await service.verdict(ch, '127.0.0.1')).toBe('allowed');
    expect(source.calls).toHaveLength(1);
  });

  it('concurrent first calls share one fetch', async () => {
    const { service, source } = setup();
    source.delayMs = 50;
    const ch = channel('c1');
    const all = await Promise.all(Array.from({ length: 20 }, () => service.verdict(ch, '127.0.0.1')));
    expect(all.every((v) => v === 'allowed')).toBe(true);
    expect(source.calls).toHaveLength(1);
  });

  it('warms up at start only the regions of enabled channels that use the check', async () => {
    const source = new FakeSource();
    const restricted = channel('r1', { oauth: { clientId: 'x', clientSecret: 'y'.repeat(16), grant: 'client_credentials', pkce: false, scopes: [], baseUrl: 'https://restricted.test:1' } });
    const open = channel('o1', { restrictToGenesysIps: undefined, oauth: { clientId: 'x', clientSecret: 'y'.repeat(16), grant: 'client_credentials', pkce: false, scopes: [], baseUrl: 'https://open.test:1' } });
    const disabled = { ...channel('d1', { oauth: { clientId: 'x', clientSecret: 'y'.repeat(16), grant: 'client_credentials', pkce: false, scopes: [], baseUrl: 'https://disabled.test:1' } }), enabled: false };
    const { service } = setup({ source, channels: [restricted, open, disabled] });
    await service.onApplicationBootstrap();
    await until(() => source.calls.length === 1);
    await sleep(50);
    expect(source.calls).toEqual(['https://restricted.test:1']);
  });

  it('resolves the region as the API client factory does', () => {
    const withOAuth = channel('a', { oauth: { clientId: 'x', clientSecret: 'y'.repeat(16), grant: 'client_credentials', pkce: false, scopes: [], baseUrl: 'https://own.test:9/' } });
    const plain = channel('b');
    const { service, baseUrl } = setup();
    expect(service.apiBaseUrlOf(withOAuth)).toBe('https://own.test:9');
    expect(service.apiBaseUrlOf(plain)).toBe(baseUrl);
    const config = Object.assign(new IngressConfig(), { GENESYS_IP_RANGES_REFRESH_MS: 3_600_000 });
    const noOverride = new GenesysIpRanges(config, new IpRangesStore(redis, keys), {} as ChannelRepository, new GenesysApiClientFactory({} as GenesysTokenStore, {}), new FakeSource());
    expect(noOverride.apiBaseUrlOf(channel('c', { environment: 'mypurecloud.ie' }))).toBe('https://api.mypurecloud.ie');
    expect(noOverride.apiBaseUrlOf(channel('d', { environment: 'usw2.pure.cloud', oauth: { clientId: 'x', clientSecret: 'y'.repeat(16), grant: 'client_credentials', pkce: false, scopes: [] } }))).toBe('https://api.usw2.pure.cloud');
  });
});

describe('GenesysSourceCheck', () => {
  const rejected: string[] = [];
  const metrics = { rejected: { inc: ({ reason }: { reason: string }) => void rejected.push(reason) } } as unknown as IngressMetrics;
  beforeEach(() => (rejected.length = 0));

  async function refusal(check: GenesysSourceCheck, ch: Channel, ip: string): Promise<GatewayError | undefined> {
    try {
      await check.assertFromGenesys(ch, { ip } as never);
      return undefined;
    } catch (e) {
      return e as GatewayError;
    }
  }

  it('lets a channel without the flag through without looking at the ranges', async () => {
    const { service, source } = setup();
    const check = new GenesysSourceCheck(service, metrics);
    expect(await refusal(check, channel('c1', { restrictToGenesysIps: undefined }), '203.0.113.9')).toBeUndefined();
    expect(source.calls).toEqual([]);
    expect(rejected).toEqual([]);
  });

  it('refuses an outside address with 403 and a warning naming the IP', async () => {
    const { service } = setup();
    const err = await refusal(new GenesysSourceCheck(service, metrics), channel('c1'), '203.0.113.9');
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'forbidden', message: WEBHOOK_REFUSAL_MESSAGE });
    expect(rejected).toEqual(['ip_not_allowed']);
    expect(logged('warn', 'outside the Genesys bot-connector ranges')[0]!.obj).toEqual({ channelId: 'c1', ip: '203.0.113.9' });
  });

  it('refuses with 503 and Retry-After 30 while the ranges are unknown, and logs an error', async () => {
    const { service, source } = setup();
    source.answer = new Error('down');
    const err = await refusal(new GenesysSourceCheck(service, metrics), channel('c1'), '127.0.0.1');
    expect(err).toMatchObject({ code: 'unavailable', message: 'source ranges of Genesys not loaded yet', retryAfterSeconds: 30 });
    expect(rejected).toEqual(['ip_ranges_unavailable']);
    expect(logged('error', 'not loaded yet')).toHaveLength(1);
  });
});
