import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parse as parseYaml } from 'yaml';
import { BUILT_IN_BOT_PROVIDERS, BotProviderRegistry, BotProvidersModule } from '@app/bot-providers';
import { parseChannel } from '@app/channels';

const DIR = join(process.cwd(), 'docs/providers');

/** A service-account key as Google's key files carry it, for the elided one of the Dialogflow page. */
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim();

/** Placeholders as a reader fills them in: their own key, a host in URLs, a strong secret where one is asked for, else a word. */
function fillIn(yaml: string): string {
  return yaml
    .replace(/^( *)-----BEGIN PRIVATE KEY-----\n[^\n]*…\n *-----END PRIVATE KEY-----/m, (_m, indent: string) => PEM.split('\n').map((l) => indent + l).join('\n'))
    .replace(/<at least 32[^>]*>|<[^>]*random[^>]*>/gi, 'Zq8v3Jk0pL5sW2nX7bR4tY9uE1iO6aSd-fGhJkLmN0p')
    .replace(/https:\/\/<[^>]*>/g, 'https://backend.example.com')
    .replace(/<[^>\n]*>/g, 'placeholder-value');
}

/** Every ```yaml block of the provider pages that defines channels. */
function channelExamples(): { page: string; block: number; channels: unknown[] }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.md'))
    .flatMap((page) => {
      const text = readFileSync(join(DIR, page), 'utf8');
      const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
      return blocks
        .map((yaml, block) => ({ page, block, doc: parseYaml(fillIn(yaml)) as { channels?: unknown[] } }))
        .filter((b) => Array.isArray(b.doc?.channels))
        .map((b) => ({ page: b.page, block: b.block, channels: b.doc.channels! }));
    });
}

describe('docs/providers: every channel example loads as written', () => {
  let app: INestApplicationContext;
  let registry: BotProviderRegistry;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, allowPrivateNetworks: false }), { logger: false });
    registry = app.get(BotProviderRegistry);
  });
  afterAll(() => app?.close());

  it('has a complete channel example on the page of every built-in provider but the demo', () => {
    const pages = new Set(channelExamples().map((e) => e.page));
    for (const name of registry.names().filter((n) => n !== 'demo' && n !== 'http')) expect([...pages]).toContain(`${name}.md`);
  });

  it.each(channelExamples().map((e) => [`${e.page} block ${e.block + 1}`, e] as const))('%s passes the production rules', (_name, example) => {
    for (const raw of example.channels) expect(() => parseChannel(raw, registry)).not.toThrow();
  });
});

describe('docs/providers/kore.md §2a: switching the demo channel to Kore', () => {
  it('the provider block it gives, put in place of demo-bot’s, makes a channel that loads', async () => {
    const app = await NestFactory.createApplicationContext(BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, allowPrivateNetworks: false }), { logger: false });
    try {
      const page = readFileSync(join(DIR, 'kore.md'), 'utf8');
      const block = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((y) => /^\s*provider:/.test(y));
      expect(block).toBeDefined();
      const indent = /^( *)/.exec(block!.split('\n').find((l) => l.trim())!)![1]!.length;
      const { provider } = parseYaml(fillIn(block!.split('\n').map((l) => l.slice(indent)).join('\n'))) as { provider: { name: string } };
      expect(provider.name).toBe('kore');
      const file = parseYaml(readFileSync(join(process.cwd(), 'config/channels.yaml'), 'utf8')) as { channels: { id: string; bots: { id: string; provider: unknown }[] }[] };
      const demo = file.channels.find((c) => c.id === 'demo')!;
      const bot = demo.bots.find((b) => b.id === 'demo-bot')!;
      bot.provider = provider;
      expect(parseChannel(demo, app.get(BotProviderRegistry)).bots.find((b) => b.id === 'demo-bot')!.provider.name).toBe('kore');
    } finally {
      await app.close();
    }
  });
});
