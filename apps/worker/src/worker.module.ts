import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BUILT_IN_BOT_PROVIDERS, BotProvidersModule, type BotProviderSet } from '@app/bot-providers';
import { TracingModule } from '@app/observability';
import { ChannelsModule } from '@app/channels';
import { secretBoxFor } from '@app/secrets';
import { WorkerConfig } from '@app/config';
import { RedisModule } from '@app/redis';
import { StoreModule, storeOptionsFrom } from '@app/store';
import { GenesysApiModule, nestGenesysLogger } from '@app/genesys-api';
import { NotificationsModule } from './notifications/notifications.module.js';
import { QueuesModule } from './queues/queues.module.js';
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
 * The worker: the infrastructure (global: config, Redis connections, stores, channels, Genesys
 * API, bot providers, queue plumbing) and the two queue consumers, turns/ and notifications/,
 * which import the features below them (bot-calls, handoff, rendering, outbox; ops at the bottom).
 *
 * Shutdown order is written once, in queues/worker-host.ts: intake stops for both consumers at
 * once, in-flight jobs drain within SHUTDOWN_GRACE_MS, workers close, queues close; then the
 * heartbeat leaves and RedisConnections closes every connection.
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
        RedisModule.forRoot({ topology: config.redisTopology, name: 'worker' }),
        StoreModule.forRoot(storeOptionsFrom(config, box)),
        { ...ChannelsModule.register(box), global: true },
        { ...GenesysApiModule.register({ secretBox: box, baseUrlOverride: config.GENESYS_BASE_URL, allowLocalEmulator: config.devSecretsAllowed, logger: nestGenesysLogger() }), global: true },
        BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, ...options.botProviders, allowPrivateNetworks: config.botProvidersAllowPrivate }),
        QueuesModule,
        // Exports the last spans at onApplicationShutdown, once the jobs in flight have drained.
        TracingModule,
        // Features: the two queue consumers.
        TurnsModule,
        NotificationsModule,
      ],
    };
  }
}
