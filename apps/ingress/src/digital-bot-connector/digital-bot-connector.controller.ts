import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { dbcBotOf, toDbcResponse } from '@app/channels';
import { GatewayError } from '@app/errors';
import type { DbcBot, IncomingMessagesResponse } from '@app/genesys';
import { IncomingMessagesRequestDto } from '../bot-connector/dto/incoming-turn.dto.js';
import { TurnDispatcher } from '../bot-connector/turn-dispatcher.service.js';
import { correlationIdOf, type AuthenticatedRequest } from '../bot-connector/webhook-edge.js';
import { DigitalBotConnectorAuthGuard } from './dbc-auth.guard.js';
import { requestTraceContext } from '../request-tracing.js';

/**
 * The Digital Bot Connector (v2) "Bot Connector URI": `/genesys/:channelId/dbc`. Genesys reads the
 * bot list from `/bots` (so Architect's dropdowns follow the channel's configuration) and posts
 * each customer message to `/messages`, where a result within the inline window is answered at
 * once and a slower one follows through the outgoing-messages API (reference §3).
 */
@Controller('genesys/:channelId/dbc')
@UseGuards(DigitalBotConnectorAuthGuard)
export class DigitalBotConnectorController {
  constructor(private readonly dispatcher: TurnDispatcher) {}

  @Get('bots')
  bots(@Req() req: AuthenticatedRequest): { entities: DbcBot[] } {
    const channel = req.channel!;
    return { entities: channel.bots.map((b) => dbcBotOf(channel, b)) };
  }

  @Get('bots/:botId')
  bot(@Req() req: AuthenticatedRequest, @Param('botId') botId: string): DbcBot {
    const channel = req.channel!;
    const bot = channel.bots.find((b) => b.id === botId);
    if (!bot) throw new GatewayError('bot_not_found', `bot "${botId.slice(0, 100)}" is not served by channel "${channel.id}"`);
    return dbcBotOf(channel, bot);
  }

  @Post('messages')
  @HttpCode(200)
  async messages(@Req() req: AuthenticatedRequest, @Body() turn: IncomingMessagesRequestDto): Promise<IncomingMessagesResponse> {
    const receivedAt = req.receivedAt ?? Date.now();
    const channel = req.channel!;
    // v2 names the bot by its registered id only (no chatBot object, §3.3).
    const bot = channel.bots.find((b) => b.id === turn.botId);
    if (!bot) throw new GatewayError('bot_not_found', `bot "${turn.botId.slice(0, 100)}" is not served by channel "${channel.id}"`);
    if (!bot.versions.includes(turn.botVersion)) {
      throw new GatewayError('bot_not_found', `bot "${bot.id}" has no version "${turn.botVersion.slice(0, 100)}"; republish the flow with a version from GET /bots`);
    }
    const response = await this.dispatcher.dispatch(turn, { channel, bot, correlationId: correlationIdOf(req), traceContext: requestTraceContext(req), receivedAt, protocol: 'v2' });
    return toDbcResponse(channel, response);
  }
}
