import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { send } from './http-reply.js';

@Controller('api/v2')
export class UtilitiesApiController {
  constructor(@Inject(GenesysCloudEmulator) private readonly emulator: GenesysCloudEmulator) {}

  /** Source ranges per service; a gateway allowlists `service == "bot-connector"` (reference §2.1). */
  @Get('ipranges')
  ipRanges(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.emulator.ipRanges(authorization));
  }
}
