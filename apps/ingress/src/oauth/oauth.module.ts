import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { GenesysOAuthController } from './genesys-oauth.controller.js';
import { GenesysOAuthService } from './genesys-oauth.service.js';
import { OAuthMetrics } from './oauth-metrics.js';

/** Connecting a channel to its Genesys org (authorization code flow); channel setup uses the service. */
@Module({
  imports: [AdminModule, MetricsModule],
  controllers: [GenesysOAuthController],
  providers: [GenesysOAuthService, OAuthMetrics],
  exports: [GenesysOAuthService],
})
export class OAuthModule {}
