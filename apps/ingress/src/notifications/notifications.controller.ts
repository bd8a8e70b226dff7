import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CHANNEL_ID_PATTERN } from '@app/channels';
import { GatewayError } from '@app/errors';
import { AdminAuthGuard, type AdminRequest } from '../admin/admin-auth.guard.js';
import { AdminAuthService } from '../admin/admin-auth.service.js';
import { CreateNotificationDto } from './dto/create-notification.dto.js';
import { NotificationIntake, type NotificationView } from './notification.intake.js';
import { requestTraceContext } from '../request-tracing.js';

/**
 * Proactive notifications from business apps. 202 with the notification when it is new; 200 with
 * the first one when the idempotency key was seen before (nothing is sent twice).
 */
@Controller('api')
@UseGuards(AdminAuthGuard)
export class NotificationsController {
  constructor(
    private readonly intake: NotificationIntake,
    private readonly auth: AdminAuthService,
  ) {}

  @Post('channels/:channelId/notifications')
  @HttpCode(202)
  async create(@Req() req: AdminRequest, @Param('channelId') channelId: string, @Body() dto: CreateNotificationDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<NotificationView> {
    if (!CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('channel_not_found', 'unknown channel');
    const { created, notification } = await this.intake.create(channelId, dto, requestTraceContext(req));
    if (!created) reply.code(200);
    else await this.auth.audit.record(req.actor!, 'notification.create', `notification:${notification.id}`, { channelId, target: notification.target.kind });
    reply.header('location', `/api/notifications/${notification.id}`);
    return notification;
  }

  @Get('notifications/:id')
  get(@Param('id') id: string): Promise<NotificationView> {
    return this.intake.get(id);
  }
}
