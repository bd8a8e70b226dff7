import { Controller, Get, Param } from '@nestjs/common';
import { BOT_SESSION_ID_PATTERN, BOT_SESSION_ID_RULE, CHANNEL_ID_PATTERN, CHANNEL_ID_RULE, ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { GenesysApiClientFactory, type ChannelAuthorizationProblem } from '@app/genesys-api';
import { OutboxStore, sessionKeyOf } from '@app/store';

export interface SessionOutboxView {
  channelId: string;
  botSessionId: string;
  /** v2 results stored for the session and not yet accepted by Genesys. */
  waiting: number;
  /** Set when the channel cannot send until someone acts: why, and the step that fixes it. */
  blockedBy?: ChannelAuthorizationProblem;
}

/**
 * Development only (not registered in production): tells the terminal chat (`npm run chat --
 * --via-emulator`) why a v2 reply it waits for has not come. Without authentication, so it says
 * no more than the channel's authorization state and a count.
 */
@Controller('dev')
export class DevStatusController {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly api: GenesysApiClientFactory,
    private readonly outbox: OutboxStore,
  ) {}

  @Get('channels/:channelId/sessions/:botSessionId/outbox')
  async sessionOutbox(@Param('channelId') channelId: string, @Param('botSessionId') botSessionId: string): Promise<SessionOutboxView> {
    if (!CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('invalid_request', `channelId ${CHANNEL_ID_RULE}`);
    if (!BOT_SESSION_ID_PATTERN.test(botSessionId)) throw new GatewayError('invalid_request', `botSessionId ${BOT_SESSION_ID_RULE}`);
    const channel = await this.channels.get(channelId);
    if (!channel) throw new GatewayError('channel_not_found', `no channel "${channelId}"`);
    const [waiting, blockedBy] = await Promise.all([this.outbox.length(sessionKeyOf(channelId, botSessionId)), this.api.authorizationProblem(channel)]);
    return { channelId, botSessionId, waiting, ...(blockedBy ? { blockedBy } : {}) };
  }
}
