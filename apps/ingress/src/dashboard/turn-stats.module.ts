import { Module } from '@nestjs/common';
import { TurnStats } from './turn-stats.js';

/**
 * The per-minute turn counters: metrics/ records them, the dashboard reads them. A module of its
 * own below both, so that neither imports the other.
 */
@Module({
  providers: [TurnStats],
  exports: [TurnStats],
})
export class TurnStatsModule {}
