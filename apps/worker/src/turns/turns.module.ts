import { Module } from '@nestjs/common';
import { PrivacyModule } from '@app/privacy';
import { BotCallsModule } from '../bot-calls/bot-calls.module.js';
import { HandoffModule } from '../handoff/handoff.module.js';
import { OpsModule } from '../ops/ops.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { RenderingModule } from '../rendering/rendering.module.js';
import { AfterTurnEffects } from './after-turn.js';
import { SessionDrain } from './session-drain.js';
import { TurnProcessor } from './turn.processor.js';
import { TurnStep } from './turn-step.js';

/**
 * The turns queue's consumer: drains a session's turns (SessionDrain), each one session → bot →
 * handoff → render (TurnStep), then the effects after the answer (AfterTurnEffects).
 */
@Module({
  imports: [BotCallsModule, HandoffModule, OpsModule, OutboxModule, PrivacyModule, RenderingModule],
  providers: [TurnStep, SessionDrain, AfterTurnEffects, TurnProcessor],
})
export class TurnsModule {}
