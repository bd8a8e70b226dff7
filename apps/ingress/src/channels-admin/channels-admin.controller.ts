import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { BotProviderRegistry } from '@app/bot-providers';
import { BOT_SESSION_ID_PATTERN, CHANNEL_ID_PATTERN, CHANNEL_ID_RULE, HEADER_NAME_PATTERN } from '@app/channels';
import { GatewayError } from '@app/errors';
import { GenesysLimits } from '@app/genesys';
import { AdminAuthGuard, type AdminRequest } from '../admin/admin-auth.guard.js';
import { AdminAuthService } from '../admin/admin-auth.service.js';
import { ChannelSetupService } from './channel-setup.service.js';
import { ChannelsAdminService } from './channels-admin.service.js';
import { ValidationSubject } from '../errors/validation.pipe.js';

@ValidationSubject('channel')
export class CreateChannelDto {
  @IsString() @Matches(CHANNEL_ID_PATTERN, { message: `id ${CHANNEL_ID_RULE}` }) id: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  /** A login URL, an API or apps URL, or the bare domain of the region. */
  @IsString() @MinLength(2) @MaxLength(200) environment: string;
  @IsOptional() @IsArray() @ArrayMaxSize(GenesysLimits.maxBots) bots?: unknown[];
}

@ValidationSubject('Digital Bot Connector settings')
export class DbcSecretDto {
  @IsOptional() @IsString() @Matches(HEADER_NAME_PATTERN, { message: 'secretHeader must be an HTTP header name' }) secretHeader?: string;
  @IsOptional() @IsInt() @Min(0) @Max(GenesysLimits.maxDbcInlineWindowMs) inlineWindowMs?: number;
}

export class QuickReplyDto {
  @IsString() @MaxLength(GenesysLimits.maxInputTextLength) text: string;
  @IsString() @MaxLength(GenesysLimits.maxInputTextLength) payload: string;
}

@ValidationSubject('test turn')
export class TestTurnDto {
  @IsOptional() @IsString() @MaxLength(GenesysLimits.maxInputTextLength) text?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => QuickReplyDto) quickReply?: QuickReplyDto;
  @IsOptional() @IsString() @Matches(BOT_SESSION_ID_PATTERN) botSessionId?: string;
}

const FINGERPRINT = /^[0-9a-f]{12}$/;

function checkId(id: string): string {
  if (!CHANNEL_ID_PATTERN.test(id)) throw new GatewayError('channel_not_found', 'unknown channel');
  return id;
}

/** Channels, their credentials, and their setup (docs/admin-api.md). */
@Controller('api/channels')
@UseGuards(AdminAuthGuard)
export class ChannelsAdminController {
  private readonly logger = new Logger(ChannelsAdminController.name);

  constructor(
    private readonly admin: ChannelsAdminService,
    private readonly setup: ChannelSetupService,
    private readonly auth: AdminAuthService,
  ) {}

  @Get()
  async list() {
    const channels = await this.admin.list();
    const entities = await Promise.all(
      channels.map(async (c) => {
        // One channel's unreadable status must not fail the whole list; it is logged and the badge falls back.
        const status = await this.setup.status(c.id).catch((e: Error) => void this.logger.warn({ channelId: c.id, error: e.message }, 'could not read channel setup status'));
        const missing = status?.steps.filter((s) => !s.done && s.id !== 'enabled').map((s) => s.id) ?? [];
        const badge = !c.enabled ? 'disabled' : status?.lastError ? 'attention' : missing.length ? 'incomplete' : 'ready';
        return { id: c.id, name: c.name, enabled: c.enabled, source: c.source, status: badge, missing };
      }),
    );
    return { entities };
  }

  @Post()
  create(@Req() req: AdminRequest, @Body() dto: CreateChannelDto) {
    return this.admin.create(req.actor!, dto);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return this.admin.view(await this.admin.get(checkId(id)));
  }

  @Patch(':id')
  update(@Req() req: AdminRequest, @Param('id') id: string, @Body() patch: unknown) {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new GatewayError('invalid_request', 'body must be a JSON object of the fields to change');
    return this.admin.update(req.actor!, checkId(id), patch as Record<string, unknown>);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: AdminRequest, @Param('id') id: string): Promise<void> {
    await this.admin.remove(req.actor!, checkId(id));
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Req() req: AdminRequest, @Param('id') id: string) {
    return this.admin.setEnabled(req.actor!, checkId(id), true);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(@Req() req: AdminRequest, @Param('id') id: string) {
    return this.admin.setEnabled(req.actor!, checkId(id), false);
  }

  @Post(':id/app/secrets')
  createAppSecret(@Req() req: AdminRequest, @Param('id') id: string) {
    return this.admin.createAppSecret(req.actor!, checkId(id));
  }

  @Delete(':id/app/secrets/:fingerprint')
  @HttpCode(200)
  revokeAppSecret(@Req() req: AdminRequest, @Param('id') id: string, @Param('fingerprint') fingerprint: string) {
    if (!FINGERPRINT.test(fingerprint)) throw new GatewayError('not_found', 'a secret fingerprint is 12 hex characters');
    return this.admin.revokeAppSecret(req.actor!, checkId(id), fingerprint);
  }

  @Post(':id/dbc/secret')
  createDbcSecret(@Req() req: AdminRequest, @Param('id') id: string, @Body() dto: DbcSecretDto) {
    return this.admin.createDbcSecret(req.actor!, checkId(id), dto);
  }

  @Get(':id/status')
  status(@Param('id') id: string) {
    return this.setup.status(checkId(id));
  }

  @Post(':id/doctor')
  @HttpCode(200)
  doctor(@Param('id') id: string) {
    return this.setup.doctor(checkId(id));
  }

  @Post(':id/test-turn')
  @HttpCode(200)
  async testTurn(@Req() req: AdminRequest, @Param('id') id: string, @Body() dto: TestTurnDto) {
    if (dto.text === undefined && !dto.quickReply) throw new GatewayError('invalid_request', 'give "text" or "quickReply"');
    const result = await this.setup.testTurn(checkId(id), dto);
    await this.auth.audit.record(req.actor!, 'channel.test_turn', `channel:${id}`, { botSessionId: result.botSessionId });
    return result;
  }
}

/** The audit log, newest first. */
@Controller('api/audit')
@UseGuards(AdminAuthGuard)
export class AuditController {
  constructor(private readonly auth: AdminAuthService) {}

  @Get()
  list(@Query('limit') limit?: string, @Query('before') before?: string) {
    if (before !== undefined && !/^\d{1,20}-\d{1,20}$/.test(before)) throw new GatewayError('invalid_request', 'before must be an audit entry id');
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw new GatewayError('invalid_request', 'limit must be 1-500');
    return this.auth.audit.list(n, before);
  }
}

/** The bot providers this gateway knows, with the form of their config (the console's bots step). */
@Controller('api/bot-providers')
@UseGuards(AdminAuthGuard)
export class BotProvidersController {
  constructor(private readonly providers: BotProviderRegistry) {}

  /** Each provider's name, title, docs page, config fields (in form order) and secret paths (write-only). */
  @Get()
  list() {
    return { entities: this.providers.describe() };
  }
}
