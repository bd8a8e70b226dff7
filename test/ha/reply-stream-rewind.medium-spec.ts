import { Redis } from 'ioredis';
import { RedisKeys } from '@app/store';
import { ReplyStreamListener } from '../../apps/ingress/src/bot-connector/reply-stream.listener.js';
import { ingressModule, type MediumApp } from '../support/medium-modules.js';
import { restartRedis, startRedis, stopAll, type RedisProcess } from '../support/redis-servers.js';
import { testPrefix } from '../support/redis-test-prefix.js';

/**
 * The ingress's reply-stream reader across a Redis that comes back as a different server (a
 * failover): the new master lacks the entries past the reader's cursor and its clock, which entry
 * ids are made of, is behind the old one's. A reply written there gets an id below the cursor; a
 * reader that resumed from its cursor would never see it, and that turn would wait for its deadline.
 */
const prefix = testPrefix('rewind');
let server: RedisProcess;
let app: MediumApp;
let client: Redis;

beforeAll(async () => {
  server = await startRedis();
  app = await ingressModule(prefix, { env: { REDIS_URL: `redis://127.0.0.1:${server.port}` } });
  client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 2 });
  client.on('error', () => undefined);
});
afterAll(async () => {
  client?.disconnect();
  await app?.close();
  await stopAll([server]);
});

const result = (text: string) => JSON.stringify({ outcome: 'reply', response: { botState: 'MoreData', replyMessages: [{ type: 'Text', text }] } });

describe('reply stream after a master change', () => {
  it('reads again from before its cursor, so a reply with an id from a lagging clock still reaches its turn', async () => {
    const listener = app.get(ReplyStreamListener);
    const stream = app.get(RedisKeys).replyStream(listener.ingressId);

    const first = listener.expect('turn-1');
    const id = (await client.xadd(stream, '*', 'id', 'turn-1', 'r', result('one'))) as string;
    expect(await first.wait(3000)).toMatchObject({ response: { replyMessages: [{ text: 'one' }] } });

    // The "new master": empty, on the same address.
    await stopAll([server]);
    server = await restartRedis(server);
    const second = listener.expect('turn-2');
    const behind = `${Number(id.split('-')[0]) - 3000}-0`;
    await client.xadd(stream, behind, 'id', 'turn-2', 'r', result('two'));
    expect(await second.wait(8000)).toMatchObject({ response: { replyMessages: [{ text: 'two' }] } });
  }, 20_000);
});
