import 'reflect-metadata';
import { IsOptional, IsString } from 'class-validator';
import {
  BackendCredentialsError,
  BotProviderRegistry,
  PermanentBotError,
  TransientBotError,
  type BackendCallContext,
  type BotProvider,
  type BotResult,
  type ProbeReport,
  type ProviderConfigSpec,
} from '@app/bot-providers';
import type { Channel } from '@app/channels';
import { botBackendCheck } from './bot-backend-check.js';

class ScriptedConfig {
  @IsString() baseUrl!: string;
  @IsString() apiKey!: string;
  @IsOptional() @IsString() model?: string;
}

const SPEC: ProviderConfigSpec<ScriptedConfig> = {
  schema: ScriptedConfig,
  secrets: ['apiKey'],
  urls: ['baseUrl'],
  title: 'A scripted backend',
  docs: 'docs/providers/scripted.md',
  fields: [
    { key: 'baseUrl', label: 'Base URL', kind: 'url', required: true },
    { key: 'apiKey', label: 'API key', kind: 'secret', required: true },
    { key: 'model', label: 'Model', kind: 'text' },
  ],
};

const API_KEY = 'sk-test-5f1e2d3c4b5a69788796a5b4';

/** A provider whose probe does what the test says, and records what it was given. */
class ScriptedProvider implements BotProvider {
  readonly configSpec = SPEC;
  seen?: BackendCallContext;
  constructor(
    readonly name: string,
    private readonly probeFn: (ctx: BackendCallContext) => Promise<ProbeReport>,
  ) {}
  async handleTurn(): Promise<BotResult> {
    return { messages: [] };
  }
  probe(ctx: BackendCallContext): Promise<ProbeReport> {
    this.seen = ctx;
    return this.probeFn(ctx);
  }
}

class NoProbeProvider implements BotProvider {
  readonly name = 'quiet';
  async handleTurn(): Promise<BotResult> {
    return { messages: [] };
  }
}

function channel(source: 'api' | 'file', provider: string, timeoutMs = 4000): Channel {
  return {
    id: 'shop',
    source,
    bots: [{ id: 'b1', name: 'Shop Bot', versions: ['1.0'], languages: ['en-us'], intents: [], provider: { name: provider, timeoutMs, retries: 1, config: { baseUrl: 'https://llm.example.com/v1', apiKey: API_KEY, model: 'small' } } }],
  } as unknown as Channel;
}

function registryWith(...providers: BotProvider[]): BotProviderRegistry {
  const r = new BotProviderRegistry();
  for (const p of providers) r.register(p);
  return r;
}

async function run(probe: (ctx: BackendCallContext) => Promise<ProbeReport>, opts: { source?: 'api' | 'file'; timeoutMs?: number } = {}) {
  const provider = new ScriptedProvider('scripted', probe);
  const c = channel(opts.source ?? 'api', 'scripted', opts.timeoutMs);
  const check = await botBackendCheck(registryWith(provider), c, c.bots[0]!, 0);
  // Whatever happened, no text of the check quotes the key, whole or in part.
  expect(JSON.stringify(check)).not.toContain(API_KEY);
  return { check, provider };
}

