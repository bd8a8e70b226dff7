import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import { EmulatorModule } from './emulator.module.js';
import type { EmulatorOptions } from './emulator.options.js';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';

export * from './emulator.options.js';
export * from './genesys-cloud-emulator.js';

export interface CreateEmulatorAppOptions extends EmulatorOptions {
  /** Nest log levels; tests default to errors only. */
  logLevels?: LogLevel[];
}

export interface EmulatorApp {
  app: NestFastifyApplication;
  emulator: GenesysCloudEmulator;
  /** Starts listening (port 0 = any free port) and returns the base URL, e.g. `http://127.0.0.1:41234`. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Builds the emulator app (not yet listening). Tests call this; `npm run emulator` runs `main()`. */
export async function createEmulatorApp(options: CreateEmulatorAppOptions): Promise<EmulatorApp> {
  const { logLevels, ...emulatorOptions } = options;
  const emulator = new GenesysCloudEmulator(emulatorOptions);
  const app = await NestFactory.create<NestFastifyApplication>(EmulatorModule.register(emulator), new FastifyAdapter({ bodyLimit: 64 * 1024 }), {
    logger: logLevels ?? ['error'],
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // The 429 switch sits before routing so it applies to every endpoint, as Genesys's rate limiter does.
  fastify.addHook('onRequest', async (req, reply) => {
    const rl = emulator.takeRateLimit(req.url.split('?', 1)[0] ?? req.url);
    if (!rl) return;
    return reply
      .code(429)
      .header('retry-after', String(rl.retryAfterSeconds))
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ message: 'Rate limit exceeded the maximum.', code: 'too.many.requests', status: 429 }));
  });
  // The call log: what was called and how it ended, never a token or a secret.
  fastify.addHook('onResponse', async (req, reply) => {
    const tags = req as unknown as { emulatorGrantType?: string; emulatorClientId?: string; emulatorOAuthError?: string };
    emulator.calls.push({
      at: Date.now(),
      method: req.method,
      path: req.url.split('?', 1)[0] ?? req.url,
      status: reply.statusCode,
      grantType: tags.emulatorGrantType,
      clientId: tags.emulatorClientId,
      error: tags.emulatorOAuthError,
    });
  });
  return {
    app,
    emulator,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const addr = app.getHttpServer().address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    },
    close: () => app.close(),
  };
}

/** `npm run emulator`: a developer org with one client registered for the local gateway. */
async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 9555);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`EMULATOR_PORT must be a port number, got "${process.env.EMULATOR_PORT}"`);
  const gateway = process.env.PUBLIC_BASE_URL ?? 'http://localhost:3000';
  const clientId = process.env.EMULATOR_CLIENT_ID ?? 'emulator-client';
  const clientSecret = process.env.EMULATOR_CLIENT_SECRET ?? 'DEV-ONLY-emulator-client-secret';
  const handle = await createEmulatorApp({
    clients: [
      {
        id: clientId,
        secret: clientSecret,
        name: 'Bot gateway (emulated)',
        redirectUris: [`${gateway}/oauth/genesys/callback`],
        scopes: ['architect', 'integrations', 'textbots'],
        grants: ['authorization_code', 'client_credentials'],
      },
    ],
    consent: process.env.EMULATOR_CONSENT === 'deny' ? 'deny' : 'approve',
    logLevels: ['error', 'warn', 'log'],
  });
  const url = await handle.listen(port, process.env.EMULATOR_HOST ?? '127.0.0.1');
  process.stdout.write(
    [
      '',
      `Genesys Cloud emulator on ${url} (login and API host in one)`,
      `  OAuth client: ${clientId} / ${clientSecret}`,
      `  Redirect URI: ${gateway}/oauth/genesys/callback`,
      `  Point the gateway at it with a base-URL override of ${url}`,
      '',
    ].join('\n'),
  );
  const stop = () => void handle.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** True when this file is the program (node dist/.../main.js), false when imported by tests. */
function isEntryPoint(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((e: unknown) => {
    process.stderr.write(`\nGenesys emulator could not start: ${(e as Error).message}\n\n`);
    process.exit(1);
  });
}
