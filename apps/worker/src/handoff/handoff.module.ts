import { Module } from '@nestjs/common';
import { HandoffSummarizer } from './handoff-summary.js';
import { ParticipantDataWriter } from './participant-data.writer.js';

/**
 * What a handoff gives the agent: the summary from the transcript and the participant data left
 * on the Genesys conversation (the policy itself is plain functions).
 */
@Module({
  providers: [HandoffSummarizer, ParticipantDataWriter],
  exports: [HandoffSummarizer, ParticipantDataWriter],
})
export class HandoffModule {}
