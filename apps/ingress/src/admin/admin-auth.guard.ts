import { constantTimeEqual } from '@app/secrets';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AdminActor, AdminSession } from '@app/admin-auth';
import { GatewayError } from '@app/errors';
import { AdminAuthService, sessionIdFrom } from './admin-auth.service.js';

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
    const header = req.headers.authorization;
    if (typeof header === 'string' && header.length) {
      const m = /^bearer\s+(\S{1,512})\s*$/i.exec(header);
      const actor = m ? await this.auth.bearer(m[1]!) : undefined;
      if (!actor) throw new GatewayError('unauthenticated', 'invalid admin credential');
      req.actor = actor;
      return true;
    }
    const sessionId = sessionIdFrom(req.headers.cookie);
    const session = sessionId ? await this.auth.sessions.get(sessionId) : undefined;
    if (!session) throw new GatewayError('unauthenticated', 'log in, or send an API key as "Authorization: Bearer <key>"');
    if (!SAFE_METHODS.has(req.method)) {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !constantTimeEqual(token, session.csrfToken)) throw new GatewayError('csrf_failed', 'missing or wrong X-CSRF-Token');
    }
    req.actor = { kind: 'user', name: session.username };
    req.adminSession = { ...session, id: sessionId! };
    return true;
  }
}
