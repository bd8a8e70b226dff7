import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { EmulatorResponse } from './emulator-response.js';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { send } from './http-reply.js';

/**
 * HTTP surface of the emulated Genesys login host (`/oauth/*`) and the API host's
 * `/api/v2/tokens/me`. One server plays both hosts: a base-URL override points the gateway's
 * `login.` and `api.` hosts at it.
 */
@Controller()
export class OAuthEmulatorController {
  constructor(@Inject(GenesysCloudEmulator) private readonly emulator: GenesysCloudEmulator) {}

  @Get('oauth/authorize')
  authorize(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): void {
    send(reply, this.emulator.authorize(query ?? {}));
  }

  @Post('oauth/token')
  @HttpCode(200)
  token(@Headers('authorization') authorization: string | undefined, @Headers('content-type') contentType: string | undefined, @Body() body: unknown, @Res() reply: FastifyReply): void {
    // Genesys's token endpoint takes a form body only; JSON is a client bug worth surfacing.
    if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const r: EmulatorResponse = { kind: 'json', status: 400, body: { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' } };
      (reply.request as unknown as { emulatorOAuthError?: string }).emulatorOAuthError = 'invalid_request';
      return send(reply, r);
    }
    const form = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const r = this.emulator.token(authorization, form);
    // Annotate the request for the call log (the hook records it once the answer is sent).
    Object.assign(reply.request as object, {
      emulatorGrantType: r.grantType,
      emulatorClientId: r.clientId,
      emulatorOAuthError: r.error,
      emulatorClientAuth: r.clientAuth,
      emulatorCodeVerifier: r.codeVerifier,
    });
    send(reply, r);
  }

  @Get('api/v2/tokens/me')
  tokensMe(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): void {
    send(reply, this.emulator.tokensMe(authorization));
  }
}
