import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CHANNEL_ID_PATTERN } from '@app/channels';
import { GatewayError } from '@app/errors';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { BotListPublisher, type PublishView } from './bot-list-publisher.service.js';

const flag = (v: unknown) => v === 'true' || v === '1';

/** Bot list registration (v1): publish, and what was published and how it drifted since. */
@Controller('api/channels/:channelId/publish')
@UseGuards(AdminAuthGuard)
export class PublishingController {
  constructor(private readonly publisher: BotListPublisher) {}

  @Post()
  @HttpCode(200)
  publish(@Param('channelId') channelId: string, @Query('prune') prune?: string, @Query('force') force?: string): Promise<PublishView> {
    check(channelId);
    return this.publisher.publish(channelId, { prune: flag(prune), force: flag(force) });
  }

  @Get()
  status(@Param('channelId') channelId: string, @Query('refresh') refresh?: string): Promise<PublishView> {
    check(channelId);
    return this.publisher.status(channelId, flag(refresh));
  }
}

function check(channelId: string): void {
  if (!CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('channel_not_found', 'unknown channel');
}
