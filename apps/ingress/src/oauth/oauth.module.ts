import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { GenesysOAuthController } from './genesys-oauth.controller.js';
import { GenesysOAuthService } from './genesys-oauth.service.js';

/** Connecting a channel to its Genesys org (authorization code flow); channel setup uses the service. */
@Module({
  imports: [AdminModule],
  controllers: [GenesysOAuthController],
  providers: [GenesysOAuthService],
  exports: [GenesysOAuthService],
})
export class OAuthModule {}
