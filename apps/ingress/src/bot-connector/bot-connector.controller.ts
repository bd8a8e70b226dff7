import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { resolveBot } from '@app/channels';
import { GatewayError } from '@app/errors';
import type { BotConnectorResponse } from '@app/genesys';
import { BotConnectorAuthGuard, type AuthenticatedRequest } from './bot-connector-auth.guard.js';
import { IncomingTurnDto } from './dto/incoming-turn.dto.js';
import { TurnDispatcher } from './turn-dispatcher.service.js';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Genesys's `inin-correlation-id`, when it is one (never a free-form string into the logs). */
export function correlationIdOf(req: AuthenticatedRequest): string | undefined {
  const raw = req.headers['inin-correlation-id'];
  return typeof raw === 'string' && CORRELATION_ID.test(raw) ? raw : undefined;
}

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
    return this.dispatcher.dispatch(turn, { channel, bot, correlationId: correlationIdOf(req), receivedAt });
  }
}
