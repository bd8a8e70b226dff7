import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CHANNEL_ID_PATTERN } from '@app/channels';
import { GatewayError } from '@app/errors';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { CreateNotificationDto } from './dto/create-notification.dto.js';
import { NotificationsService, type NotificationView } from './notifications.service.js';

/**
 * Proactive notifications from business apps. 202 with the notification when it is new; 200 with
 * the first one when the idempotency key was seen before (nothing is sent twice).
 */
@Controller('api')
@UseGuards(AdminAuthGuard)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post('channels/:channelId/notifications')
  @HttpCode(202)
  async create(@Param('channelId') channelId: string, @Body() dto: CreateNotificationDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<NotificationView> {
    if (!CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('channel_not_found', 'unknown channel');
    const { created, notification } = await this.notifications.create(channelId, dto);
    if (!created) reply.code(200);
    reply.header('location', `/api/notifications/${notification.id}`);
    return notification;
  }

  @Get('notifications/:id')
  get(@Param('id') id: string): Promise<NotificationView> {
    return this.notifications.get(id);
  }
}
