#!/usr/bin/env node
// Baseline for the benchmark ("direct pass-through"): the same Nest + Fastify ingress as
// apps/ingress (same module, guard, DTO validation, exception filter, adapter options), but the
// TurnDispatcher is replaced by one that calls the demo bot in-process and renders the reply
// with the worker's renderer. No turn store, no queue, no worker, no reply stream wait.
// Redis is still used for the channel lookup (cached for 1 s by ChannelRepository).
//
// Started by scripts/bench/bench.mjs as a child process with the same env as the gateway
// (PORT, REDIS_PREFIX, CHANNELS_FILE, ...). It sends {type:'ready', port} over IPC when
// listening, and exits on SIGTERM/SIGINT or when the parent goes away.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ingressDist = join(root, 'dist/apps/ingress');
const workerDist = join(root, 'dist/apps/worker');
const load = (base, rel) => import(pathToFileURL(join(base, rel)).href);

const [
  { Test },
  { IngressModule },
  { TurnDispatcher },
  { createIngressAdapter, configureIngressApp },
  { loadIngressConfig },
  { ChannelRepository, syncChannelsFromFile },
  { PinoNestLogger, createRootLogger },
  redisLib,
  { DemoBotProvider, validateBotResult },
  { BotState, matchLanguage },
  { StructuredMessageRenderer },
  { capabilitiesFor },
  { normalizeInput },
] = await Promise.all([
  import('@nestjs/testing'),
  load(ingressDist, 'apps/ingress/src/ingress.module.js'),
  load(ingressDist, 'apps/ingress/src/bot-connector/turn-dispatcher.service.js'),
  load(ingressDist, 'apps/ingress/src/http-setup.js'),
  load(ingressDist, 'libs/config/src/index.js'),
  load(ingressDist, 'libs/channels/src/index.js'),
  load(ingressDist, 'libs/observability/src/index.js'),
  load(ingressDist, 'libs/redis/src/index.js'),
  load(ingressDist, 'libs/bot-providers/src/index.js'),
  load(ingressDist, 'libs/genesys/src/index.js'),
  load(workerDist, 'apps/worker/src/rendering/structured-message.renderer.js'),
  load(workerDist, 'apps/worker/src/rendering/capability-profiles.js'),
  load(workerDist, 'apps/worker/src/turns/input-normalizer.js'),
]);

const config = loadIngressConfig(process.env);
const root_ = createRootLogger({ level: config.LOG_LEVEL, app: 'bench-baseline' });
const logger = new PinoNestLogger(root_);

const demo = new DemoBotProvider();
const renderer = new StructuredMessageRenderer();

/**
 * In-process stand-in for TurnDispatcher: the same steps the worker runs for a fresh session
 * (normalize input → demo bot with the bot's timeout → validate result → render for the
 * channel's messenger profile), but no session state, turn store, queue or reply stream.
 */
const directDispatcher = {
  isDraining: false,
  async dispatch(turn, ctx) {
    const { channel, bot } = ctx;
    const input = normalizeInput(turn.inputMessage, []);
    const canonical = {
      turnId: `d${randomUUID().replace(/-/g, '')}`,
      channelId: channel.id,
      bot: { id: bot.id, name: bot.name, version: turn.botVersion ?? bot.versions[bot.versions.length - 1] },
      session: { id: turn.botSessionId, genesysConversationId: turn.genesysConversationId, turnIndex: 0, state: {}, parameters: { ...(turn.parameters ?? {}) } },
      language: matchLanguage(turn.languageCode, bot.languages, channel.defaultLanguage),
      input,
      correlationId: ctx.correlationId,
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), bot.provider.timeoutMs);
    let result;
    try {
      result = validateBotResult(await demo.handleTurn(canonical, { signal: controller.signal, timeoutMs: bot.provider.timeoutMs, config: bot.provider.config }));
    } finally {
      clearTimeout(timer);
    }
    const rendered = renderer.render(result.messages, capabilitiesFor(channel.templates.profile, channel.templates.disable));
    const response = { botState: BotState.MoreData, replyMessages: rendered.replyMessages };
    if (result.intent) response.intent = result.intent;
    if (result.confidence !== undefined) response.confidence = result.confidence;
    return response;
  },
  async beforeApplicationShutdown() {},
};

// The ingress's own adapter options, admission hook, filter and pipe (apps/ingress/src/http-setup.ts).
const moduleRef = await Test.createTestingModule({ imports: [IngressModule.register(config)] })
  .overrideProvider(TurnDispatcher)
  .useValue(directDispatcher)
  .compile();
const app = moduleRef.createNestApplication(createIngressAdapter(config), { logger, abortOnError: false });
configureIngressApp(app);
await app.init();
// As apps/ingress main(): its shared Redis client fails fast, so wait until it is connected.
if (redisLib.waitUntilReady) await redisLib.waitUntilReady(app.get(redisLib.REDIS_CLIENT));
await syncChannelsFromFile(app.get(ChannelRepository), config.CHANNELS_FILE, config.devSecretsAllowed, { removeStale: true });
await app.listen({ port: config.PORT, host: config.HOST });

let closing = false;
async function shutdown(code = 0) {
  if (closing) return;
  closing = true;
  const hard = setTimeout(() => process.exit(code), 5000);
  hard.unref();
  await app.close().catch(() => undefined);
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('disconnect', () => void shutdown(0));
process.send?.({ type: 'ready', port: config.PORT, pid: process.pid });
