import type { FastifyRequest } from 'fastify';

/**
 * The path a request was routed by, for decisions about it (which hook applies, which error shape).
 * The router decodes percent-escapes before matching, so `/api/%64ocs-json` reaches `/api/docs-json`:
 * comparing the raw URL would let an encoded path skip a check. The matched route pattern
 * (`/genesys/:channelId/botconnector`) is what the router used; a request no route matched is
 * judged by its decoded path.
 */
export function matchedRoute(req: FastifyRequest): string {
  return req.routeOptions?.url ?? decodedPath(req.url);
}

/** The path of a raw URL with percent-escapes decoded (an invalid escape leaves it as it is). */
export function decodedPath(url: string): string {
  const path = url.split('?', 1)[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Genesys's calls (v1 and v2 turns, notifications) live under this prefix; their errors have the bot-response shape. */
export function isWebhookPath(path: string): boolean {
  return path.startsWith('/genesys/');
}
