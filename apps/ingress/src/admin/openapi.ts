import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AdminAuthService } from './admin-auth.service.js';

/**
 * The admin API's OpenAPI document at `/api/docs-json` and its viewer at `/api/docs` (both behind
 * the admin authentication: see registerConsole). The webhooks Genesys calls are left out: their
 * contract is Genesys's.
 */
export function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const cookie = app.get(AdminAuthService).sessionCookie;
  const config = new DocumentBuilder()
    .setTitle('Genesys Bot Gateway admin API')
    .setDescription('Channels, their Genesys setup, conversations, notifications and the audit log. See docs/admin-api.md.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (gbgk_…) or ADMIN_TOKEN' }, 'bearer')
    .addCookieAuth(cookie, { type: 'apiKey', in: 'cookie', name: cookie, description: 'console session (`__Host-gbg_session` over https, `gbg_session` over http); unsafe methods also need X-CSRF-Token' }, 'session')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('session')
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  // Only the admin surface: /api/*.
  doc.paths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/')));
  return doc;
}

export function registerOpenApi(app: NestFastifyApplication): void {
  const doc = buildOpenApi(app);
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml', ui: true, raw: ['json', 'yaml'] });
}
