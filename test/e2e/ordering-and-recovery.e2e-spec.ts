import { randomUUID } from 'node:crypto';
import { expectRedeliveriesAnsweredOnce } from '../support/core-scenarios.js';
import { RecordingBot } from '../support/recording-bot.js';
import { GatewayHarness, newSessionBody, nextTurn, testChannel, type TestChannel } from '../support/gateway-harness.js';

describe('order, duplicates and worker crashes (http bot provider, several worker processes)', () => {
  const bot = new RecordingBot();
  let ch: TestChannel;
  let gw: GatewayHarness;

  beforeAll(async () => {
    const url = await bot.start();
    ch = testChannel('http1', {
      replyDeadlineMs: 5000,
      circuitBreaker: { failureThreshold: 1000, cooldownMs: 1000 },
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', timeoutMs: 4000, retries: 0, config: { url, headers: { 'x-bot-key': 'k1' } } } }],
    });
    gw = new GatewayHarness('order', [ch]);
    await gw.startIngress();
    await gw.startWorker();
    await gw.startWorker();
  });
  afterAll(async () => {
    await gw.stop();
    await bot.stop();
  });

  it('passes the canonical turn, bot state and string parameters through', async () => {
    const body = newSessionBody('hello', { parameters: { tier: 'gold' } });
    const first = await gw.turn(ch, body);
    expect(first.body).toMatchObject({ botState: 'MoreData', intent: 'Echo', replyMessages: [{ type: 'Text', text: 'echo: hello' }], parameters: { lastSeq: '1', vip: 'true' } });
    await gw.turn(ch, nextTurn(body, 'again'));
    const calls = bot.callsFor(body.botSessionId as string);
    expect(calls.map((c) => [c.seq, c.turnIndex, c.text])).toEqual([
      [1, 0, 'hello'],
      [2, 1, 'again'],
    ]);
    expect(calls[0]!.idempotencyKey).toBe(calls[0]!.turnId);
    // The configured header reaches the bot, but sits sealed in Redis.
    expect(calls[0]!.botKey).toBe('k1');
    const stored = (await gw.redis.get(`${gw.prefix}:channel:${ch.id}`))!;
    expect(stored).toContain('"headers":{"x-bot-key":{"$sealed":"v1.');
    expect(stored).not.toContain('"k1"');
  });

  it('20 concurrent turns of one session reach the bot one at a time, in acceptance order, across 2 workers', async () => {
    const body = newSessionBody('start');
    bot.delayMs = 40;
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.turn(ch, nextTurn(body, `m${i}`, { messageId: randomUUID() }))));
      expect(results.every((r) => r.status === 200 && r.body.botState === 'MoreData')).toBe(true);
    } finally {
      bot.delayMs = 0;
    }
    const calls = bot.callsFor(body.botSessionId as string);
    expect(calls).toHaveLength(20);
    expect(calls.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // One at a time: each call started after the previous one had been answered.
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(35);
    // Each response is the answer to its own request.
    const t = await gw.admin(`/api/conversations/${body.botSessionId}?channelId=${ch.id}`);
    expect(t.body.turns.map((x: any) => x.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('an invalid bot result is refused (not retried) and the customer is handed to an agent', async () => {
    const body = newSessionBody('bad');
    const res = await gw.turn(ch, body);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
    expect(bot.callsFor(body.botSessionId as string)).toHaveLength(1);
  });

  it('a redelivered messageId never runs the bot twice: concurrent and later duplicates get the first answer', async () => {
    await expectRedeliveriesAnsweredOnce(gw, ch, bot);
  });

  it('a worker killed mid-turn loses nothing: another worker re-runs the turn with the same idempotency key', async () => {
    const lone = new GatewayHarness('kill', [ch], { WORKER_LOCK_DURATION_MS: '1500', WORKER_STALLED_INTERVAL_MS: '1000' });
    await lone.startIngress();
    const victim = await lone.startWorker();
    try {
      const body = newSessionBody('sleep:1500 important', { messageId: randomUUID() });
      const pending = lone.turn(ch, body);
      await lone.waitFor(async () => bot.callsFor(body.botSessionId as string).length === 1, 5000);
      await lone.kill(victim, 'SIGKILL');
      await lone.startWorker();
      const res = await pending;
      expect(res.status).toBe(200);
      // Either the rescued answer came in time or the hold message did; both are correct answers.
      const text = res.body.replyMessages.map((m: any) => m.text).join(' ');
      expect(['echo: sleep:1500 important', 'Hold on, still working.']).toContain(text);
      await lone.waitFor(async () => (await lone.admin(`/api/conversations/${body.botSessionId}?channelId=${ch.id}`)).status === 200, 10000);
      const calls = bot.callsFor(body.botSessionId as string);
      expect(calls).toHaveLength(2);
      expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(1);
      const t = await lone.admin(`/api/conversations/${body.botSessionId}?channelId=${ch.id}`);
      expect(t.body.turns).toHaveLength(1);
      expect(t.body.turns[0].replies[0].text).toBe('echo: sleep:1500 important');
      if (text !== 'echo: sleep:1500 important') {
        const next = await lone.turn(ch, nextTurn(body, 'after', { messageId: randomUUID() }));
        expect(next.body.replyMessages[0].text).toBe('echo: sleep:1500 important');
      }
    } finally {
      await lone.stop();
    }
  });

  it('a bot that keeps failing opens the circuit: turns go straight to handoff without calling it', async () => {
    const flaky = testChannel('http2', {
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60000 },
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'http', timeoutMs: 2000, retries: 1, config: { url: (ch.raw.bots as any)[0].provider.config.url } } }],
    });
    const g = new GatewayHarness('breaker', [flaky]);
    await g.startIngress();
    await g.startWorker();
    try {
      const sessions = [newSessionBody('fail'), newSessionBody('fail'), newSessionBody('fail')];
      for (const s of sessions) {
        const r = await g.turn(flaky, s);
        expect(r.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
      }
      // Two turns x (1 try + 1 retry) reached the bot; the third was cut short by the open circuit.
      expect(sessions.map((s) => bot.callsFor(s.botSessionId as string).length)).toEqual([2, 2, 0]);
    } finally {
      await g.stop();
    }
  });
});
