import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationIntake } from './notification.intake.js';

/** The notifications API: records a notification and queues it for the workers to send. */
@Module({
  imports: [AdminModule],
  controllers: [NotificationsController],
  providers: [NotificationIntake],
})
export class NotificationsModule {}
