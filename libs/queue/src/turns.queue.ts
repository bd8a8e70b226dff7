import type { JobsOptions, Queue } from 'bullmq';
import { stableDigest } from '@app/store/turns/turn.types.js';

/**
 * The one contract between ingress and worker: queue and job names, payloads, results and job
 * options. A renamed queue strands jobs, so nothing else spells these names.
 */
export const TURNS_QUEUE = 'turns';
export const DRAIN_SESSION_JOB = 'drain-session';

/**
 * Turns of one bot session wait, in acceptance order, in that session's inbox (a Redis list).
 * A `drain-session` job runs them one at a time. BullMQ deduplication with `keepLastIfActive`
 * keeps at most one active and one waiting drain per session, which gives strict per-session
 * order across any number of workers with open-source BullMQ (perf-reliability §2.3).
 */
export interface DrainSessionJob {
  sessionKey: string;
  channelId: string;
  botSessionId: string;
}

function drainDedupIdOf(sessionKey: string): string {
  return `s${stableDigest(sessionKey)}`;
}

/** Every job the turns queue carries, by name. */
export type TurnsJob = { name: typeof DRAIN_SESSION_JOB; data: DrainSessionJob };

/** The job as the contract says, or undefined for anything else (a stale or foreign job). */
export function turnsJobOf(job: { name: string; data: unknown }): TurnsJob | undefined {
  const d = job.data as Partial<DrainSessionJob> | undefined;
  if (job.name !== DRAIN_SESSION_JOB || typeof d?.sessionKey !== 'string' || typeof d.channelId !== 'string' || typeof d.botSessionId !== 'string') return undefined;
  return { name: DRAIN_SESSION_JOB, data: { sessionKey: d.sessionKey, channelId: d.channelId, botSessionId: d.botSessionId } };
}

/** The drain of a session identified only by its key (`<channelId>:<botSessionId>`; channel ids have no `:`). */
export function drainJobForSession(sessionKey: string): DrainSessionJob {
  const sep = sessionKey.indexOf(':');
  return { sessionKey, channelId: sessionKey.slice(0, sep), botSessionId: sessionKey.slice(sep + 1) };
}

/**
 * The one way to ask for a session's turns to run: the ingress after accepting a turn, a worker
 * whose drain stopped at its share, the outbox sweeper. Deduplication (drainJobOptions) keeps at
 * most one active and one waiting drain per session however often it is asked.
 */
export class DrainRequester {
  constructor(readonly queue: Queue) {}

  async request(job: DrainSessionJob): Promise<void> {
    await this.queue.add(DRAIN_SESSION_JOB, job, drainJobOptions(job.sessionKey));
  }

  /**
   * How long the oldest session drain no worker has taken yet has been waiting (0 when none): a
   * turn accepted now waits at least about that long, since drains are taken in order. A drain
   * parked behind a running one (keepLastIfActive) enters the list, with a fresh timestamp, only
   * when that one ends; one put back after a crashed worker keeps its first timestamp and reads
   * old until a worker takes it, which with workers free is within milliseconds.
   */
  async oldestWaitingAgeMs(now = Date.now()): Promise<number> {
    const [oldest] = await this.queue.getJobs(['wait'], 0, 0, true);
    return oldest ? Math.max(0, now - oldest.timestamp) : 0;
  }
}

function drainJobOptions(sessionKey: string): JobsOptions {
  return {
    deduplication: { id: drainDedupIdOf(sessionKey), keepLastIfActive: true },
    // Results live in our own keys; BullMQ's copies only need to survive for inspection.
    removeOnComplete: { age: 300, count: 10000 },
    removeOnFail: { age: 24 * 3600 },
    attempts: 3,
    backoff: { type: 'exponential', delay: 200 },
  };
}

