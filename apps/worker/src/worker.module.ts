import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BUILT_IN_BOT_PROVIDERS, BotProvidersModule, type BotProviderSet } from '@app/bot-providers';
import { ChannelsModule } from '@app/channels';
import { secretBoxFor } from '@app/secrets';
import { WorkerConfig } from '@app/config';
import { RedisModule } from '@app/redis';
import { GenesysApiModule, nestGenesysLogger } from '@app/genesys-api';
import { NotificationsModule } from './notifications/notifications.module.js';
import { TurnsModule } from './turns/turns.module.js';

export interface WorkerModuleOptions {
  /**
   * The bot providers this worker offers; defaults to BUILT_IN_BOT_PROVIDERS. Give the ingress the
   * same set (it validates provider configs and probes backends with it).
   */
  botProviders?: BotProviderSet;
}

/** The typed config for every feature module. */
@Global()
@Module({})
class WorkerConfigModule {
  static register(config: WorkerConfig): DynamicModule {
    return { module: WorkerConfigModule, providers: [{ provide: WorkerConfig, useValue: config }], exports: [WorkerConfig] };
  }
}

/**
 * The worker: opens Redis and composes the two queue consumers, turns/ and notifications/, which
 * import the features below them (bot-calls, handoff, rendering, outbox; ops at the bottom).
 *
 * Shutdown order, decided here by this module graph. Nest runs the shutdown hooks module by
 * module, from the nearest import to the deepest, the global infrastructure modules last:
 *   1. The two queue consumers, notifications/ and turns/ (imported here): each stops taking jobs,
 *      lets its active ones finish (turns within SHUTDOWN_GRACE_MS, then left stalled for another
 *      worker) and closes its connections. Independent queues: either order is safe.
 *   2. outbox/ (imported by both): the sweeper stops and closes its queue.
 *   3. ops/ (imported by outbox/): the heartbeat takes this worker off the live list.
 *   4. The global RedisModule closes the shared Redis client.
 * Startup runs the other way: the heartbeat and the sweeper start before the consumers take jobs.
 */
@Module({})
export class WorkerModule {
  static register(config: WorkerConfig, options: WorkerModuleOptions = {}): DynamicModule {
    const box = secretBoxFor(config);
    return {
      module: WorkerModule,
      imports: [
        // Infrastructure, global: every feature injects from it.
        WorkerConfigModule.register(config),
        RedisModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, name: 'worker' }),
        { ...ChannelsModule.register(box), global: true },
        { ...GenesysApiModule.register({ secretBox: box, baseUrlOverride: config.GENESYS_BASE_URL, allowLocalEmulator: config.devSecretsAllowed, logger: nestGenesysLogger() }), global: true },
        BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, ...options.botProviders, allowPrivateNetworks: config.botProvidersAllowPrivate }),
        // Features: the two queue consumers.
        TurnsModule,
        NotificationsModule,
      ],
    };
  }
}
