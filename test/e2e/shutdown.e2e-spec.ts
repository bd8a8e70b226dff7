import { randomUUID } from 'node:crypto';
import { RecordingBot } from '../support/recording-bot.js';
import { GatewayHarness, newSessionBody, testChannel, type TestChannel } from '../support/gateway-harness.js';

describe('graceful shutdown (SIGTERM)', () => {
  const bot = new RecordingBot();
  let ch: TestChannel;
  let gw: GatewayHarness;

  beforeAll(async () => {
    const url = await bot.start();
    ch = testChannel('stop1', {
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'http', timeoutMs: 4000, retries: 0, config: { url } } }],
    });
    gw = new GatewayHarness('shutdown', [ch]);
  });
  afterAll(async () => {
    await gw.stop();
    await bot.stop();
  });

  it('a worker finishes its active turn before exiting, and the ingress answers it', async () => {
    await gw.startIngress();
    const worker = await gw.startWorker();
    const body = newSessionBody('sleep:1200 finish me', { messageId: randomUUID() });
    const pending = gw.turn(ch, body);
    await gw.waitFor(async () => bot.callsFor(body.botSessionId as string).length === 1, 5000);
    const exited = new Promise<number | null>((r) => worker.child.once('exit', (code) => r(code)));
    worker.child.kill('SIGTERM');
    const res = await pending;
    expect(res.body.replyMessages[0].text).toBe('echo: sleep:1200 finish me');
    expect(await exited).toBe(0);
    expect(bot.callsFor(body.botSessionId as string)).toHaveLength(1);
  });

  it('the ingress answers the turns it is waiting on, refuses new ones with 503, then exits', async () => {
    await gw.startWorker();
    const ingress = gw.procs.find((p) => p.kind === 'ingress')!;
    const body = newSessionBody('sleep:1000 in flight');
    const pending = gw.turn(ch, body);
    await gw.waitFor(async () => bot.callsFor(body.botSessionId as string).length === 1, 5000);
    // Nest re-raises the signal once its shutdown hooks are done, so a clean stop ends by SIGTERM.
    const exited = new Promise<string>((r) => ingress.child.once('exit', (code, signal) => r(code === 0 || signal === 'SIGTERM' ? 'clean' : `code ${code} signal ${signal}`)));
    ingress.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const late = await gw.turn(ch, newSessionBody('too late')).catch((e: Error) => ({ status: 0, body: e.message }));
    // Either refused while draining, or the listener is already closed: never accepted.
    expect([0, 503]).toContain(late.status);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.replyMessages[0].text).toBe('echo: sleep:1000 in flight');
    expect(await exited).toBe('clean');
    expect(bot.calls.some((c) => c.text === 'too late')).toBe(false);
  });
});
