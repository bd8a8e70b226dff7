import { Module } from '@nestjs/common';
import { PrivacyModule } from '@app/privacy';
import { OpsModule } from '../ops/ops.module.js';
import { OutgoingMessageSender } from './outgoing-message.sender.js';
import { OutboxSweeper } from './outbox-sweeper.service.js';

/**
 * Messages sent to Genesys through the outgoing-messages API, in order, per session; the sweeper
 * queues a drain for an outbox nobody is sending.
 */
@Module({
  imports: [OpsModule, PrivacyModule],
  providers: [OutgoingMessageSender, OutboxSweeper],
  exports: [OutgoingMessageSender],
})
export class OutboxModule {}
