import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { OutboxStore, SessionStore, TranscriptStore, TurnStore } from '@app/store';
import { createEmulatorApp, type EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { OutgoingMessageSender } from '../../apps/worker/src/outbox/outgoing-message.sender.js';
import { SessionDrain } from '../../apps/worker/src/turns/session-drain.js';
import { testChannel } from '../support/gateway-harness.js';
import { workerModule, type MediumApp } from '../support/medium-modules.js';
import { envelopeOf, requestOf } from '../support/medium-turns.js';
import { RecordingBot } from '../support/recording-bot.js';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis-test-prefix.js';

/**
 * OutgoingMessageSender against the Genesys emulator over HTTP, in process on real Redis: v2
 * results the ingress stopped waiting for go out of the session's outbox, in order, before the
 * session's next turn; refusals and outages end up in the transcript.
 */

const CC_CLIENT = 'medium-cc';
const CC_SECRET = 'medium-cc-client-secret-0123456789';
const INT_V2 = 'medium-v2';
const OUTGOING = '/api/v2/integrations/botconnectors/outgoing/messages';
const GIVE_UP_MS = 6000;
/** Attempts the Genesys API client makes on its own before the sender sees the failure. */
const CLIENT_ATTEMPTS = 4;

const prefix = testPrefix('outgoing');
const bot = new RecordingBot();
let emu: EmulatorApp;
let worker: MediumApp;
let redis: Redis;
let turns: TurnStore;
let transcripts: TranscriptStore;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  const url = await bot.start();
  emu = await createEmulatorApp({
    clients: [{ id: CC_CLIENT, secret: CC_SECRET, name: 'Gateway (client credentials)', redirectUris: [], scopes: [], grants: ['client_credentials'] }],
    integrations: [{ id: INT_V2, name: 'Digital', type: 'digital-botconnector' }],
  });
  const emulatorUrl = await emu.listen(0);
  worker = await workerModule(prefix, { env: { OUTBOX_GIVE_UP_MS: String(GIVE_UP_MS) } });
  await worker.saveChannels(
    testChannel('mo-v2', {
      genesys: {
        environment: 'mypurecloud.ie',
        integrationId: INT_V2,
        oauth: { clientId: CC_CLIENT, clientSecret: CC_SECRET, grant: 'client_credentials', baseUrl: emulatorUrl },
        digitalBotConnector: { secretHeader: 'X-Connection-Secret', secret: 'medium-dbc-connection-secret-0123456789abcdef', inlineWindowMs: 1000 },
      },
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', timeoutMs: 4000, retries: 0, config: { url } } }],
    }).raw,
  );
  turns = worker.get(TurnStore);
  transcripts = worker.get(TranscriptStore);
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await worker?.close();
  await emu?.close();
  await redis.quit();
  await bot.stop();
});

beforeEach(() => emu.emulator.clearCalls());

/** A v2 bot session the emulator knows (as if a flow had called the bot), or one it does not. */
function v2Session(known = true): { botSessionId: string; conversationId?: string } {
  if (!known) return { botSessionId: randomUUID() };
  return emu.emulator.openBotSession({ botId: 'bot1', botVersion: '1.0', integrationId: INT_V2, botSessionId: randomUUID() });
}

/** A v2 turn whose inline window ended before the worker answered: the ingress claimed it and deferred. */
async function deferredTurn(botSessionId: string, text: string) {
  const envelope = envelopeOf('mo-v2', requestOf(botSessionId, text, { botId: 'bot1' }), { ingressId: 'medium-ingress', protocol: 'v2' });
  expect((await turns.accept(envelope)).status).toBe('new');
  expect(await turns.claimFallback(envelope.turnId)).toBeUndefined();
  return envelope;
}

const drainOf = (botSessionId: string) => worker.get(SessionDrain).drainSession({ sessionKey: `mo-v2:${botSessionId}`, channelId: 'mo-v2', botSessionId });
const outgoingStatuses = () => emu.emulator.callsTo(OUTGOING).map((c) => c.status);
const sentTexts = (conversationId: string) =>
  emu.emulator
    .conversationView(conversationId)!
    .messages.filter((m) => m.via === 'outgoing')
    .map((m) => m.text);

