import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { scanKeys } from '@app/redis/scan.js';
import { newSessionBody, nextTurn, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { botTexts, startProviderGateway, V2_FLOW, waitForView, type ProviderGateway } from '../support/provider-gateway.js';
import { expectRedeliveriesAnsweredOnce } from '../support/core-scenarios.js';
import { RecordingBot } from '../support/recording-bot.js';
import { startCluster, stopAll, type RedisProcess } from '../support/redis-servers.js';

/**
 * The core turn protocol on a real 6-node Redis Cluster (three masters, three replicas): every
 * connection of both processes is a cluster client, REDIS_PREFIX is a hash tag so the scripts'
 * keys and BullMQ's share one slot. Order across two workers, duplicates, the deadline and its
 * late delivery, and the v2 outbox, as on one server.
 */
let nodes: RedisProcess[];
let pg: ProviderGateway;
let gw: GatewayHarness;
let emu: EmulatorApp;
let ch: TestChannel;
const bot = new RecordingBot();

beforeAll(async () => {
  nodes = await startCluster();
  const url = await bot.start();
  pg = await startProviderGateway({
    name: 'cluster',
    channelId: 'cl1',
    channel: {
      replyDeadlineMs: 1500,
      circuitBreaker: { failureThreshold: 1000, cooldownMs: 1000 },
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', timeoutMs: 8000, retries: 0, config: { url } } }],
    },
    inlineWindowMs: 400,
    env: {
      REDIS_URL: `redis://127.0.0.1:${nodes[0]!.port}`,
      REDIS_CLUSTER_NODES: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
      REDIS_PREFIX: `{tcl${randomBytes(4).toString('hex')}}`,
      OUTBOX_SWEEP_INTERVAL_MS: '500',
    },
  });
  ({ gw, emu, channel: ch } = pg);
  await gw.startWorker();
}, 90_000);

afterAll(async () => {
  await pg?.stop();
  await bot.stop();
  await stopAll(nodes ?? []);
});

beforeEach(() => {
  bot.delayMs = 0;
});

describe('the turn protocol on Redis Cluster', () => {
  it('keeps every key of the deployment in one slot', async () => {
    const keys: string[] = [];
    for await (const batch of scanKeys(gw.redis, `${gw.prefix}:*`)) keys.push(...batch);
    expect(keys.length).toBeGreaterThan(0);
    const slots = new Set(await Promise.all(keys.map((k) => gw.redis.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
  });

  it('runs 20 concurrent turns of one session one at a time, in acceptance order, across 2 workers', async () => {
    const body = newSessionBody('start');
    bot.delayMs = 40;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.turn(ch, nextTurn(body, `m${i}`, { messageId: randomUUID() }))));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const calls = bot.callsFor(body.botSessionId as string);
    expect(calls.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(35);
  });

  it('answers a redelivered messageId without running the bot again', async () => {
    await expectRedeliveriesAnsweredOnce(gw, ch, bot);
  });

  it('holds the customer at the deadline and delivers the late answer first in the next response', async () => {
    const body = newSessionBody('sleep:2500 slow');
    const held = await gw.turn(ch, body);
    expect(held.body.replyMessages.map((m: { text: string }) => m.text)).toEqual(['Hold on, still working.']);
    await gw.waitFor(async () => bot.callsFor(body.botSessionId as string).length === 1, 5000);
    await new Promise((r) => setTimeout(r, 2000));
    const next = await gw.turn(ch, nextTurn(body, 'next'));
    expect(next.body.replyMessages.map((m: { text: string }) => m.text)).toEqual(['echo: sleep:2500 slow', 'echo: next']);
  });

  it('deletes a conversation by its Genesys id on the cluster: every key of the session goes', async () => {
    const body = newSessionBody('to be deleted');
    expect((await gw.turn(ch, body)).status).toBe(200);
    expect((await gw.turn(ch, nextTurn(body, 'again'))).status).toBe(200);
    const sid = body.botSessionId as string;
    const del = await fetch(`${gw.baseUrl}/api/conversations?genesysConversationId=${body.genesysConversationId as string}`, { method: 'DELETE', headers: { authorization: `Bearer ${gw.adminToken}` } });
    expect(del.status).toBe(204);
    const left: string[] = [];
    for await (const batch of scanKeys(gw.redis, `${gw.prefix}:*`)) left.push(...batch.filter((k) => k.includes(sid)));
    expect(left).toEqual([]);
    expect((await gw.admin(`/api/conversations/${sid}?channelId=${ch.id}`)).status).toBe(404);
  });

  it('sends v2 results that missed the inline window through the outgoing API, in order', async () => {
    bot.delayMs = 900;
    const view = await emu.emulator.startConversation(V2_FLOW, { text: 'first' });
    await emu.emulator.sendCustomerMessage(view.id, { text: 'second' });
    await emu.emulator.sendCustomerMessage(view.id, { text: 'third' });
    const done = await waitForView(emu, view.id, (v) => botTexts(v).length === 3, 15_000);
    expect(botTexts(done, 'outgoing')).toEqual(['echo: first', 'echo: second', 'echo: third']);
  });
});
