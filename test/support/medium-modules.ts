import { randomBytes } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { ChannelRepository, parseChannel } from '@app/channels';
import { loadIngressConfig, loadWorkerConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import { RedisKeys } from '@app/store';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { ingressInfrastructure } from '../../apps/ingress/src/ingress.module.js';
import { BotConnectorModule } from '../../apps/ingress/src/bot-connector/bot-connector.module.js';
import { TEST_REDIS_URL } from './redis-test-prefix.js';

/**
 * In-process ("medium") tests: the real Nest modules on a real Redis under the suite's own key
 * prefix, no HTTP server of ours and no child processes. Bots and Genesys are real HTTP fakes
 * (RecordingBot, the emulator).
 */

function env(prefix: string, secretsKey: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    SECRETS_KEY: secretsKey,
    LOG_LEVEL: 'error',
    HTTP_PROVIDER_ALLOW_PRIVATE: 'true',
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SHED_EVENT_LOOP_UTILIZATION: '0',
    // Nothing consumes the queues here (tests drive SessionDrain themselves), so drain jobs wait
    // forever and their age says nothing about load; the shedder's own suite turns it on.
    SHED_QUEUE_AGE_SAMPLE_MS: '0',
    ...extra,
  };
}

export interface MediumApp {
  module: TestingModule;
  redis: Redis;
  keys: RedisKeys;
  get<T>(token: abstract new (...a: never[]) => T): T;
  /** Validates and stores channel definitions as the channels file would. */
  saveChannels(...raws: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

function medium(module: TestingModule): MediumApp {
  return {
    module,
    redis: module.get<Redis>(REDIS_CLIENT),
    keys: module.get(RedisKeys),
    get: (token) => module.get(token as never),
    async saveChannels(...raws) {
      const repo = module.get(ChannelRepository);
      for (const raw of raws) await repo.upsert(parseChannel(raw, repo.providerRules));
    },
    close: () => module.close(),
  };
}

/**
 * The worker's root module, compiled but not started: its queue consumers and periodic tasks do
 * not run, so a test drives SessionDrain, TurnStep and the sender itself and nothing races it.
 */
export async function workerModule(prefix: string, opts: { secretsKey?: string; env?: Record<string, string> } = {}): Promise<MediumApp> {
  const config = loadWorkerConfig(env(prefix, opts.secretsKey ?? randomBytes(32).toString('base64url'), opts.env ?? {}));
  const module = await Test.createTestingModule({ imports: [WorkerModule.register(config)] }).compile();
  return medium(module);
}

/**
 * The ingress's turn path without HTTP: its infrastructure modules and BotConnectorModule
 * (TurnDispatcher, ReplyStreamListener, LoadShedder), started, so the reply stream is read.
 */
export async function ingressModule(prefix: string, opts: { secretsKey?: string; env?: Record<string, string> } = {}): Promise<MediumApp> {
  const config = loadIngressConfig(env(prefix, opts.secretsKey ?? randomBytes(32).toString('base64url'), { ADMIN_TOKEN: randomBytes(24).toString('base64url'), ...opts.env }));
  const module = await Test.createTestingModule({
    imports: [
      ...ingressInfrastructure(config),
      BotConnectorModule,
    ],
  }).compile();
  await module.init();
  return medium(module);
}
