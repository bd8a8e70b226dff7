import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { BotListPublisher } from './bot-list-publisher.service.js';
import { PublishingController } from './publishing.controller.js';

/** Publishing a channel's bot list to Genesys; channel setup uses the publisher. */
@Module({
  imports: [AdminModule],
  controllers: [PublishingController],
  providers: [BotListPublisher],
  exports: [BotListPublisher],
})
export class PublishingModule {}
