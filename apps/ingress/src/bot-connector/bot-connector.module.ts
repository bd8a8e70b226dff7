import { Module } from '@nestjs/common';
import { GenesysJwtModule } from '@app/genesys-jwt';
import { IpAllowlistModule } from '../ip-allowlist/ip-allowlist.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { BotConnectorController } from './bot-connector.controller.js';
import { GenesysContactTracker } from './genesys-contact.tracker.js';
import { LoadShedder } from './load-shedder.service.js';
import { ReplyStreamListener } from './reply-stream.listener.js';
import { TurnDispatcher } from './turn-dispatcher.service.js';

/**
 * The Bot Connector webhook (Handle Utterance URI) and the turn path behind it: admission
 * (LoadShedder), accept and enqueue (TurnDispatcher), the wait for the worker's reply
 * (ReplyStreamListener). Other webhooks, the health check and the setup test turn dispatch
 * through the exported TurnDispatcher.
 */
@Module({
  imports: [GenesysJwtModule, IpAllowlistModule, MetricsModule],
  controllers: [BotConnectorController],
  providers: [ReplyStreamListener, LoadShedder, TurnDispatcher, GenesysContactTracker],
  exports: [TurnDispatcher, GenesysContactTracker],
})
export class BotConnectorModule {}
