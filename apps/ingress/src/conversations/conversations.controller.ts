import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CHANNEL_ID_PATTERN, ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { RedisKeys, sessionKeyOf, type TranscriptEntry } from '@app/queue';
import { REDIS_CLIENT } from '@app/redis';
import { AdminTokenGuard } from '../admin/admin-token.guard.js';

/** Genesys session ids are UUIDs; allow any id-like value up to the wire limit. */
const SESSION_ID = /^[A-Za-z0-9._-]{1,256}$/;

/** Conversation tracking: the transcript of one bot session, turn by turn. */
@Controller('api/conversations')
@UseGuards(AdminTokenGuard)
export class ConversationsController {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly channels: ChannelRepository,
  ) {}

  @Get(':botSessionId')
  async transcript(@Param('botSessionId') botSessionId: string, @Query('channelId') channelId?: string) {
    if (!SESSION_ID.test(botSessionId) || (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId))) {
      throw new GatewayError('invalid_request', 'botSessionId and channelId must be 1-256 letters, digits, ".", "_" or "-"');
    }
    const candidates = channelId ? [channelId] : (await this.channels.list()).map((c) => c.id);
    for (const ch of candidates) {
      const key = sessionKeyOf(ch, botSessionId);
      const raw = await this.redis.lrange(this.keys.transcript(key), 0, -1);
      if (raw.length === 0) continue;
      const session = await this.redis.get(this.keys.session(key));
      const turns = raw.map((r) => JSON.parse(r) as TranscriptEntry);
      return {
        channelId: ch,
        botSessionId,
        genesysConversationId: turns.find((t) => t.genesysConversationId)?.genesysConversationId,
        status: session ? ((JSON.parse(session) as { closed?: string }).closed ? 'closed' : 'open') : 'expired',
        turns,
      };
    }
    throw new GatewayError('not_found', 'no transcript for that bot session');
  }
}
