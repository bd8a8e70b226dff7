import { Module } from '@nestjs/common';
import { BOT_CONNECTOR_JWT_SERVICE, createBotConnectorJwtService } from './bot-connector-jwt.provider.js';
import { BotConnectorTokenVerifier } from './bot-connector-token.verifier.js';

/**
 * Provides the Bot Connector credential verifier. The JwtService it uses is built here rather than
 * taken from JwtModule, so an app-wide JwtModule registration (with its own keys) cannot leak in.
 */
@Module({
  providers: [
    { provide: BOT_CONNECTOR_JWT_SERVICE, useFactory: createBotConnectorJwtService },
    BotConnectorTokenVerifier,
  ],
  exports: [BotConnectorTokenVerifier],
})
export class GenesysJwtModule {}
