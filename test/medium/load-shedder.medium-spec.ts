import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { DrainRequester } from '@app/queue';
import { LoadShedder } from '../../apps/ingress/src/bot-connector/load-shedder.service.js';
import { ingressModule, type MediumApp } from '../support/medium-modules.js';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis-test-prefix.js';

/**
 * The load shedder on this process's real event loop and a real queue in Redis: CPU burnt on the
 * loop must cut the share of turns admitted within a tick or two, and a drain nobody takes must
 * show up as queue age.
 */
const prefix = testPrefix('shedder');
let app: MediumApp;
const redis = new Redis(TEST_REDIS_URL);

beforeAll(async () => {
  app = await ingressModule(prefix, { env: { SHED_EVENT_LOOP_UTILIZATION: '0.9', SHED_EVENT_LOOP_DELAY_MS: '40', SHED_QUEUE_AGE_SAMPLE_MS: '50' } });
});
afterAll(async () => {
  // Closing flushes the turn counters, so the suite's keys go after it.
  await app.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** Start-up itself fills the loop for a moment (and so may a busy test machine): wait until it is calm. */
async function calm(shedder: LoadShedder): Promise<void> {
  const until = Date.now() + 5000;
  while (shedder.admittedShare < 1 && Date.now() < until) await sleep(50);
  expect(shedder.admittedShare).toBe(1);
}

/** Keeps the loop busy for `ms` in slices, letting its timers run between them as a loaded ingress does. */
async function burn(ms: number, sliceMs = 70): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const end = Date.now() + sliceMs;
    while (Date.now() < end) Math.sqrt(Math.random());
    await new Promise((r) => setImmediate(r));
  }
}

const refusals = (shedder: LoadShedder, n: number) => Array.from({ length: n }, () => shedder.verdict()).filter((v) => v !== undefined);

describe('LoadShedder', () => {
  it('admits everything on an idle loop, cuts the admitted share while it is saturated, and comes back when it cools', async () => {
    const shedder = app.get(LoadShedder);
    await calm(shedder);
    expect(refusals(shedder, 200)).toEqual([]);

    await burn(500);
    // Ten ticks at 70 ms lag and full utilisation: the share is near its floor.
    expect(shedder.admittedShare).toBeLessThan(0.2);
    const refused = refusals(shedder, 200);
    expect(refused.length).toBeGreaterThan(150);
    expect(new Set(refused)).toEqual(new Set(['event_loop']));

    // Back to all within about a second (0.05 a tick), not at the first quiet tick.
    await sleep(200);
    expect(shedder.admittedShare).toBeLessThan(1);
    await calm(shedder);
    expect(refusals(shedder, 200)).toEqual([]);
  });

  it('counts in-flight turns against MAX_INFLIGHT_TURNS before anything else', async () => {
    const shedder = app.get(LoadShedder);
    await calm(shedder);
    shedder.inFlight = 2000;
    try {
      expect(shedder.verdict()).toBe('too_many_in_flight');
    } finally {
      shedder.inFlight = 0;
    }
    expect(shedder.verdict()).toBeUndefined();
  });

  it('reads the age of the oldest drain no worker has taken', async () => {
    const shedder = app.get(LoadShedder);
    const drains = app.get(DrainRequester);
    expect(shedder.oldestWaitingMs).toBe(0);
    await drains.request({ sessionKey: 'c1:s-old', channelId: 'c1', botSessionId: 's-old' });
    await sleep(400);
    await drains.request({ sessionKey: 'c1:s-new', channelId: 'c1', botSessionId: 's-new' });
    await sleep(300);
    // The older of the two, sampled every 50 ms.
    expect(shedder.oldestWaitingMs).toBeGreaterThanOrEqual(550);
    expect(shedder.oldestWaitingMs).toBeLessThan(2000);
    await drains.queue.drain();
    await sleep(300);
    expect(shedder.oldestWaitingMs).toBe(0);
  });
});
