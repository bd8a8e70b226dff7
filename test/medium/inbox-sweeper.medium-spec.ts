import { DrainRequester } from '@app/queue';
import { TurnStore } from '@app/store';
import { InboxSweeper } from '../../apps/worker/src/queues/inbox-sweeper.js';
import { workerModule, type MediumApp } from '../support/medium-modules.js';
import { envelopeOf, requestOf } from '../support/medium-turns.js';
import { deletePrefix, testPrefix } from '../support/redis-test-prefix.js';

/**
 * The ingress stores a turn, then queues its drain: two writes. A Redis failover (or an ingress
 * dying between them) can keep the turn and lose the job; the inbox sweeper finds such sessions.
 */
const prefix = testPrefix('inboxsweep');
let app: MediumApp;

beforeAll(async () => {
  app = await workerModule(prefix);
});
afterAll(async () => {
  await deletePrefix(app.redis, prefix);
  await app.close();
});

const waitingSessions = async () => (await app.get(DrainRequester).queue.getJobs(['wait'])).map((j) => (j.data as { sessionKey: string }).sessionKey);

describe('inbox sweeper', () => {
  it('queues a drain for a session whose turn has no job, once two passes saw the same head', async () => {
    const store = app.get(TurnStore);
    const sweeper = app.get(InboxSweeper);
    const orphan = envelopeOf('c1', requestOf('s-orphan', 'hello'), { ingressId: 'i1' });
    await store.accept(orphan);
    expect(await waitingSessions()).toEqual([]);
    // The first pass only notes the head: a drain may be on its way.
    expect(await sweeper.sweep()).toBe(0);
    expect(await sweeper.sweep()).toBe(1);
    expect(await waitingSessions()).toEqual([orphan.sessionKey]);
    // Asking again is free: one waiting drain per session.
    expect(await sweeper.sweep()).toBe(1);
    expect(await waitingSessions()).toEqual([orphan.sessionKey]);
  });

  it('leaves a session alone while its inbox head moves (a drain is running it)', async () => {
    const store = app.get(TurnStore);
    const sweeper = app.get(InboxSweeper);
    const first = envelopeOf('c1', requestOf('s-moving', 'one'), { ingressId: 'i1' });
    const second = envelopeOf('c1', requestOf('s-moving', 'two'), { ingressId: 'i1' });
    await store.accept(first);
    await store.accept(second);
    await sweeper.sweep();
    await store.dropHead(first.sessionKey, first.turnId);
    await sweeper.sweep();
    expect(await waitingSessions()).not.toContain(first.sessionKey);
    // Stuck from now on: the next pass that sees the same head queues it.
    await sweeper.sweep();
    expect(await waitingSessions()).toContain(first.sessionKey);
  });

  it('sweeps once per interval across workers: a second caller within the lease skips the pass', async () => {
    const sweeper = app.get(InboxSweeper);
    await app.redis.del(app.keys.inboxSweepLease());
    expect(await sweeper.sweepIfOurTurn()).toEqual(expect.any(Number));
    expect(await sweeper.sweepIfOurTurn()).toBeUndefined();
    expect(await app.redis.pttl(app.keys.inboxSweepLease())).toBeGreaterThan(0);
  });
});
