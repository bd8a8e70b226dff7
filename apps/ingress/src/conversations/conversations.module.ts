import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { ConversationErasure } from './conversation-erasure.service.js';
import { ConversationsController } from './conversations.controller.js';

/** The console's conversation list and transcripts. */
@Module({
  imports: [AdminModule],
  controllers: [ConversationsController],
  providers: [ConversationErasure],
})
export class ConversationsModule {}
