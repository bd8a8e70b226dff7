import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import { bearerCredential, mintBotConnectorToken } from '@app/genesys-jwt';
import { apiErrorBody } from './api-errors.js';
import type { ArchitectFlowDefinition } from './architect-flow.types.js';
import { EmulatorModule } from './emulator.module.js';
import { DEFAULT_V1_INTEGRATION_ID, DEFAULT_V2_INTEGRATION_ID, type EmulatorOptions } from './emulator.options.js';
import { serverErrorBody, DEV_API_PREFIX } from './fault-switches.js';
import { GenesysCloudEmulator, type TokenClientAuth } from './genesys-cloud-emulator.js';
import { GenesysErrorFilter } from './genesys-error.filter.js';

export * from './emulator.options.js';
export * from './genesys-cloud-emulator.js';
export * from './architect-flow.types.js';
export type { CustomerInput, FlowCall } from './architect-flow.driver.js';
export type { ConversationView, TranscriptMessage, FailureInfo, ConversationState } from './conversations.emulator.js';
export type { BotListPut } from './bot-list.emulator.js';
export type { AgentlessMessage } from './agentless.emulator.js';
export type { OutgoingMessageRecord } from './outgoing-messages.emulator.js';
export type { ApiErrorBody, ApiErrorDetail } from './api-errors.js';

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
  // 512 KB: a full bot list (50 bots × 50 versions × 50 intents) is large; everything else is small.
  const app = await NestFactory.create<NestFastifyApplication>(EmulatorModule.register(emulator), new FastifyAdapter({ bodyLimit: 512 * 1024 }), {
    logger: logLevels ?? ['error'],
    abortOnError: false,
  });
  app.useGlobalFilters(new GenesysErrorFilter());
  const fastify = app.getHttpAdapter().getInstance();
  // The 429 and 5xx switches sit before routing so they apply to every Genesys endpoint, as
  // Genesys's rate limiter and load balancers do (and before auth: a 429 comes first there too).
  fastify.addHook('onRequest', async (req, reply) => {
    const fault = emulator.takeFault(req.url.split('?', 1)[0] ?? req.url);
    if (!fault) return;
    reply.header('content-type', 'application/json; charset=utf-8');
    if (fault.kind === 'rate-limit') {
      return reply
        .code(429)
        .header('retry-after', String(fault.retryAfterSeconds))
        .send(JSON.stringify({ message: 'Rate limit exceeded the maximum.', code: 'too.many.requests', status: 429 }));
    }
    return reply.code(fault.status).send(JSON.stringify(serverErrorBody(fault.status)));
  });
  // The Platform API takes JSON only; Fastify would otherwise hand a text/plain body to the controllers.
  fastify.addHook('onRequest', async (req, reply) => {
    const contentType = req.headers['content-type'];
    if (!req.url.startsWith('/api/') || !['POST', 'PUT', 'PATCH'].includes(req.method) || contentType === undefined) return;
    if (/^application\/json\b/i.test(contentType)) return;
    return reply
      .code(415)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(apiErrorBody(415, 'unsupported.media.type', `Content-Type must be application/json, got "${contentType}"`)));
  });
  // The call log: what was called and how it ended, never a token or a secret. The dev API is
  // not Genesys, so it stays out of the log.
  fastify.addHook('onResponse', async (req, reply) => {
    const path = req.url.split('?', 1)[0] ?? req.url;
    if (path.startsWith(DEV_API_PREFIX)) return;
    const tags = req as unknown as {
      emulatorGrantType?: string;
      emulatorClientId?: string;
      emulatorOAuthError?: string;
      emulatorClientAuth?: TokenClientAuth;
      emulatorCodeVerifier?: boolean;
    };
    emulator.calls.push({
      at: Date.now(),
      method: req.method,
      path,
      status: reply.statusCode,
      grantType: tags.emulatorGrantType,
      clientId: tags.emulatorClientId,
      error: tags.emulatorOAuthError,
      clientAuth: tags.emulatorClientAuth,
      codeVerifier: tags.emulatorCodeVerifier,
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

/** The demo app of config/channels.yaml; DEVELOPMENT ONLY secrets, overridable for another channel. */
const DEMO_APP_ID = 'demo-app';
const DEMO_APP_SECRET = 'DEV-ONLY-demo-secret-0123456789abcdefghijklmnopqrstuv';
const DEMO_DBC_SECRET = 'DEV-ONLY-demo-dbc-secret-0123456789abcdef';

/** The two demo flows `npm run emulator` registers against the local gateway's demo channel. */
export function demoFlows(gatewayBaseUrl: string, credentials: { v1Authorization: string; dbcSecret: string }): ArchitectFlowDefinition[] {
  const base = gatewayBaseUrl.replace(/\/+$/, '');
  const paths = {
    intentPaths: {
      AgentHandoff: { action: 'transfer', queue: 'General Support', queueParameter: 'handoffQueue' },
      EndConversation: { action: 'end' },
    },
    // The usual Architect pattern: the Failure path also ends in Transfer to ACD (reference §4).
    failurePath: { action: 'transfer', queue: 'General Support' },
  } as const satisfies Pick<ArchitectFlowDefinition, 'intentPaths' | 'failurePath'>;
  const bot = { botId: 'demo-bot', botName: 'Demo Bot', botVersion: '1.0', languageCode: 'en-us' };
  return [
    { id: 'demo-v1', protocol: 'v1', url: `${base}/genesys/demo/botconnector`, headers: { Authorization: credentials.v1Authorization }, integrationId: DEFAULT_V1_INTEGRATION_ID, ...bot, ...paths },
    { id: 'demo-v2', protocol: 'v2', url: `${base}/genesys/demo/dbc`, headers: { 'X-Connection-Secret': credentials.dbcSecret }, integrationId: DEFAULT_V2_INTEGRATION_ID, ...bot, ...paths },
  ];
}

/** Where `npm run chat -- --via-emulator` looks without a URL. */
const DEFAULT_CHAT_EMULATOR = 'http://127.0.0.1:9555';

/** `npm run emulator`: a developer org with one OAuth client and the two demo flows for the local gateway. */
async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 9555);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`EMULATOR_PORT must be a port number, got "${process.env.EMULATOR_PORT}"`);
  const gateway = (process.env.PUBLIC_BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const clientId = process.env.EMULATOR_CLIENT_ID ?? 'emulator-client';
  const clientSecret = process.env.EMULATOR_CLIENT_SECRET ?? 'DEV-ONLY-emulator-client-secret';
  // The credential an admin would paste into the v1 integration: `bearer <JWT>` signed with the app secret.
  const jwt = mintBotConnectorToken({ clientId: process.env.EMULATOR_DEMO_APP_ID ?? DEMO_APP_ID, clientSecret: process.env.EMULATOR_DEMO_APP_SECRET ?? DEMO_APP_SECRET });
  const handle = await createEmulatorApp({
    clients: [
      {
        id: clientId,
        secret: clientSecret,
        name: 'Bot gateway (emulated)',
        redirectUris: [`${gateway}/oauth/genesys/callback`],
        scopes: ['architect', 'integrations', 'textbots', 'conversations'],
        grants: ['authorization_code', 'client_credentials'],
      },
    ],
    consent: process.env.EMULATOR_CONSENT === 'deny' ? 'deny' : 'approve',
    flows: demoFlows(gateway, { v1Authorization: bearerCredential(jwt), dbcSecret: process.env.EMULATOR_DEMO_DBC_SECRET ?? DEMO_DBC_SECRET }),
    // Nest's start-up lines (one per module and route) would bury the banner below.
    logLevels: ['error', 'warn'],
  });
  const url = await handle.listen(port, process.env.EMULATOR_HOST ?? '127.0.0.1');
  process.stdout.write(
    [
      '',
      `Genesys Cloud emulator on ${url} (login and API host in one)`,
      `  OAuth client: ${clientId} / ${clientSecret}`,
      `  Redirect URI: ${gateway}/oauth/genesys/callback`,
      `  Point the gateway at it with a base-URL override of ${url}`,
      `  Integrations: ${DEFAULT_V1_INTEGRATION_ID} (Bot Connector v1), ${DEFAULT_V2_INTEGRATION_ID} (Digital Bot Connector v2)`,
      `  Flows: demo-v1 → ${gateway}/genesys/demo/botconnector, demo-v2 → ${gateway}/genesys/demo/dbc/messages`,
      '',
      '  Steps, in order (each in its own terminal or after the previous one):',
      `    1. npm start                                          the gateway (ingress + worker) on ${gateway}`,
      '    2. npm run admin -- authorize demo                    connect the demo channel to this Genesys (OAuth); v2 replies need it',
      `    3. npm run chat -- --via-emulator${url === DEFAULT_CHAT_EMULATOR ? '' : ` ${url}`} --flow demo-v2      talk through the emulator: try hi, slow, agent (demo-v1 needs no step 2)`,
      '',
      `  By hand:  curl -s -XPOST ${url}/emulator/conversations -H 'content-type: application/json' -d '{"flowId":"demo-v1","text":"hi"}'`,
      `  Inspect:  ${url}/emulator/conversations  ${url}/emulator/calls  (see apps/genesys-emulator/README.md)`,
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
