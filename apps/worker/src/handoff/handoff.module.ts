import { Module } from '@nestjs/common';
import { ParticipantDataWriter } from './participant-data.writer.js';

/** The participant data a handoff leaves on the Genesys conversation (the policy itself is plain functions). */
@Module({
  providers: [ParticipantDataWriter],
  exports: [ParticipantDataWriter],
})
export class HandoffModule {}
