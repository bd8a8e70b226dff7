import { Controller, Get, Logger, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CHANNEL_ID_PATTERN, CHANNEL_ID_RULE } from '@app/channels';
import { GatewayError } from '@app/errors';
import { AdminAuthGuard, type AdminRequest } from '../admin/admin-auth.guard.js';
import { AdminAuthService } from '../admin/admin-auth.service.js';
import { GenesysOAuthService, type CallbackOutcome } from './genesys-oauth.service.js';


function checkId(channelId: string): void {
  if (!CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('invalid_request', `channelId ${CHANNEL_ID_RULE}`);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(o: CallbackOutcome): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Genesys Cloud authorization</title></head>',
    `<body><h1>${escapeHtml(o.title)}</h1><p>${escapeHtml(o.message)}</p>`,
    // Back to where the admin started: the channel's setup page in the console.
    o.channelId ? `<p><a href="/console/channels/${encodeURIComponent(o.channelId)}">Back to the console</a></p>` : `<p><a href="/console/">Back to the console</a></p>`,
    '</body></html>',
  ].join('\n');
}

/** Genesys Cloud OAuth: admin endpoints under /api/channels/:channelId/oauth and the browser callback. */
@Controller()
export class GenesysOAuthController {
  private readonly logger = new Logger(GenesysOAuthController.name);

  constructor(
    private readonly oauth: GenesysOAuthService,
    private readonly auth: AdminAuthService,
  ) {}

  @Get('api/channels/:channelId/oauth/authorize')
  @UseGuards(AdminAuthGuard)
  async authorize(@Req() req: AdminRequest, @Param('channelId') channelId: string, @Query('format') format: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    checkId(channelId);
    const url = await this.oauth.authorizeUrl(channelId, req.actor!.name);
    await this.auth.audit.record(req.actor!, 'channel.oauth.authorize', `channel:${channelId}`);
    void reply.header('cache-control', 'no-store');
    if (format === 'json') {
      await reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ url }));
      return;
    }
    await reply.code(302).header('location', url).send();
  }

  @Get('oauth/genesys/callback')
  async callback(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const outcome = await this.oauth.callback(query ?? {});
    if (outcome.channelId && outcome.by) {
      await this.auth.audit
        .record({ kind: 'user', name: outcome.by }, outcome.ok ? 'channel.oauth.connected' : 'channel.oauth.failed', `channel:${outcome.channelId}`, outcome.ok ? undefined : { reason: outcome.title })
        // The browser still gets its page; a lost audit entry is logged, not shown to the admin.
        .catch((e: Error) => this.logger.warn({ channelId: outcome.channelId, error: e.message }, 'could not record the OAuth outcome in the audit log'));
    }
    await reply
      .code(outcome.status)
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'")
      .header('content-type', 'text/html; charset=utf-8')
      .send(page(outcome));
  }

  @Get('api/channels/:channelId/oauth/status')
  @UseGuards(AdminAuthGuard)
  async status(@Param('channelId') channelId: string) {
    checkId(channelId);
    return this.oauth.status(channelId);
  }

  @Post('api/channels/:channelId/oauth/connect')
  @UseGuards(AdminAuthGuard)
  async connect(@Req() req: AdminRequest, @Param('channelId') channelId: string) {
    checkId(channelId);
    const status = await this.oauth.connect(channelId);
    await this.auth.audit.record(req.actor!, 'channel.oauth.connect', `channel:${channelId}`);
    return status;
  }
}