describe('OutgoingMessageSender with the emulator', () => {
  it('sends deferred v2 results in acceptance order, each once, before the next turn runs', async () => {
    const s = v2Session();
    for (const text of ['a', 'b', 'c']) await deferredTurn(s.botSessionId, text);
    expect(await drainOf(s.botSessionId)).toEqual({ done: 3, more: false });

    expect(sentTexts(s.conversationId!)).toEqual(['echo: a', 'echo: b', 'echo: c']);
    expect(outgoingStatuses()).toEqual([200, 200, 200]);
    expect(await worker.get(OutboxStore).length(`mo-v2:${s.botSessionId}`)).toBe(0);
    // Each result went out before the next turn reached the bot.
    const sends = emu.emulator.callsTo(OUTGOING).map((c) => c.at);
    const calls = bot.callsFor(s.botSessionId).map((c) => c.at);
    expect(sends[0]!).toBeLessThanOrEqual(calls[1]!);
    expect(sends[1]!).toBeLessThanOrEqual(calls[2]!);
  });

  it('a 409 for an unknown session drops the message, records it and marks the session closed by Genesys', async () => {
    const s = v2Session(false);
    await deferredTurn(s.botSessionId, 'nobody there');
    await drainOf(s.botSessionId);

    expect(outgoingStatuses()).toEqual([409]);
    const entries = await transcripts.all(`mo-v2:${s.botSessionId}`);
    expect(entries.map((e) => e.kind ?? 'turn')).toEqual(['turn', 'outgoing_failed']);
    expect(entries[1]!.error).toMatch(/409 session\.not\.found.*closed or unknown/);
    expect(await worker.get(SessionStore).statuses([`mo-v2:${s.botSessionId}`])).toEqual(['closed']);
  });

  it('retries a 5xx outage longer than the API client rides out, and sends the message once Genesys recovers', async () => {
    const s = v2Session();
    await deferredTurn(s.botSessionId, 'after an outage');
    emu.emulator.failNext(CLIENT_ATTEMPTS + 1, 503, OUTGOING);
    await drainOf(s.botSessionId);

    expect(outgoingStatuses()).toEqual([...Array<number>(CLIENT_ATTEMPTS + 1).fill(503), 200]);
    expect(sentTexts(s.conversationId!)).toEqual(['echo: after an outage']);
    expect((await transcripts.all(`mo-v2:${s.botSessionId}`)).map((e) => e.kind ?? 'turn')).toEqual(['turn']);
  });

  it(`gives up after OUTBOX_GIVE_UP_MS and records what the customer did not get`, async () => {
    const s = v2Session();
    await deferredTurn(s.botSessionId, 'lost');
    emu.emulator.failNext(1000, 503, OUTGOING);
    try {
      const started = Date.now();
      await drainOf(s.botSessionId);
      expect(Date.now() - started).toBeGreaterThanOrEqual(GIVE_UP_MS - 1000);
    } finally {
      emu.emulator.failNext(0);
    }
    expect(outgoingStatuses().every((st) => st === 503)).toBe(true);
    expect(sentTexts(s.conversationId!)).toEqual([]);
    const entries = await transcripts.all(`mo-v2:${s.botSessionId}`);
    expect(entries.map((e) => e.kind ?? 'turn')).toEqual(['turn', 'outgoing_failed']);
    expect(entries[1]!.error).toMatch(/not delivered after \d+ s: Genesys answered 503/);
    expect(await worker.get(OutboxStore).length(`mo-v2:${s.botSessionId}`)).toBe(0);
    // The sender on its own finds nothing left to send.
    await worker.get(OutgoingMessageSender).flush(`mo-v2:${s.botSessionId}`);
    expect(outgoingStatuses().filter((st) => st === 200)).toEqual([]);
  });
});
