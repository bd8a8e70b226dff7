import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { INestApplicationContext } from '@nestjs/common';
import { ChannelConfigError, ChannelRepository, logSyncReport, syncChannelsFromFile } from '@app/channels';
import { ConfigValidationError, loadWorkerConfig, type WorkerConfig } from '@app/config';
import { PinoNestLogger, createRootLogger, readiness, startOpsServer, startTracing } from '@app/observability';
import { RedisHealthIndicator, pingRedis, describeTopology } from '@app/redis';
import { WorkerMetrics } from './ops/worker-metrics.service.js';
import { WorkerModule, type WorkerModuleOptions } from './worker.module.js';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

/** Boots a worker; exported so a developer's own entry point can pass its bot providers. */
export async function startWorker(options: WorkerModuleOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<INestApplicationContext> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig(env);
  } catch (e) {
    fail(e instanceof ConfigValidationError ? e.message : (e as Error).message);
  }
  const root = createRootLogger({ level: config.LOG_LEVEL, app: 'worker', format: config.logFormat, colour: config.logColour });
  if (config.NODE_ENV === 'production' && config.botProvidersAllowPrivate) {
    // Allowed (a bot in the same private network is a real deployment), but never silently.
    root.warn('BOT_PROVIDERS_ALLOW_PRIVATE=true in production: bot URLs may use plain http and reach private and loopback addresses');
  }
  if (config.WORKER_METRICS_PORT !== undefined) root.warn('WORKER_METRICS_PORT is deprecated; it still works, but set METRICS_PORT instead');
  if (!(await pingRedis(config.redisTopology))) {
    fail(`Redis is not reachable at ${describeTopology(config.redisTopology)}. Start one or set REDIS_URL.`);
  }
  const tracing = await startTracing('worker', config.traceSettings);
  if (tracing.enabled) root.info({ endpoint: config.traceSettings!.url, protocol: config.traceSettings!.protocol }, 'tracing on: exporting spans over OTLP/HTTP');
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, options), { logger: new PinoNestLogger(root, { quietBootstrap: config.NODE_ENV !== 'production' }), abortOnError: false });
  try {
    // Both processes load the file, so a worker started alone (scaling) finds its channels; only
    // the ingress removes the channels a file dropped (see SyncOptions).
    logSyncReport(root, await syncChannelsFromFile(app.get(ChannelRepository), config.CHANNELS_FILE, config.devSecretsAllowed, { removeStale: false }));
  } catch (e) {
    // The start failure is what gets reported; an error while closing the half-started app adds nothing.
    await app.close().catch(() => undefined);
    fail(e instanceof ChannelConfigError ? e.message : `Could not start: ${(e as Error).message}`);
  }
  let closing = false;
  const [health, indicators, redisHealth] = [app.get(HealthCheckService), app.get(HealthIndicatorService), app.get(RedisHealthIndicator)];
  const draining = () => (closing ? indicators.check('shutdown').down('draining') : indicators.check('shutdown').up());
  const ops = config.metricsPort > 0
    ? await startOpsServer({
        port: config.metricsPort,
        host: '0.0.0.0',
        metrics: app.get(WorkerMetrics).m,
        health: {
          // Once closing, Redis is being let go: only the drain is worth saying.
          ready: () => readiness(health, closing ? [draining] : config.readinessChecks.map((c) => (c === 'shutdown' ? draining : redisHealth.isHealthy()))),
          dependencies: () => readiness(health, [redisHealth.isHealthy()]),
        },
      }).catch((e: Error) => {
        // Turns matter more than metrics: a taken port is logged, and the worker keeps consuming.
        root.warn({ error: e.message, port: config.metricsPort }, 'worker metrics server could not start');
        return undefined;
      })
    : undefined;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    root.info({ signal }, 'worker shutting down: finishing active turns');
    // Bounded: a dependency that hangs on close (Redis gone) must not keep the process forever.
    setTimeout(() => {
      root.warn({ signal }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 3000).unref();
    await app.close();
    ops?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  root.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started');
  return app;
}

// Run only as the entry point itself: a developer's own entry point imports this file (and is also a main.js).
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  void startWorker();
}
