import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { GenesysSourceCheck } from './genesys-source-check.service.js';
import { IP_ALLOWLIST_PROVIDERS } from './index.js';

/** The Genesys source-address check the two webhook guards run (channels with restrictToGenesysIps). */
@Module({
  imports: [MetricsModule],
  providers: IP_ALLOWLIST_PROVIDERS,
  exports: [GenesysSourceCheck],
})
export class IpAllowlistModule {}
