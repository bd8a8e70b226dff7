import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ChannelsModule } from '@app/channels';
import { BUILT_IN_BOT_PROVIDERS, BotProvidersModule, type BotProviderSet } from '@app/bot-providers';
import { TracingModule } from '@app/observability';
import { SecretBox, secretBoxFor } from '@app/secrets';
import { IngressConfig } from '@app/config';
import { DrainRequester, NOTIFICATIONS_QUEUE, TURNS_QUEUE } from '@app/queue';
import { RedisKeys, StoreModule, storeOptionsFrom } from '@app/store';
import { RedisConnections, RedisModule } from '@app/redis';
import { GenesysApiModule, nestGenesysLogger } from '@app/genesys-api';
import { AdminModule } from './admin/admin.module.js';
import { BotConnectorModule } from './bot-connector/bot-connector.module.js';
import { ChannelsAdminModule } from './channels-admin/channels-admin.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DevModule } from './dev/dev.module.js';
import { DigitalBotConnectorModule } from './digital-bot-connector/digital-bot-connector.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule, WebhookPortMetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { PublishingModule } from './publishing/publishing.module.js';

/** The typed config, and the secret box made from it, for every feature module. */
@Global()
@Module({})
class IngressConfigModule {
  static register(config: IngressConfig, box: SecretBox): DynamicModule {
    const providers = [
      { provide: IngressConfig, useValue: config },
      { provide: SecretBox, useValue: box },
    ];
    return { module: IngressConfigModule, providers, exports: [IngressConfig, SecretBox] };
  }
}

/**
 * The two queues the ingress produces to (bot-connector, notifications, dashboard, health and
 * metrics inject them), registered once, on a producer connection from RedisConnections, and the
 * one DrainRequester. Global, so its queues close in the shutdown phase before RedisConnections
 * closes the connection.
 */
@Global()
@Module({})
class IngressQueuesModule {
  static register(): DynamicModule {
    return {
      module: IngressQueuesModule,
      imports: [
        BullModule.forRootAsync({
          // The producer fails fast while Redis is away, so a webhook gets a 503 at once instead of
          // hanging until Genesys gives up (perf-reliability §2.5).
          useFactory: (connections: RedisConnections, keys: RedisKeys) => ({ connection: connections.producer('queue', { failFast: true }), prefix: keys.bullPrefix }),
          inject: [RedisConnections, RedisKeys],
        }),
        { ...BullModule.registerQueue({ name: TURNS_QUEUE }, { name: NOTIFICATIONS_QUEUE }), global: true },
      ],
      providers: [{ provide: DrainRequester, useFactory: (queue: Queue) => new DrainRequester(queue), inject: [getQueueToken(TURNS_QUEUE)] }],
      exports: [DrainRequester],
    };
  }
}

/**
 * The ingress's infrastructure, global: config, Redis, stores, queues, channels, Genesys API, bot
 * providers. Every feature injects from it; in-process tests compose it with the features they drive.
 */
export function ingressInfrastructure(config: IngressConfig, options: { botProviders?: BotProviderSet } = {}): DynamicModule[] {
  const box = secretBoxFor(config);
  return [
    IngressConfigModule.register(config, box),
    // Fail fast: while Redis is away a webhook must get its 503 at once, not wait for a reconnect.
    RedisModule.forRoot({ topology: config.redisTopology, name: 'ingress', failFast: true }),
    StoreModule.forRoot(storeOptionsFrom(config, box)),
    IngressQueuesModule.register(),
    { ...ChannelsModule.register(box), global: true },
    { ...GenesysApiModule.register({ secretBox: box, baseUrlOverride: config.GENESYS_BASE_URL, allowLocalEmulator: config.devSecretsAllowed, logger: nestGenesysLogger() }), global: true },
    BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, ...options.botProviders, allowPrivateNetworks: config.botProvidersAllowPrivate }),
    // Exports the last spans at onApplicationShutdown, once the turns in flight are answered.
    { module: TracingModule },
  ];
}

/**
 * The ingress: the infrastructure (global) and one feature module per folder, each importing the
 * features it uses. The graph is acyclic: admin/, metrics/ and dashboard/turn-stats are at the
 * bottom; console/ registers plain Fastify routes in main.ts and has no module.
 *
 * Shutdown order, decided here by this module graph. Nest runs each shutdown phase module by
 * module, from the nearest import to the deepest, and the global modules last (a global module
 * after those it imports):
 *   1. onModuleDestroy: LoadShedder stops sampling the event loop.
 *   2. beforeApplicationShutdown: TurnDispatcher refuses new turns (503) and waits up to
 *      SHUTDOWN_GRACE_MS for the turns in flight to be answered: intake stops, work drains.
 *   3. The HTTP server closes.
 *   4. onApplicationShutdown: the features (ReplyStreamListener drops its stream connection,
 *      GenesysIpRanges stops its refresh timers, TurnStats flushes its last counters to Redis),
 *      then the queues close (IngressQueuesModule), and RedisConnections closes every connection
 *      last.
 */
@Module({})
export class IngressModule {
  /**
   * `botProviders`: the same set the workers get. The ingress judges provider configs with it
   * when a channel is loaded or changed, and the setup doctor probes backends through it.
   */
  static register(config: IngressConfig, options: { botProviders?: BotProviderSet } = {}): DynamicModule {
    return {
      module: IngressModule,
      imports: [
        ...ingressInfrastructure(config, options),
        // Features: the webhooks Genesys calls, then the admin API behind the console.
        BotConnectorModule,
        DigitalBotConnectorModule,
        HealthModule,
        MetricsModule,
        ...(config.METRICS_ON_WEBHOOK_PORT ? [WebhookPortMetricsModule] : []),
        AdminModule,
        ChannelsAdminModule,
        OAuthModule,
        PublishingModule,
        NotificationsModule,
        ...(config.NODE_ENV === 'production' ? [] : [DevModule]),
        ConversationsModule,
        DashboardModule,
      ],
    };
  }
}
