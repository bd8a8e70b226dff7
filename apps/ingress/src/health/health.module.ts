import { Module } from '@nestjs/common';
import { BotConnectorModule } from '../bot-connector/bot-connector.module.js';
import { HealthController } from './health.controller.js';

/** Liveness, and readiness: not draining, Redis and the turns queue answer, some worker is alive. */
@Module({
  imports: [BotConnectorModule],
  controllers: [HealthController],
})
export class HealthModule {}
