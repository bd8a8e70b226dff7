import { Module } from '@nestjs/common';
import { OpsModule } from '../ops/ops.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { RenderingModule } from '../rendering/rendering.module.js';
import { NotificationProcessor } from './notification.processor.js';
import { NotificationSender } from './notification.sender.js';

/** The notifications queue's consumer: renders and sends the notifications the admin API queued. */
@Module({
  imports: [OpsModule, OutboxModule, RenderingModule],
  providers: [NotificationSender, NotificationProcessor],
})
export class NotificationsModule {}
