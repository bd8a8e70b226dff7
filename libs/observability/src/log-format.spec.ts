import { Writable } from 'node:stream';
import { pino } from 'pino';
import { formatPrettyLine, prettyDestination, resolveLogFormat } from './log-format.js';
import { PinoNestLogger } from './logger.js';

const at = new Date(2026, 11, 6, 9, 5, 7, 42).toISOString();

describe('resolveLogFormat', () => {
  it('is pretty only on a terminal outside production, unless LOG_FORMAT says otherwise', () => {
    expect(resolveLogFormat({ nodeEnv: 'development', isTTY: true })).toBe('pretty');
    expect(resolveLogFormat({ nodeEnv: 'test', isTTY: true })).toBe('pretty');
    expect(resolveLogFormat({ nodeEnv: 'development', isTTY: false })).toBe('json');
    expect(resolveLogFormat({ nodeEnv: 'production', isTTY: true })).toBe('json');
    expect(resolveLogFormat({ configured: 'json', nodeEnv: 'development', isTTY: true })).toBe('json');
    expect(resolveLogFormat({ configured: 'pretty', nodeEnv: 'production', isTTY: false })).toBe('pretty');
  });
});

describe('formatPrettyLine', () => {
  it('puts time, level, app, context and message first, then the fields as key=value', () => {
    const line = formatPrettyLine(
      { level: 'warn', time: at, app: 'worker', pid: 7, context: 'OutboxSweeper', channelId: 'demo', sessions: 2, msg: 'outbox waiting' },
      { colour: false },
    );
    expect(line).toBe('09:05:07.042 WARN  worker [OutboxSweeper]  outbox waiting  channelId=demo sessions=2');
  });

  it('quotes strings with spaces, shows errors as one phrase and objects as JSON', () => {
    const line = formatPrettyLine({ level: 'error', time: at, msg: 'failed', reason: 'no token yet', error: { type: 'TypeError', message: 'x is undefined' }, bots: ['a', 'b'] }, { colour: false });
    expect(line).toBe('09:05:07.042 ERROR  failed  reason="no token yet" error="TypeError: x is undefined" bots=["a","b"]');
  });

  it('keeps a line short: long values are cut and only the first fields are shown', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, i]));
    const line = formatPrettyLine({ level: 'info', time: at, msg: 'm', long: 'x'.repeat(500), ...many }, { colour: false });
    expect(line).toContain(`long=${'x'.repeat(119)}…`);
    expect(line).not.toContain('f7=');
    expect(line).toContain('f6=6 (+5 more; LOG_FORMAT=json shows all)');
  });

  it('colours only when asked', () => {
    const record = { level: 'info', time: at, msg: 'hello', k: 'v' };
    expect(formatPrettyLine(record, { colour: false })).not.toContain('\x1b[');
    expect(formatPrettyLine(record, { colour: true })).toContain('\x1b[32mINFO ');
  });
});

describe('prettyDestination with pino', () => {
  it('turns each record pino writes into one readable line, keeping pino redaction', () => {
    const out: string[] = [];
    const logger = pino(
      { level: 'info', base: { app: 'ingress' }, redact: { paths: ['token'], censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      prettyDestination({ write: (s: string) => out.push(s) }, { colour: false }),
    );
    logger.info({ port: 3000, token: 'secret-value' }, 'ingress listening');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  ingress  ingress listening  port=3000 token=\[redacted\]\n$/);
  });
});

describe('PinoNestLogger quietBootstrap', () => {
  function capture(quietBootstrap: boolean) {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    return { lines, logger: new PinoNestLogger(pino({ level: 'debug' }, stream), { quietBootstrap }) };
  }

  it("moves Nest's start-up lines to debug and leaves every other line at its level", async () => {
    const { lines, logger } = capture(true);
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.log('worker started', 'WorkerMain');
    logger.warn('slow start', 'InstanceLoader');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.context])).toEqual([
      [20, 'InstanceLoader'],
      [20, 'RouterExplorer'],
      [30, 'WorkerMain'],
      [40, 'InstanceLoader'],
    ]);
  });

  it('keeps them at info when not asked (production)', async () => {
    const { lines, logger } = capture(false);
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ level: 30, context: 'InstanceLoader' });
  });
});
