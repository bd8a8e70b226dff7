import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { AdminAuthService } from './admin-auth.service.js';
import { AuthController } from './auth.controller.js';

/**
 * Admin authentication (users, console sessions, API keys, the audit log) and the login API.
 * Every admin feature imports it: its routes carry AdminAuthGuard, which Nest builds in that
 * feature's module from the AdminAuthService exported here.
 */
@Module({
  imports: [MetricsModule],
  controllers: [AuthController],
  providers: [AdminAuthService],
  exports: [AdminAuthService],
})
export class AdminModule {}
