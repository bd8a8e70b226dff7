import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { BotProviderSet } from '@app/bot-providers';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ChannelRepository, ChannelConfigError, logSyncReport, syncChannelsFromFile } from '@app/channels';
import { ConfigValidationError, loadIngressConfig, type IngressConfig } from '@app/config';
import { bearerCredential, mintBotConnectorToken } from '@app/genesys-jwt';
import { PinoNestLogger, createRootLogger, startTracing } from '@app/observability';
import { REDIS_CLIENT, pingRedis, waitUntilReady, describeTopology } from '@app/redis';
import type { Redis } from 'ioredis';
import { IngressModule } from './ingress.module.js';
import { configureIngressApp, createIngressAdapter } from './http-setup.js';
import { registerOpenApi } from './admin/openapi.js';
import { registerConsole } from './console/console-routes.js';
import { ingressRequestTracing } from './request-tracing.js';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

export async function createIngressApp(config: IngressConfig, logger: PinoNestLogger, options: { botProviders?: BotProviderSet } = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule.register(config, options), createIngressAdapter(config), { logger, abortOnError: false });
  configureIngressApp(app);
  await registerConsole(app);
  registerOpenApi(app);
  return app;
}

/**
 * Boots an ingress; exported so a developer's own entry point can pass its bot providers (the same
 * set its workers get: the ingress validates provider configs and the setup doctor probes with it).
 */
export async function startIngress(options: { botProviders?: BotProviderSet } = {}, env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  let config: IngressConfig;
  try {
    config = loadIngressConfig(env);
  } catch (e) {
    fail(e instanceof ConfigValidationError ? e.message : (e as Error).message);
  }
  const root = createRootLogger({ level: config.LOG_LEVEL, app: 'ingress', format: config.logFormat, colour: config.logColour });
  if (!(await pingRedis(config.redisTopology))) {
    fail(`Redis is not reachable at ${describeTopology(config.redisTopology)}.\nStart one (e.g. "redis-server" or "docker run -p 6379:6379 redis:7"), or set REDIS_URL. "npm start" starts a private one when redis-server is installed.`);
  }
  // Before the app: @fastify/otel attaches when the Fastify instance is created.
  const tracing = await startTracing('ingress', config.traceSettings, ingressRequestTracing);
  if (tracing.enabled) root.info({ endpoint: config.traceSettings!.url, protocol: config.traceSettings!.protocol }, 'tracing on: exporting spans over OTLP/HTTP');
  const app = await createIngressApp(config, new PinoNestLogger(root, { quietBootstrap: config.NODE_ENV !== 'production' }), options);
  // Nest's own SIGTERM handler closes the app; if a dependency hangs on close (a BullMQ queue
  // waiting for a Redis that is gone), this bounds the stop so orchestrators are not left waiting.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        root.warn({ signal }, 'shutdown did not finish in time; exiting');
        process.exit(1);
      }, config.SHUTDOWN_GRACE_MS + 3000).unref();
    });
  }
  try {
    await waitUntilReady(app.get<Redis>(REDIS_CLIENT));
    const report = await syncChannelsFromFile(app.get(ChannelRepository), config.CHANNELS_FILE, config.devSecretsAllowed, { removeStale: true });
    logSyncReport(root, report);
    // A deep accept queue: under a burst of new connections Node's default (511) overflows and
    // clients wait for SYN retries the shedder and the deadline clock never see.
    await app.listen({ port: config.PORT, host: config.HOST, backlog: 4096 });
    printBanner(config, report.loaded.filter((c) => c.enabled));
  } catch (e) {
    // The start failure is what gets reported; an error while closing the half-started app adds nothing.
    await app.close().catch(() => undefined);
    fail(e instanceof ChannelConfigError ? e.message : `Could not start: ${(e as Error).message}`);
  }
  root.info({ port: config.PORT }, 'ingress listening');
  return app;
}

function printBanner(config: IngressConfig, channels: Awaited<ReturnType<typeof syncChannelsFromFile>>['loaded']): void {
  const showCredentials = config.PRINT_CREDENTIALS ?? config.NODE_ENV !== 'production';
  const lines = ['', `Genesys Bot Connector gateway on ${config.publicBaseUrl}`, `  Admin console: ${config.publicBaseUrl}/console  (first user: npm run admin -- create-user <name>)`];
  if ((config as IngressConfig & { adminTokenGenerated?: boolean }).adminTokenGenerated) {
    lines.push(`  Admin token (generated for this run; set ADMIN_TOKEN to keep one): ${config.ADMIN_TOKEN}`);
  }
  for (const ch of channels) {
    lines.push('', `Channel "${ch.id}" (${ch.name})`, `  Webhook URL (Bot Connector Handle Utterance URI): ${config.publicBaseUrl}/genesys/${ch.id}/botconnector`);
    lines.push(`  Region: ${ch.genesys.environment}`);
    for (const b of ch.bots) lines.push(`  Bot: ${b.id} "${b.name}" versions ${b.versions.join(', ')} languages ${b.languages.join(', ')}`);
    const newest = ch.app.clientSecrets.at(-1);
    if (!newest) {
      // Every channel here comes from the file, and is changed there (the admin API refuses).
      lines.push(`  Credential: none yet; add a secret to app.clientSecrets in ${config.CHANNELS_FILE} and restart`, `    (make one: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")`);
    } else if (showCredentials) {
      const token = mintBotConnectorToken({ clientId: ch.app.clientId, clientSecret: newest });
      lines.push('  Credentials to add to the Genesys integration:', '    Field Name: Authorization', `    Value:      ${bearerCredential(token)}`);
    } else {
      lines.push('  Credential: not printed in production (set PRINT_CREDENTIALS=true to print it once)');
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

// Run only as the entry point itself: a developer's own entry point imports this file (and is also a main.js).
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  void startIngress();
}
