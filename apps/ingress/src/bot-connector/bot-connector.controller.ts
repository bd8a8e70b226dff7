import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { resolveBot } from '@app/channels';
import { GatewayError } from '@app/errors';
import type { BotConnectorResponse } from '@app/genesys';
import { BotConnectorAuthGuard } from './bot-connector-auth.guard.js';
import { IncomingTurnDto } from './dto/incoming-turn.dto.js';
import { TurnDispatcher } from './turn-dispatcher.service.js';
import { correlationIdOf, type AuthenticatedRequest } from './webhook-edge.js';
import { requestTraceContext } from '../request-tracing.js';

/**
 * The Bot Connector v1 "Handle Utterance URI": `POST /genesys/:channelId/botconnector`.
 * Genesys waits for the answer in this response.
 */
@Controller('genesys/:channelId')
export class BotConnectorController {
  constructor(private readonly dispatcher: TurnDispatcher) {}

  @Post('botconnector')
  @HttpCode(200)
  @UseGuards(BotConnectorAuthGuard)
  async handleUtterance(@Req() req: AuthenticatedRequest, @Body() turn: IncomingTurnDto): Promise<BotConnectorResponse> {
    const receivedAt = req.receivedAt ?? Date.now();
    const channel = req.channel!;
    const bot = resolveBot(channel, turn.botId, turn.chatBot?.id);
    if (!bot) throw new GatewayError('bot_not_found', `bot "${(turn.botId ?? turn.chatBot?.id ?? '').slice(0, 100)}" is not served by channel "${channel.id}"`);
    return this.dispatcher.dispatch(turn, { channel, bot, correlationId: correlationIdOf(req), traceContext: requestTraceContext(req), receivedAt });
  }
}
