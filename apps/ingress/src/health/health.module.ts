import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from '@app/redis';
import { BotConnectorModule } from '../bot-connector/bot-connector.module.js';
import { HealthController } from './health.controller.js';

/** Liveness, and readiness: not draining, Redis and the turns queue answer, some worker is alive. */
@Module({
  // No terminus logger: probes poll every few seconds, so an outage would log an error per poll;
  // the probe's answer says what failed.
  imports: [BotConnectorModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
