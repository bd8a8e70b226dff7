import type { FastifyReply } from 'fastify';
import type { EmulatorResponse } from './emulator-response.js';

/** Writes an EmulatorResponse; controllers stay free of status and header logic. */
export function send(reply: FastifyReply, r: EmulatorResponse): void {
  if (r.kind === 'redirect') {
    reply.code(302).header('location', r.location).send();
    return;
  }
  if (r.kind === 'html') {
    reply.code(r.status).header('content-type', 'text/html; charset=utf-8').send(r.html);
    return;
  }
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.kind === 'empty') {
    reply.code(r.status).send();
    return;
  }
  reply.code(r.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(r.body));
}
