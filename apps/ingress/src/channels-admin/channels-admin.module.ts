import { Module } from '@nestjs/common';
import { GenesysJwtModule } from '@app/genesys-jwt';
import { AdminModule } from '../admin/admin.module.js';
import { BotConnectorModule } from '../bot-connector/bot-connector.module.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { PublishingModule } from '../publishing/publishing.module.js';
import { ChannelSetupService } from './channel-setup.service.js';
import { AuditController, BotProvidersController, ChannelsAdminController } from './channels-admin.controller.js';
import { ChannelsAdminService } from './channels-admin.service.js';

/**
 * Channel administration, the setup doctor (OAuth, publishing, a test turn through the real turn
 * path), the bot provider list and the audit log.
 */
@Module({
  imports: [AdminModule, BotConnectorModule, GenesysJwtModule, OAuthModule, PublishingModule],
  controllers: [ChannelsAdminController, AuditController, BotProvidersController],
  providers: [ChannelsAdminService, ChannelSetupService],
})
export class ChannelsAdminModule {}
