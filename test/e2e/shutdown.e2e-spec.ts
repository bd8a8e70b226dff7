import { randomUUID } from 'node:crypto';
import { RecordingBot } from '../support/recording-bot.js';
import { GatewayHarness, newSessionBody, nextTurn, testChannel, type TestChannel } from '../support/gateway-harness.js';

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

  it('a worker stopped under load drops nothing: its active turns finish, the others go to the second worker, and it exits within its grace', async () => {
    await gw.startIngress();
    const graceMs = 4000;
    const stopping = await gw.startWorker({ SHUTDOWN_GRACE_MS: String(graceMs) });
    const sessions = Array.from({ length: 40 }, (_, i) => i);
    const texts = (i: number) => [`sleep:2500 s${i} first`, `sleep:300 s${i} second`];
    const conversation = async (i: number) => {
      const [a, b] = texts(i);
      const first = newSessionBody(a!, { messageId: randomUUID() });
      const r1 = await gw.turn(ch, first);
      const r2 = await gw.turn(ch, nextTurn(first, b!, { messageId: randomUUID() }));
      return [r1, r2];
    };
    const all = Promise.all(sessions.map(conversation));
    // Every first turn is running on the worker about to stop; the second turns find only the other one.
    await gw.waitFor(async () => bot.calls.filter((c) => / s\d+ first$/.test(c.text)).length === sessions.length, 5000);
    await gw.startWorker();
    const exited = new Promise<{ code: number | null; ms: number }>((r) => {
      const at = Date.now();
      stopping.child.once('exit', (code) => r({ code, ms: Date.now() - at }));
    });
    stopping.child.kill('SIGTERM');
    const results = await all;
    sessions.forEach((i) => {
      const [r1, r2] = results[i]!;
      expect([r1!.status, r2!.status]).toEqual([200, 200]);
      expect([r1!.body.replyMessages[0].text, r2!.body.replyMessages[0].text]).toEqual(texts(i).map((t) => `echo: ${t}`));
      expect(bot.calls.filter((c) => /^sleep:\d+ s(\d+) /.exec(c.text)?.[1] === String(i)).map((c) => c.text)).toEqual(texts(i));
    });
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(graceMs + 2000);
  });

  it('a turn longer than the grace does not hold the worker: it exits cleanly at the grace and leaves the turn to be re-run', async () => {
    const graceMs = 1000;
    const worker = await gw.startWorker({ SHUTDOWN_GRACE_MS: String(graceMs) });
    const body = newSessionBody('sleep:4000 longer than the grace', { messageId: randomUUID() });
    const pending = gw.turn(ch, body);
    await gw.waitFor(async () => bot.callsFor(body.botSessionId as string).length === 1, 5000);
    const exited = new Promise<{ code: number | null; ms: number }>((r) => {
      const at = Date.now();
      worker.child.once('exit', (code) => r({ code, ms: Date.now() - at }));
    });
    worker.child.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(graceMs + 1500);
    // The customer is held at the deadline; the turn itself stays in Redis for the next worker.
    expect((await pending).status).toBe(200);
  });
});
