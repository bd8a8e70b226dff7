import { Module, type DynamicModule } from '@nestjs/common';
import { BUILT_IN_BOT_PROVIDERS, BotProvidersModule, type BotProviderSet } from '@app/bot-providers';
import { ChannelsModule } from '@app/channels';
import { secretBoxFor } from '@app/secrets';
import { WorkerConfig } from '@app/config';
import { RedisModule } from '@app/redis';
import { GenesysApiModule, nestGenesysLogger } from '@app/genesys-api';
import { BotCaller } from './bot-calls/bot-caller.service.js';
import { HeartbeatService } from './ops/heartbeat.service.js';
import { WorkerMetrics } from './ops/worker-metrics.service.js';
import { StructuredMessageRenderer } from './rendering/structured-message.renderer.js';
import { TurnProcessor } from './turns/turn.processor.js';
import { TurnService } from './turns/turn.service.js';
import { OutgoingMessageSender } from './outbox/outgoing-message.sender.js';
import { OutboxSweeper } from './outbox/outbox-sweeper.service.js';
import { ParticipantDataWriter } from './handoff/participant-data.writer.js';
import { NotificationSender } from './notifications/notification.sender.js';
import { NotificationProcessor } from './notifications/notification.processor.js';


export interface WorkerModuleOptions {
  /**
   * The bot providers this worker offers; defaults to BUILT_IN_BOT_PROVIDERS. Give the ingress the
   * same set (it validates provider configs and probes backends with it).
   */
  botProviders?: BotProviderSet;
}

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig, options: WorkerModuleOptions = {}): DynamicModule {
    const box = secretBoxFor(config);
    return {
      module: WorkerModule,
      imports: [
        RedisModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, name: 'worker' }),
        ChannelsModule.register(box),
        GenesysApiModule.register({ secretBox: box, baseUrlOverride: config.GENESYS_BASE_URL, allowLocalEmulator: config.devSecretsAllowed, logger: nestGenesysLogger() }),
        BotProvidersModule.forRoot({ providers: BUILT_IN_BOT_PROVIDERS, ...options.botProviders, allowPrivateNetworks: config.botProvidersAllowPrivate }),
      ],
      providers: [
        { provide: WorkerConfig, useValue: config },
        StructuredMessageRenderer,
        BotCaller,
        WorkerMetrics,
        TurnService,
        TurnProcessor,
        HeartbeatService,
        OutgoingMessageSender,
        OutboxSweeper,
        ParticipantDataWriter,
        NotificationSender,
        NotificationProcessor,
      ],
      exports: [TurnService],
    };
  }
}
