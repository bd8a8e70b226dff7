import { Logger } from '@nestjs/common';
import type { OAuthLogger } from '@app/genesys-oauth';
import type { GenesysApiLogger } from './genesys-api.client.js';

/**
 * The API and OAuth clients log `(fields, message)` like pino; Nest's Logger takes the message
 * first. This keeps the fields structured under the app's logger (PinoNestLogger merges an
 * object argument into the line) with the context naming the source.
 */
export function nestGenesysLogger(context = 'GenesysApi'): GenesysApiLogger & OAuthLogger {
  const logger = new Logger(context);
  return {
    info: (fields, msg) => logger.log(fields, msg),
    warn: (fields, msg) => logger.warn(fields, msg),
  };
}
