import { Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { CHANNEL_ID_PATTERN } from '@app/channels';
import { GatewayError } from '@app/errors';
import { AdminAuthGuard, type AdminRequest } from '../admin/admin-auth.guard.js';
import { AdminAuthService } from '../admin/admin-auth.service.js';
import { BotListPublisher, type PublishView } from './bot-list-publisher.service.js';

const flag = (v: unknown) => v === 'true' || v === '1';

/** Bot list registration (v1): publish, and what was published and how it drifted since. */
@Controller('api/channels/:channelId/publish')
@UseGuards(AdminAuthGuard)
export class PublishingController {
  constructor(
    private readonly publisher: BotListPublisher,
    private readonly auth: AdminAuthService,
  ) {}

  @Post()
  @HttpCode(200)
  async publish(@Req() req: AdminRequest, @Param('channelId') channelId: string, @Query('prune') prune?: string, @Query('force') force?: string): Promise<PublishView> {
    check(channelId);
    const opts = { prune: flag(prune), force: flag(force) };
    try {
      const view = await this.publisher.publish(channelId, opts);
      await this.auth.audit.record(req.actor!, 'channel.publish', `channel:${channelId}`, { ...opts, ok: true });
      return view;
    } catch (e) {
      await this.auth.audit.record(req.actor!, 'channel.publish', `channel:${channelId}`, { ...opts, ok: false, error: (e as Error).message.slice(0, 200) });
      throw e;
    }
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
