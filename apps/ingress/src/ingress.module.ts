import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BullModule } from '@nestjs/bullmq';
import { ChannelsModule } from '@app/channels';
import { BUILT_IN_BOT_PROVIDERS, BotProvidersModule, type BotProviderSet } from '@app/bot-providers';
import { secretBoxFor } from '@app/secrets';
import { IngressConfig } from '@app/config';
import { GenesysJwtModule } from '@app/genesys-jwt';
import { NOTIFICATIONS_QUEUE, RedisKeys, TURNS_QUEUE } from '@app/queue';
import { REDIS_CLIENT, RedisModule, createRedis } from '@app/redis';
import { OAuthStateStore } from '@app/genesys-oauth';
import { GenesysApiModule, nestGenesysLogger } from '@app/genesys-api';
import { AdminAuthGuard } from './admin/admin-auth.guard.js';
import { AdminAuthService } from './admin/admin-auth.service.js';
import { AuthController } from './admin/auth.controller.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { TurnStats } from './dashboard/turn-stats.js';
import { AuditController, BotProvidersController, ChannelsAdminController } from './channels-admin/channels-admin.controller.js';
import { ChannelsAdminService } from './channels-admin/channels-admin.service.js';
import { ChannelSetupService } from './channels-admin/channel-setup.service.js';
import { BotConnectorAuthGuard } from './bot-connector/bot-connector-auth.guard.js';
import { BotConnectorController } from './bot-connector/bot-connector.controller.js';
import { GenesysContactTracker } from './bot-connector/genesys-contact.tracker.js';
import { LoadShedder } from './bot-connector/load-shedder.service.js';
import { ReplyStreamListener } from './bot-connector/reply-stream.listener.js';
import { TurnDispatcher } from './bot-connector/turn-dispatcher.service.js';
import { DigitalBotConnectorAuthGuard } from './digital-bot-connector/dbc-auth.guard.js';
import { DigitalBotConnectorController } from './digital-bot-connector/digital-bot-connector.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { NotificationIntake } from './notifications/notification.intake.js';
import { BotListPublisher } from './publishing/bot-list-publisher.service.js';
import { PublishingController } from './publishing/publishing.controller.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { HealthController } from './health/health.controller.js';
import { IP_ALLOWLIST_PROVIDERS } from './ip-allowlist/index.js';
import { IngressMetrics } from './metrics/ingress-metrics.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { GenesysOAuthController } from './oauth/genesys-oauth.controller.js';
import { GenesysOAuthService } from './oauth/genesys-oauth.service.js';

const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

@Module({})
export class IngressModule implements OnApplicationShutdown {
  constructor(@Inject(QUEUE_CONNECTION) private readonly queueConnection: Redis) {}

  /** BullMQ does not close a connection it was given. */
  async onApplicationShutdown(): Promise<void> {
    await this.queueConnection.quit().catch(() => this.queueConnection.disconnect());
  }

  /**
   * `botProviders`: the same set the workers get. The ingress judges provider configs with it
   * when a channel is loaded or changed, and the setup doctor probes backends through it.
   */
  static register(config: IngressConfig, options: { botProviders?: BotProviderSet } = {}): DynamicModule {
    const keys = new RedisKeys(config.REDIS_PREFIX);
    // The producer fails fast while Redis is away, so a webhook gets a 503 at once instead of
    // hanging until Genesys gives up (perf-reliability §2.5).
    const queueConnection = createRedis({ url: config.REDIS_URL, name: 'ingress-queue', failFast: true });
    queueConnection.on('error', () => undefined);
    const box = secretBoxFor(config);
    return {
      module: IngressModule,
      imports: [
        // Fail fast: while Redis is away a webhook must get its 503 at once, not wait for a reconnect.
        RedisModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, name: 'ingress', failFast: true }),
        BullModule.forRoot({ connection: queueConnection, prefix: keys.bullPrefix }),
        BullModule.registerQueue({ name: TURNS_QUEUE }, { name: NOTIFICATIONS_QUEUE }),
        ChannelsModule.register(box),
        GenesysApiModule.register({ secretBox: box, baseUrlOverride: config.GENESYS_BASE_URL, allowLocalEmulator: config.devSecretsAllowed, logger: nestGenesysLogger() }),
        GenesysJwtModule,
        BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, ...options.botProviders, allowPrivateNetworks: config.botProvidersAllowPrivate }),
      ],
      controllers: [AuthController, DashboardController, ChannelsAdminController, AuditController, BotProvidersController, BotConnectorController, DigitalBotConnectorController, HealthController, MetricsController, ConversationsController, GenesysOAuthController, NotificationsController, PublishingController],
      providers: [
        { provide: IngressConfig, useValue: config },
        { provide: QUEUE_CONNECTION, useValue: queueConnection },
        ReplyStreamListener,
        LoadShedder,
        TurnDispatcher,
        IngressMetrics,
        BotConnectorAuthGuard,
        DigitalBotConnectorAuthGuard,
        ...IP_ALLOWLIST_PROVIDERS,
        AdminAuthService,
        TurnStats,
        ChannelsAdminService,
        ChannelSetupService,
        GenesysContactTracker,
        AdminAuthGuard,
        { provide: OAuthStateStore, useFactory: (redis: Redis, k: RedisKeys) => new OAuthStateStore(redis, k, box), inject: [REDIS_CLIENT, RedisKeys] },
        GenesysOAuthService,
        NotificationIntake,
        BotListPublisher,
      ],
    };
  }
}
