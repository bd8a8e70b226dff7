import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `/api` requires `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: IngressConfig) {
    this.expected = digest(config.ADMIN_TOKEN ?? '');
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
    // Hashing first gives equal-length buffers, so the comparison time does not depend on the input.
    if (!m || !timingSafeEqual(digest(m[1]!), this.expected)) throw new GatewayError('unauthenticated', 'admin token required');
    return true;
  }
}
