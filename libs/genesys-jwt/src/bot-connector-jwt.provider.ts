import { JwtService } from '@nestjs/jwt';
import { BOT_CONNECTOR_JWT_ALGORITHM } from './bot-connector-token.constants.js';

/**
 * DI token for the JwtService this library uses. It is private to the library on purpose: JwtService
 * lets module-level `secretOrKeyProvider` / `secretOrPrivateKey` override the per-call secret, so
 * sharing an app-wide JwtModule registration could silently swap the key we verify with.
 */
export const BOT_CONNECTOR_JWT_SERVICE = Symbol('BOT_CONNECTOR_JWT_SERVICE');

/** A JwtService with no key of its own and HS256 pinned for both directions. */
export function createBotConnectorJwtService(): JwtService {
  return new JwtService({
    signOptions: { algorithm: BOT_CONNECTOR_JWT_ALGORITHM },
    verifyOptions: { algorithms: [BOT_CONNECTOR_JWT_ALGORITHM] },
  });
}
