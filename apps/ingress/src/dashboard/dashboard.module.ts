import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { DashboardController } from './dashboard.controller.js';
import { TurnStatsModule } from './turn-stats.module.js';

/** The console's dashboard API: turn stats, queue depths, live workers. */
@Module({
  imports: [AdminModule, TurnStatsModule],
  controllers: [DashboardController],
})
export class DashboardModule {}
