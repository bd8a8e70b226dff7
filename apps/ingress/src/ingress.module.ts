import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { ChannelsModule } from '@app/channels';
import { IngressConfig } from '@app/config';
import { GenesysJwtModule } from '@app/genesys-jwt';
import { RedisKeys, TURNS_QUEUE } from '@app/queue';
import { RedisModule, createRedis } from '@app/redis';
import { AdminTokenGuard } from './admin/admin-token.guard.js';
import { BotConnectorAuthGuard } from './bot-connector/bot-connector-auth.guard.js';
import { BotConnectorController } from './bot-connector/bot-connector.controller.js';
import { ReplyStreamListener } from './bot-connector/reply-stream.listener.js';
import { TurnDispatcher } from './bot-connector/turn-dispatcher.service.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { HealthController } from './health/health.controller.js';
import { IngressMetrics } from './metrics/ingress-metrics.service.js';
import { MetricsController } from './metrics/metrics.controller.js';

@Module({})
export class IngressModule {
  static register(config: IngressConfig): DynamicModule {
    const keys = new RedisKeys(config.REDIS_PREFIX);
    return {
      module: IngressModule,
      imports: [
        RedisModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, name: 'ingress' }),
        BullModule.forRoot({
          // The producer fails fast while Redis is away, so a webhook gets a 503 at once
          // instead of hanging until Genesys gives up (perf-reliability §2.5).
          connection: (() => {
            const c = createRedis({ url: config.REDIS_URL, name: 'ingress-queue', failFast: true });
            c.on('error', () => undefined);
            return c;
          })(),
          prefix: keys.bullPrefix,
        }),
        BullModule.registerQueue({ name: TURNS_QUEUE }),
        ChannelsModule,
        GenesysJwtModule,
      ],
      controllers: [BotConnectorController, HealthController, MetricsController, ConversationsController],
      providers: [
        { provide: IngressConfig, useValue: config },
        ReplyStreamListener,
        TurnDispatcher,
        IngressMetrics,
        BotConnectorAuthGuard,
        AdminTokenGuard,
      ],
    };
  }
}
