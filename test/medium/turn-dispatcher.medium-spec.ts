import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ChannelRepository } from '@app/channels';
import { DrainRequester } from '@app/queue';
import { TranscriptStore } from '@app/store';
import type { IncomingTurnDto } from '../../apps/ingress/src/bot-connector/dto/incoming-turn.dto.js';
import { TurnDispatcher } from '../../apps/ingress/src/bot-connector/turn-dispatcher.service.js';
import { SessionDrain } from '../../apps/worker/src/turns/session-drain.js';
import { testChannel } from '../support/gateway-harness.js';
import { ingressModule, workerModule, type MediumApp } from '../support/medium-modules.js';
import { requestOf } from '../support/medium-turns.js';
import { RecordingBot } from '../support/recording-bot.js';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis-test-prefix.js';

/**
 * The ingress's TurnDispatcher in process (no HTTP): accept, duplicates, the deadline fallback and
 * its claim racing the worker's completion. The worker side is the real SessionDrain on the same
 * Redis prefix, run by the test when it wants the worker to get to the turn.
 */

const prefix = testPrefix('dispatch');
const secretsKey = randomBytes(32).toString('base64url');
const bot = new RecordingBot();
let ingress: MediumApp;
let worker: MediumApp;
let redis: Redis;
let dispatcher: TurnDispatcher;
let drain: SessionDrain;

/** A 5 s deadline (the worker is always in time) and the shortest one a channel may have. */
const SLOW = 5000;
const FAST = 1000;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  const url = await bot.start();
  ingress = await ingressModule(prefix, { secretsKey });
  worker = await workerModule(prefix, { secretsKey });
  const bots = [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', timeoutMs: 4000, retries: 0, config: { url } } }];
  await worker.saveChannels(
    testChannel('md-slow', { bots, replyDeadlineMs: SLOW }).raw,
    testChannel('md-fast', { bots, replyDeadlineMs: FAST, deadlinePolicy: 'hold', holdMessage: 'One moment.' }).raw,
  );
  dispatcher = ingress.get(TurnDispatcher);
  drain = worker.get(SessionDrain);
});

afterAll(async () => {
  // Closing flushes the turn counters (TurnStats), so the suite's keys go after it.
  await ingress?.close();
  await worker?.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await bot.stop();
});

async function dispatch(channelId: string, request: ReturnType<typeof requestOf>) {
  const channel = (await ingress.get(ChannelRepository).get(channelId))!;
  const started = Date.now();
  const response = await dispatcher.dispatch(request as unknown as IncomingTurnDto, { channel, bot: channel.bots[0]!, receivedAt: started, correlationId: randomUUID() });
  return { response, ms: Date.now() - started };
}

const drainOf = (channelId: string, botSessionId: string) => drain.drainSession({ sessionKey: `${channelId}:${botSessionId}`, channelId, botSessionId });

/** Runs the worker until the session has completed a turn (the dispatcher's accept may not have landed yet). */
async function workUntilDone(channelId: string, botSessionId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await drainOf(channelId, botSessionId)).done > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no turn to run');
}

const texts = (r: { response: { replyMessages?: { text?: string }[] } }) => (r.response.replyMessages ?? []).map((m) => m.text);

describe('TurnDispatcher on real Redis', () => {
  it('accepts a new turn, queues a drain for its session and answers with the worker result', async () => {
    const req = requestOf(randomUUID(), 'hello');
    const answered = dispatch('md-slow', req);
    await workUntilDone('md-slow', req.botSessionId);
    const { response, ms } = await answered;
    expect(response).toMatchObject({ botState: 'MoreData', intent: 'Echo', replyMessages: [{ type: 'Text', text: 'echo: hello' }] });
    expect(ms).toBeLessThan(SLOW);
    const jobs = await ingress.get(DrainRequester).queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((j) => j.data.sessionKey)).toContain(`md-slow:${req.botSessionId}`);
  });

  it('answers a redelivery of a completed turn with the stored result at once, without the bot', async () => {
    const req = requestOf(randomUUID(), 'once');
    const first = dispatch('md-slow', req);
    await workUntilDone('md-slow', req.botSessionId);
    await first;
    const again = await dispatch('md-slow', req);
    expect(texts(again)).toEqual(['echo: once']);
    expect(again.ms).toBeLessThan(1000);
    expect(bot.callsFor(req.botSessionId)).toHaveLength(1);
  });

  it('holds at the deadline, answers a redelivery of the held turn with the fallback again, and delivers the late result first with the next turn', async () => {
    const session = randomUUID();
    const req = requestOf(session, 'one');
    const held = await dispatch('md-fast', req);
    expect(held.response).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'One moment.' }] });
    expect(held.ms).toBeGreaterThanOrEqual(FAST - 100);

    // The worker gets to the turn after the claim: its result is parked for the next turn.
    await workUntilDone('md-fast', session);
    // Genesys retries the held turn: the fallback again, at once; the result is not spent on it.
    const redelivered = await dispatch('md-fast', req);
    expect(redelivered.response).toEqual(held.response);
    expect(redelivered.ms).toBeLessThan(FAST / 2);

    const next = requestOf(session, 'two');
    const answered = dispatch('md-fast', next);
    await workUntilDone('md-fast', session);
    expect(texts(await answered)).toEqual(['echo: one', 'echo: two']);
    expect(bot.callsFor(session).map((c) => c.text)).toEqual(['one', 'two']);
  });

  it('when the worker finishes right at the deadline, every result reaches the customer exactly once', async () => {
    // The bot answers around the deadline, so the claim and the completion race each other.
    const sessions = Array.from({ length: 12 }, () => randomUUID());
    const firsts = await Promise.all(
      sessions.map(async (s, i) => {
        const answered = dispatch('md-fast', requestOf(s, `sleep:${FAST - 150 + i * 25} first`));
        await workUntilDone('md-fast', s);
        return answered;
      }),
    );
    // Both sides of the race happened: some turns were answered by the worker, some held.
    const heldCount = firsts.filter((f) => texts(f).includes('One moment.')).length;
    expect(heldCount).toBeGreaterThan(0);
    expect(heldCount).toBeLessThan(sessions.length);
    for (const [i, s] of sessions.entries()) {
      const answered = dispatch('md-fast', requestOf(s, 'second'));
      await workUntilDone('md-fast', s);
      const second = await answered;
      const first = firsts[i]!;
      const firstEcho = `echo: sleep:${FAST - 150 + i * 25} first`;
      const delivered = [...texts(first), ...texts(second)].filter((t) => t === firstEcho);
      expect({ session: i, delivered: delivered.length }).toEqual({ session: i, delivered: 1 });
      // The fallback answered exactly when the worker's result did not.
      expect(texts(first).includes('One moment.')).toBe(!texts(first).includes(firstEcho));
      const transcript = await worker.get(TranscriptStore).all(`md-fast:${s}`);
      expect(transcript.map((e) => e.late)).toEqual([texts(first).includes('One moment.'), false]);
    }
  });
});
