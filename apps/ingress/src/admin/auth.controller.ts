import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { AdminAuthGuard, type AdminRequest } from './admin-auth.guard.js';
import { AdminAuthService } from './admin-auth.service.js';
import { ValidationSubject } from '../errors/validation.pipe.js';

@ValidationSubject('login request')
export class LoginDto {
  @IsString() @MinLength(1) @MaxLength(64) username: string;
  @IsString() @MinLength(1) @MaxLength(256) password: string;
}

/** Console login. Scripts use API keys instead and never need these. */
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AdminAuthService) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Req() req: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { sessionId, session } = await this.auth.login(dto.username, dto.password, req.ip);
    reply.header('set-cookie', this.auth.cookie(sessionId)).header('cache-control', 'no-store');
    return { user: { username: session.username, kind: 'user' }, csrfToken: session.csrfToken };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(AdminAuthGuard)
  async logout(@Req() req: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    if (req.adminSession) await this.auth.sessions.destroy(req.adminSession);
    await this.auth.audit.record(req.actor!, 'auth.logout');
    reply.header('set-cookie', this.auth.cookie(undefined));
  }

  @Get('me')
  @UseGuards(AdminAuthGuard)
  me(@Req() req: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('cache-control', 'no-store');
    return { user: { username: req.actor!.name, kind: req.actor!.kind }, ...(req.adminSession ? { csrfToken: req.adminSession.csrfToken } : {}) };
  }
}
