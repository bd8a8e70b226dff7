import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { ConversationsController } from './conversations.controller.js';

/** The console's conversation list and transcripts. */
@Module({
  imports: [AdminModule],
  controllers: [ConversationsController],
})
export class ConversationsModule {}
