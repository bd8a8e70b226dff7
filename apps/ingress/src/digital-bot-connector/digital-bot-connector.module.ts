import { Module } from '@nestjs/common';
import { BotConnectorModule } from '../bot-connector/bot-connector.module.js';
import { IpAllowlistModule } from '../ip-allowlist/ip-allowlist.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DigitalBotConnectorController } from './digital-bot-connector.controller.js';

/** The Digital Bot Connector (v2) webhooks; turns go through bot-connector's TurnDispatcher. */
@Module({
  imports: [BotConnectorModule, IpAllowlistModule, MetricsModule],
  controllers: [DigitalBotConnectorController],
})
export class DigitalBotConnectorModule {}
