import { Module } from '@nestjs/common';
import { BotCaller } from './bot-caller.service.js';

/** Calls a channel's bot through its provider (from the global bot provider registry), one circuit breaker per backend. */
@Module({
  providers: [BotCaller],
  exports: [BotCaller],
})
export class BotCallsModule {}
