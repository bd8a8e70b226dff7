import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { TranscriptStore, TurnStore } from '@app/store';
import { SessionDrain } from '../../apps/worker/src/turns/session-drain.js';
import { TurnStep } from '../../apps/worker/src/turns/turn-step.js';
import { testChannel } from '../support/gateway-harness.js';
import { workerModule, type MediumApp } from '../support/medium-modules.js';
import { envelopeOf, repliesFor, requestOf } from '../support/medium-turns.js';
import { RecordingBot } from '../support/recording-bot.js';
import { TEST_REDIS_URL, countKeys, deletePrefix, testPrefix } from '../support/redis-test-prefix.js';

/**
 * The worker's turn path in process: turns accepted into the real TurnStore, drained by the real
 * SessionDrain (TurnStep → http provider → RecordingBot over HTTP), results read back from Redis.
 */

const INGRESS = 'medium-ingress';
const prefix = testPrefix('turnpipe');
const bot = new RecordingBot();
let worker: MediumApp;
let reader: Redis;
let store: TurnStore;
let transcripts: TranscriptStore;
let drain: SessionDrain;

function httpBot(url: string) {
  return [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', timeoutMs: 4000, retries: 0, config: { url } } }];
}

beforeAll(async () => {
  const url = await bot.start();
  worker = await workerModule(prefix);
  const common = { bots: httpBot(url), circuitBreaker: { failureThreshold: 1000, cooldownMs: 1000 } };
  await worker.saveChannels(
    testChannel('mt-handoff', common).raw,
    testChannel('mt-fail', { ...common, handoff: { onBotError: 'fail', summaryTurns: 3 } }).raw,
    testChannel('mt-clear', { ...common, privacy: { leaveAlone: ['transcript.replies'], patterns: [{ name: 'order', regex: 'ORD-\\d{6}' }] } }).raw,
  );
  store = worker.get(TurnStore);
  transcripts = worker.get(TranscriptStore);
  drain = worker.get(SessionDrain);
  reader = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await deletePrefix(reader, prefix);
  await worker.close();
  await reader.quit();
  await bot.stop();
});

/** Accepts one turn of the session into the store, as the ingress would. */
async function accept(channelId: string, botSessionId: string, text: string, opts: { deadlineAt?: number } = {}) {
  const envelope = envelopeOf(channelId, requestOf(botSessionId, text), { ingressId: INGRESS, ...opts });
  const accepted = await store.accept(envelope);
  expect(accepted.status).toBe('new');
  return envelope;
}

const drainOf = (channelId: string, botSessionId: string) => drain.drainSession({ sessionKey: `${channelId}:${botSessionId}`, channelId, botSessionId });

describe('SessionDrain and TurnStep on real Redis', () => {
  it('a text turn goes to the bot over HTTP and its reply reaches the reply stream and the transcript', async () => {
    const session = randomUUID();
    const turn = await accept('mt-handoff', session, 'hello');
    expect(await drainOf('mt-handoff', session)).toEqual({ done: 1, more: false });

    expect(bot.callsFor(session).map((c) => [c.seq, c.turnIndex, c.text])).toEqual([[1, 0, 'hello']]);
    const result = (await repliesFor(store, reader, INGRESS)).get(turn.turnId);
    expect(result).toMatchObject({ outcome: 'reply', response: { botState: 'MoreData', intent: 'Echo', replyMessages: [{ type: 'Text', text: 'echo: hello' }], parameters: { lastSeq: '1', vip: 'true' } } });
    const entries = await transcripts.all(turn.sessionKey);
    expect(entries).toEqual([expect.objectContaining({ turnId: turn.turnId, seq: 1, outcome: 'reply', late: false, input: expect.objectContaining({ text: 'hello' }), deliveredLate: 0 })]);

    // The session carries over: bot state and turn index.
    await accept('mt-handoff', session, 'again');
    await drainOf('mt-handoff', session);
    expect(bot.callsFor(session).map((c) => [c.seq, c.turnIndex])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it('hands off without calling the bot when the customer asks for a human, with a summary of the session', async () => {
    const session = randomUUID();
    await accept('mt-handoff', session, 'hello');
    const turn = await accept('mt-handoff', session, 'live agent please');
    expect(await drainOf('mt-handoff', session)).toEqual({ done: 2, more: false });

    expect(bot.callsFor(session).map((c) => c.text)).toEqual(['hello']);
    const result = (await repliesFor(store, reader, INGRESS)).get(turn.turnId)!;
    expect(result).toMatchObject({ outcome: 'handoff', handoffReason: 'customer_request', response: { botState: 'Complete' } });
    expect(result.response.parameters?.handoffSummary).toBe('Customer: hello\nBot: echo: hello\nCustomer: live agent please');
    // The session is closed: a further turn fails without reaching the bot.
    const after = await accept('mt-handoff', session, 'hello?');
    await drainOf('mt-handoff', session);
    expect((await repliesFor(store, reader, INGRESS)).get(after.turnId)).toMatchObject({ outcome: 'failed', response: { errorInfo: { errorCode: 'session_closed' } } });
    expect(bot.callsFor(session)).toHaveLength(1);
  });

  it('a bot error hands off or fails, as the channel says', async () => {
    const toHandoff = randomUUID();
    const h = await accept('mt-handoff', toHandoff, 'fail');
    const toFail = randomUUID();
    const f = await accept('mt-fail', toFail, 'fail');
    await drainOf('mt-handoff', toHandoff);
    await drainOf('mt-fail', toFail);

    const replies = await repliesFor(store, reader, INGRESS);
    expect(replies.get(h.turnId)).toMatchObject({ outcome: 'handoff', handoffReason: 'bot_error', response: { botState: 'Complete' } });
    expect(replies.get(f.turnId)).toMatchObject({ outcome: 'failed', response: { botState: 'Failed', errorInfo: { errorCode: 'bot_error' } } });
    expect(await transcripts.all(f.sessionKey)).toEqual([expect.objectContaining({ outcome: 'failed', error: 'the bot could not answer' })]);
  });

  it('a result the ingress stopped waiting for is delivered first with the next turn', async () => {
    const session = randomUUID();
    const first = await accept('mt-handoff', session, 'one');
    // The ingress answered with its fallback at the deadline: the worker's result is parked.
    expect(await store.claimFallback(first.turnId)).toBeUndefined();
    await drainOf('mt-handoff', session);
    expect((await repliesFor(store, reader, INGRESS)).has(first.turnId)).toBe(false);

    const second = await accept('mt-handoff', session, 'two');
    await drainOf('mt-handoff', session);
    const result = (await repliesFor(store, reader, INGRESS)).get(second.turnId)!;
    expect(result.response.replyMessages.map((m) => m.text)).toEqual(['echo: one', 'echo: two']);
    const entries = await transcripts.all(first.sessionKey);
    expect(entries.map((e) => [e.turnId, e.late, e.deliveredLate])).toEqual([
      [first.turnId, true, 0],
      [second.turnId, false, 1],
    ]);
    // Late replies of the earlier turn were already delivered: the next turn has none.
    const third = await accept('mt-handoff', session, 'three');
    await drainOf('mt-handoff', session);
    expect((await repliesFor(store, reader, INGRESS)).get(third.turnId)!.response.replyMessages.map((m) => m.text)).toEqual(['echo: three']);
  });

  it('of two runs on one turn, only the first completion counts; the other stops', async () => {
    const session = randomUUID();
    const turn = await accept('mt-handoff', session, 'sleep:300 twice');
    const runs = await Promise.all([drainOf('mt-handoff', session), drainOf('mt-handoff', session)]);

    // Both ran the turn (a crashed run's re-run looks the same), one completed it.
    expect(bot.callsFor(session)).toHaveLength(2);
    expect(runs.map((r) => r.done).sort()).toEqual([0, 1]);
    expect(runs.every((r) => !r.more)).toBe(true);
    expect(await transcripts.all(turn.sessionKey)).toHaveLength(1);
    expect(await reader.get(worker.keys.session(turn.sessionKey))).toContain('"turnIndex":1');
  });

  it('the bot gets the text as typed and the customer the reply as sent; the transcript and the handoff keep neither card, email nor phone', async () => {
    const session = randomUUID();
    const said = 'card 4111 1111 1111 1111, mail jane@example.com, phone +44 20 7946 0958';
    const turn = await accept('mt-handoff', session, said);
    const asks = await accept('mt-handoff', session, 'live agent please, call 020 7946 0958');
    await drainOf('mt-handoff', session);

    expect(bot.callsFor(session).map((c) => c.text)).toEqual([said]);
    const replies = await repliesFor(store, reader, INGRESS);
    expect(replies.get(turn.turnId)!.response.replyMessages).toEqual([{ type: 'Text', text: `echo: ${said}` }]);
    const handoff = replies.get(asks.turnId)!.response.parameters!;
    expect(handoff.lastUtterance).toBe('live agent please, call [phone]');
    expect(handoff.handoffSummary).toBe(
      'Customer: card [card ••••1111], mail [email], phone [phone]\nBot: echo: card [card ••••1111], mail [email], phone [phone]\nCustomer: live agent please, call [phone]',
    );
    const stored = JSON.stringify(await reader.lrange(worker.keys.transcript(turn.sessionKey), 0, -1));
    for (const secret of ['4111 1111 1111 1111', 'jane@example.com', '7946 0958']) expect(stored).not.toContain(secret);
    const [first] = await transcripts.all(turn.sessionKey);
    expect(first!.input.text).toBe('card [card ••••1111], mail [email], phone [phone]');
  });

  it("a channel's policy: its own patterns, and fields it leaves alone", async () => {
    const session = randomUUID();
    const turn = await accept('mt-clear', session, 'order ORD-123456 for jane@example.com');
    await drainOf('mt-clear', session);
    const [entry] = await transcripts.all(turn.sessionKey);
    expect(entry!.input.text).toBe('order [order] for [email]');
    expect(entry!.replies).toEqual([{ type: 'Text', text: 'echo: order ORD-123456 for jane@example.com' }]);
  });

  it('TurnStep alone stores nothing', async () => {
    const session = randomUUID();
    const envelope = envelopeOf('mt-handoff', requestOf(session, 'dry run'), { ingressId: INGRESS });
    const outcome = await worker.get(TurnStep).run({ ...envelope, seq: 1 }, undefined, []);
    expect(outcome.result.response.replyMessages).toEqual([{ type: 'Text', text: 'echo: dry run' }]);
    expect(outcome.session).toMatchObject({ turnIndex: 1, botState: { n: 1 } });
    expect(await countKeys(reader, `${prefix}:*${session}*`)).toBe(0);
  });
});
