import { Module } from '@nestjs/common';
import { BotCallsModule } from '../bot-calls/bot-calls.module.js';
import { HandoffModule } from '../handoff/handoff.module.js';
import { OpsModule } from '../ops/ops.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { RenderingModule } from '../rendering/rendering.module.js';
import { TurnProcessor } from './turn.processor.js';
import { TurnService } from './turn.service.js';

/** The turns queue's consumer: drains a session's turns (session → bot → handoff → render → reply). */
@Module({
  imports: [BotCallsModule, HandoffModule, OpsModule, OutboxModule, RenderingModule],
  providers: [TurnService, TurnProcessor],
})
export class TurnsModule {}
