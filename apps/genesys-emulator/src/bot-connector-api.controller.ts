import { Body, Controller, Get, Headers, Inject, Param, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { send } from './http-reply.js';

/**
 * Bot Connector Platform API: the v1 bot list (reference §2.6) and the v2 outgoing messages
 * (§3.5). Every route needs a bearer token issued by the emulator's own OAuth.
 */
@Controller('api/v2/integrations')
export class BotConnectorApiController {
  constructor(@Inject(GenesysCloudEmulator) private readonly emulator: GenesysCloudEmulator) {}

  @Put('botconnector/:integrationId/bots')
  putBots(@Headers('authorization') authorization: string | undefined, @Param('integrationId') integrationId: string, @Body() body: unknown, @Res() reply: FastifyReply): void {
    const auth = this.emulator.authorizeApi(authorization);
    send(reply, auth.ok ? this.emulator.botLists.put(integrationId, body) : auth.response);
  }

  @Get('botconnector/:integrationId/bots')
  getBots(@Headers('authorization') authorization: string | undefined, @Param('integrationId') integrationId: string, @Res() reply: FastifyReply): void {
    const auth = this.emulator.authorizeApi(authorization);
    send(reply, auth.ok ? this.emulator.botLists.get(integrationId) : auth.response);
  }

  @Post('botconnectors/outgoing/messages')
  outgoing(@Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Res() reply: FastifyReply): void {
    const auth = this.emulator.authorizeApi(authorization);
    send(reply, auth.ok ? this.emulator.outgoing.post(body) : auth.response);
  }
}
