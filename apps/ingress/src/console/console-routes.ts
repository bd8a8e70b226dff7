import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminAuthService } from '../admin/admin-auth.service.js';
import { decodedPath, matchedRoute } from '../matched-route.js';

/** `dist/console` (Vite's output), found from this file whether run from dist or from sources. */
export function consoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'dist', 'console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = resolve(dir, '..');
  }
  return resolve('dist/console');
}

const SECURITY_HEADERS: Record<string, string> = {
  // Everything the console loads is its own; no inline script, no framing (clickjacking).
  'content-security-policy': "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * The web console at `/console`: its assets are public (code, no data), every page needs a
 * console session except the login page itself; without one the browser goes to the login page.
 * The OpenAPI document and its viewer under `/api/docs` need a session or an API key, like the
 * rest of `/api`.
 */
export async function registerConsole(app: NestFastifyApplication): Promise<void> {
  const auth = app.get(AdminAuthService);
  const root = consoleDir();
  const fastify = app.getHttpAdapter().getInstance();
  const indexPath = join(root, 'index.html');
  const built = existsSync(indexPath);
  const index = () => readFileSync(indexPath, 'utf8');

  const authenticated = async (req: FastifyRequest): Promise<boolean> => !!(await auth.identify(req.headers));

  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // The route the router chose, not the raw URL: `/api/%64ocs-json` is routed to `/api/docs-json`.
    const route = matchedRoute(req);
    if (route === '/api/docs' || route.startsWith('/api/docs/') || route.startsWith('/api/docs-')) {
      if (!(await authenticated(req))) {
        return reply.code(401).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: { code: 'unauthenticated', message: 'log in, or send an API key as "Authorization: Bearer <key>"' } }));
      }
    }
  });

  if (built) {
    await app.register(fastifyStatic as never, { root: join(root, 'assets'), prefix: '/console/assets/', decorateReply: false, maxAge: '1y', immutable: true });
  }

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = decodedPath(req.url);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
    void reply.header('cache-control', 'no-store');
    if (path !== '/console/login' && !(await authenticated(req))) {
      const next = encodeURIComponent(req.url.slice(0, 500));
      return reply.code(302).header('location', `/console/login?next=${next}`).send();
    }
    if (!built) {
      return reply.code(503).header('content-type', 'text/plain; charset=utf-8').send('The console is not built: run "npm run build".');
    }
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').send(index());
  };
  fastify.get('/console', page);
  fastify.get('/console/', page);
  fastify.get('/console/*', async (req, reply) => {
    // A missing asset is a 404, not the app shell.
    if (decodedPath(req.url).startsWith('/console/assets/')) return reply.code(404).send();
    return page(req, reply);
  });
}
