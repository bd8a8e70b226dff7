import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@app/redis';
import { BotConnectorModule } from '../bot-connector/bot-connector.module.js';
import { HealthController } from './health.controller.js';

/** Liveness, readiness (draining, plus the dependencies READINESS_CHECKS names) and dependency status. */
@Module({
  // No terminus logger: probes poll every few seconds, so an outage would log an error per poll;
  // the probe's answer says what failed.
  imports: [BotConnectorModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
