import { constantTimeEqual } from '@app/secrets';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AdminActor, AdminSession } from '@app/admin-auth';
import { GatewayError } from '@app/errors';
import { AdminAuthService } from './admin-auth.service.js';

export type AdminRequest = FastifyRequest & { actor?: AdminActor; adminSession?: AdminSession & { id: string } };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every `/api` route: a bearer API key or ADMIN_TOKEN (scripts), or the console's session cookie,
 * which for unsafe methods must come with its CSRF token in `X-CSRF-Token` (a cross-site form or
 * fetch cannot read it). Sets `req.actor` for the audit log.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly auth: AdminAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    const who = await this.auth.identify(req.headers);
    if (!who) {
      throw new GatewayError('unauthenticated', req.headers.authorization ? 'invalid admin credential' : 'log in, or send an API key as "Authorization: Bearer <key>"');
    }
    if (who.session && !SAFE_METHODS.has(req.method)) {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !constantTimeEqual(token, who.session.csrfToken)) throw new GatewayError('csrf_failed', 'missing or wrong X-CSRF-Token');
    }
    req.actor = who.actor;
    req.adminSession = who.session;
    return true;
  }
}
