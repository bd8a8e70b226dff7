import type { FastifyRequest } from 'fastify';
import type { Channel } from '@app/channels';

/**
 * What the v1 and v2 webhook guards and controllers share about the caller's request, so each
 * rule exists once.
 */

/** `receivedAt` is stamped by an onRequest hook (main.ts) so the deadline counts from arrival. */
export type AuthenticatedRequest = FastifyRequest & { channel?: Channel; receivedAt?: number };

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Genesys's `inin-correlation-id`, when it is one. The header is whatever the caller put there
 * (up to Node's 16 KB header limit), and it ends up in log lines and transcripts.
 */
export function correlationIdOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['inin-correlation-id'];
  return typeof raw === 'string' && CORRELATION_ID.test(raw) ? raw : undefined;
}
