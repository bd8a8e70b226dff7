import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PinoNestLogger } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ level: 'debug', redact: { paths: ['*.authorization', 'token'], censor: '[redacted]' } }, stream)) };
}

describe('PinoNestLogger', () => {
  it('keeps fields, message text and the Nest context of `logger.warn({...}, text)` calls', async () => {
    const { lines, logger } = capture();
    logger.warn({ channelId: 'c1', reason: 'deadline' }, 'reply deadline reached', 'TurnDispatcher');
    logger.log('plain message', 'Ctx');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ level: 40, channelId: 'c1', reason: 'deadline', msg: 'reply deadline reached', context: 'TurnDispatcher' });
    expect(lines[1]).toMatchObject({ msg: 'plain message', context: 'Ctx' });
  });

  it('logs errors by type and message, without stack traces in the message', async () => {
    const { lines, logger } = capture();
    logger.error(new Error('boom'), 'Ctx');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ msg: 'boom', error: { type: 'Error', message: 'boom' }, context: 'Ctx' });
  });
});