describe('the doctor’s bot backend check', () => {
  it('passes with the probe’s detail, the stored config, a budget of at most 5 s and a live signal', async () => {
    const { check, provider } = await run(async () => ({ detail: 'GET /models answered 200; model small listed' }), { timeoutMs: 9000 });
    expect(check).toEqual({ id: 'bot-backend:b1', title: 'Bot backend Shop Bot', ok: true, detail: 'scripted: reachable, credential accepted (GET /models answered 200; model small listed)' });
    expect(provider.seen!.timeoutMs).toBe(5000);
    expect(provider.seen!.config.apiKey).toBe(API_KEY);
    expect(provider.seen!.signal.aborted).toBe(false);
  });

  it('uses the bot’s own timeout when it is shorter', async () => {
    const { provider } = await run(async () => ({ detail: 'ok' }), { timeoutMs: 800 });
    expect(provider.seen!.timeoutMs).toBe(800);
  });

  it('passes with the provider’s warnings and their fixes', async () => {
    const { check } = await run(async () => ({ detail: 'model listed', warnings: [{ problem: 'the model does not support tools: handoff and end cannot be signalled', fix: 'choose a model with tool calling' }] }));
    expect(check.ok).toBe(true);
    expect(check.warnings).toEqual([{ problem: 'the model does not support tools: handoff and end cannot be signalled', fix: 'choose a model with tool calling' }]);
  });

  it('reports refused credentials and names the secret fields to enter again, where the channel is changed', async () => {
    const api = (await run(async () => Promise.reject(new BackendCredentialsError('the backend refused the configured credentials (HTTP 401)')))).check;
    expect(api).toMatchObject({ ok: false, detail: 'scripted: reachable, credential refused (the backend refused the configured credentials (HTTP 401))' });
    expect(api.fix).toBe('enter credentials the backend accepts: API key (apiKey) in the bots step (setup step 4); see docs/providers/scripted.md');
    const file = (await run(async () => Promise.reject(new BackendCredentialsError('HTTP 403')), { source: 'file' })).check;
    expect(file.fix).toBe('enter credentials the backend accepts: API key (apiKey) in the channels file (CHANNELS_FILE, bots[0].provider) and restart the gateway; see docs/providers/scripted.md');
  });

  it('reports an unreachable backend with the address fields and the development-only escape', async () => {
    const { check } = await run(async () => Promise.reject(new TransientBotError('the backend could not be reached (ECONNREFUSED)')));
    expect(check).toMatchObject({ ok: false, detail: 'scripted: unreachable or failing (the backend could not be reached (ECONNREFUSED))' });
    expect(check.fix).toContain('check Base URL (baseUrl)');
    expect(check.fix).toContain('DNS, firewall, outbound proxy');
    expect(check.fix).toContain('BOT_PROVIDERS_ALLOW_PRIVATE=true, for development only');
  });

  it('tells a failing or rate-limiting backend from an unreachable one', async () => {
    expect((await run(async () => Promise.reject(new TransientBotError('the backend answered HTTP 503')))).check.fix).toMatch(/^the backend answers but fails: check its status and logs/);
    expect((await run(async () => Promise.reject(new TransientBotError('the backend answered HTTP 429', { retryAfterMs: 1000 })))).check.fix).toMatch(/^the backend is rate limiting the gateway/);
  });

  it('reports the network guard’s refusal with its fix', async () => {
    const { check } = await run(async () => Promise.reject(new PermanentBotError('the backend: the URL resolves to a private or reserved address')));
    expect(check.ok).toBe(false);
    expect(check.fix).toContain('use a public https address in Base URL (baseUrl)');
    expect(check.fix).toContain('BOT_PROVIDERS_ALLOW_PRIVATE=true');
  });

  it('reports any other permanent error with its message and the provider’s docs', async () => {
    const { check } = await run(async () => Promise.reject(new PermanentBotError('the backend answered HTTP 404: no agent with that id')));
    expect(check).toMatchObject({ ok: false, detail: 'scripted: the backend answered HTTP 404: no agent with that id', fix: 'check the scripted settings in the bots step (setup step 4); see docs/providers/scripted.md' });
  });

  it('gives up on a probe that ignores its signal, shortly after the budget', async () => {
    const started = Date.now();
    const { check, provider } = await run(() => new Promise<ProbeReport>(() => undefined), { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(check).toMatchObject({ ok: false, detail: 'scripted: unreachable or failing (the backend did not answer within 200 ms)' });
    expect(provider.seen!.signal.aborted).toBe(true);
  });

  it('never repeats a secret a provider put in its detail, warning or error', async () => {
    const echoed = await run(async (ctx) => ({ detail: `key ${String(ctx.config.apiKey)} works`, warnings: [{ problem: `Bearer ${String(ctx.config.apiKey)}`, fix: 'none' }] }));
    expect(echoed.check.detail).toBe('scripted: reachable, credential accepted (key [secret] works)');
    expect(echoed.check.warnings![0]!.problem).toBe('Bearer [secret]');
    const thrown = await run(async (ctx) => Promise.reject(new BackendCredentialsError(`refused ${String(ctx.config.apiKey)}`)));
    expect(thrown.check.detail).toContain('refused [secret]');
  });

  it('says "not probed" for a provider without a probe, which is not a failure', async () => {
    const c = channel('api', 'quiet');
    expect(await botBackendCheck(registryWith(new NoProbeProvider()), c, c.bots[0]!, 0)).toEqual({ id: 'bot-backend:b1', title: 'Bot backend Shop Bot', ok: true, skipped: true, detail: 'not probed: the quiet provider has no harmless call to make' });
  });

  it('fails for a provider this gateway does not run, naming the ones it does', async () => {
    const c = channel('api', 'gone');
    const check = await botBackendCheck(registryWith(new NoProbeProvider()), c, c.bots[0]!, 0);
    expect(check).toMatchObject({ ok: false, detail: 'no bot provider named "gone" is registered in this gateway', fix: 'choose one of quiet in the bots step (setup step 4)' });
  });
});
