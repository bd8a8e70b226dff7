import { Logger, type LoggerService } from '@nestjs/common';
import { nestGenesysLogger } from './genesys-api.logger.js';

describe('nestGenesysLogger', () => {
  afterEach(() => Logger.overrideLogger(true));

  it('hands the fields object, the message and the context to the app logger', () => {
    const calls: unknown[][] = [];
    const capture: LoggerService = {
      log: (...a: unknown[]) => calls.push(['log', ...a]),
      warn: (...a: unknown[]) => calls.push(['warn', ...a]),
      error: (...a: unknown[]) => calls.push(['error', ...a]),
    };
    Logger.overrideLogger(capture);
    const log = nestGenesysLogger();
    log.warn({ method: 'GET', status: 503 }, 'genesys api call failed');
    log.info({ call: 'client_credentials', status: 200 }, 'genesys oauth call');
    expect(calls).toEqual([
      ['warn', { method: 'GET', status: 503 }, 'genesys api call failed', 'GenesysApi'],
      ['log', { call: 'client_credentials', status: 200 }, 'genesys oauth call', 'GenesysApi'],
    ]);
  });
});
