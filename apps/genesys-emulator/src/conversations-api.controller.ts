import { Body, Controller, Get, Headers, Inject, Param, Patch, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { send } from './http-reply.js';

/** Messaging conversations Platform API: read a conversation, set participant data, agentless sends. */
@Controller('api/v2/conversations/messages')
export class ConversationsApiController {
  constructor(@Inject(GenesysCloudEmulator) private readonly emulator: GenesysCloudEmulator) {}

  /** Declared before `:conversationId` so the literal path is never read as an id. */
  @Post('agentless')
  agentless(@Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Res() reply: FastifyReply): void {
    const auth = this.emulator.authorizeApi(authorization);
    send(reply, auth.ok ? this.emulator.agentless.post(body) : auth.response);
  }

  @Get(':conversationId')
  get(@Headers('authorization') authorization: string | undefined, @Param('conversationId') conversationId: string, @Res() reply: FastifyReply): void {
    const auth = this.emulator.authorizeApi(authorization);
    if (!auth.ok) return send(reply, auth.response);
    const conv = this.emulator.conversations.get(conversationId);
    if (conv) this.emulator.flows.expireIfDue(conv);
    send(reply, this.emulator.conversations.apiGet(conversationId));
  }

  @Patch(':conversationId/participants/:participantId/attributes')
  patchAttributes(
    @Headers('authorization') authorization: string | undefined,
    @Param('conversationId') conversationId: string,
    @Param('participantId') participantId: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): void {
    const auth = this.emulator.authorizeApi(authorization);
    send(reply, auth.ok ? this.emulator.conversations.apiPatchAttributes(conversationId, participantId, body) : auth.response);
  }
}
