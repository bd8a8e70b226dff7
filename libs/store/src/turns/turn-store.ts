import type { Redis } from 'ioredis';
import { scanKeys, tryLock } from '@app/redis';
import type { OutboxEntry, TurnEnvelope, TurnResult } from './turn.types.js';
import type { RedisKeys } from '../redis-keys.js';
import type { TranscriptEntry } from '../sessions/transcript.types.js';
import { acceptTurn } from './lua/accept-turn.lua.js';
import { beginTurn } from './lua/begin-turn.lua.js';
import { claimFallback } from './lua/claim-fallback.lua.js';
import { completeTurn, completeTurnKeys } from './lua/complete-turn.lua.js';
import { dropHead } from './lua/drop-head.lua.js';

/**
 * The turn lifecycle in Redis, as atomic scripts. The ingress accepts turns and, at its
 * deadline, races the worker for the right to answer (the "claim"); the worker completes turns.
 * Whoever claims first answers Genesys: if the ingress fell back, the worker's replies are parked
 * in the session's late list and delivered with the session's next response.
 */

export type AcceptResult =
  | { status: 'new'; seq: number }
  | { status: 'duplicate'; result?: TurnResult }
  /** A redelivery of a turn that was answered with the deadline fallback. */
  | { status: 'duplicate-held' };

/**
 * How long after a turn's deadline a result still goes to the waiting ingress when nobody claimed
 * the turn. Beyond it the ingress has certainly answered (it claims at the deadline), so a missing
 * claim means the claim was lost, and the result is parked for the next turn instead.
 */
const LATE_GRACE_MS = 2000;

export interface NextTurn {
  turnId: string;
  /** Undefined when the record expired before any worker got to it. */
  envelope?: TurnEnvelope;
  sessionJson?: string;
  late: TurnResult[];
}

export interface CompleteTurnInput {
  envelope: TurnEnvelope;
  result: TurnResult;
  /** Serialized session state to store, with its TTL. */
  sessionJson: string;
  sessionTtlMs: number;
  /** The entry as delivered in time; `late` is set by where the result went. */
  transcript: TranscriptEntry;
  transcriptTtlMs: number;
  /** TRANSCRIPT_MAX_ENTRIES (TranscriptStore.maxEntries): the same limit as every other append. */
  transcriptMaxEntries: number;
  /** How many late results from earlier turns this response delivered. */
  lateConsumed: number;
  /** v2: where the result goes when the ingress stopped waiting (see OutboxEntry). */
  outbox?: OutboxEntry;
}

/**
 * An accepted turn that is no longer in Redis at its deadline: a failover to a replica that never
 * got it. The fallback must not be sent (it would acknowledge a turn nothing will run).
 */
export class TurnLostError extends Error {
  constructor(readonly turnId: string) {
    super('the turn is no longer in Redis (lost in a failover)');
    this.name = 'TurnLostError';
  }
}

export type CompleteOutcome = 'delivered' | 'late' | 'outbox' | 'fenced';

export class TurnStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: RedisKeys,
    private readonly turnTtlMs: number,
  ) {}

  async accept(envelope: TurnEnvelope): Promise<AcceptResult> {
    const k = this.keys;
    const { turnId, sessionKey } = envelope;
    const { seq: _seq, ...rest } = envelope;
    const reply = await acceptTurn(this.redis, {
      keys: { turn: k.turn(turnId), replyTo: k.replyTo(turnId), result: k.result(turnId), inbox: k.inbox(sessionKey), sessionSeq: k.sessionSeq(sessionKey), claim: k.claim(turnId) },
      turnId,
      ingressId: envelope.ingressId,
      envelopeJson: JSON.stringify({ seq: 0, ...rest }),
      ttlMs: this.turnTtlMs,
      sessionTtlMs: Math.max(this.turnTtlMs, (envelope.request.botSessionTimeout ?? 60) * 60_000),
    });
    if (reply.status !== 'duplicate') return reply;
    return { status: 'duplicate', result: reply.resultJson ? (JSON.parse(reply.resultJson) as TurnResult) : undefined };
  }

  /** Returns the worker's result if it won the race, or undefined when the ingress must fall back. */
  /** The worker's result when it finished first, undefined when the fallback won; TurnLostError when the turn is gone. */
  async claimFallback(turnId: string): Promise<TurnResult | undefined> {
    const k = this.keys;
    const reply = await claimFallback(this.redis, { keys: { claim: k.claim(turnId), result: k.result(turnId), turn: k.turn(turnId) }, ttlMs: this.turnTtlMs });
    if (reply.won === 'lost') throw new TurnLostError(turnId);
    return reply.won === 'result' ? (JSON.parse(reply.resultJson) as TurnResult) : undefined;
  }

  /**
   * The session's next turn with everything needed to run it (undefined when the inbox is empty),
   * and how many v2 results wait in its outbox: those must go out before the turn runs.
   */
  async begin(sessionKey: string): Promise<{ outboxPending: number; next?: NextTurn }> {
    const k = this.keys;
    const { outboxPending, head } = await beginTurn(this.redis, {
      keys: { inbox: k.inbox(sessionKey), session: k.session(sessionKey), late: k.late(sessionKey), outbox: k.outbox(sessionKey) },
    });
    if (!head) return { outboxPending };
    const envelope = await this.redis.get(k.turn(head.turnId));
    return {
      outboxPending,
      next: {
        turnId: head.turnId,
        envelope: envelope ? (JSON.parse(envelope) as TurnEnvelope) : undefined,
        sessionJson: head.sessionJson,
        late: head.lateJson.map((r) => JSON.parse(r) as TurnResult),
      },
    };
  }

  async dropHead(sessionKey: string, turnId: string): Promise<boolean> {
    return dropHead(this.redis, { keys: { inbox: this.keys.inbox(sessionKey) }, turnId });
  }

  async complete(input: CompleteTurnInput, streamMaxLen = 10000): Promise<CompleteOutcome> {
    const k = this.keys;
    const { envelope, result } = input;
    const { turnId, sessionKey } = envelope;
    const replyStreams: Record<string, string> = { [envelope.ingressId]: k.replyStream(envelope.ingressId) };
    const base = {
      keys: completeTurnKeys(k, turnId, sessionKey, input.transcript.genesysConversationId),
      turnId,
      resultJson: JSON.stringify(result),
      resultTtlMs: this.turnTtlMs,
      streamMaxLen,
      sessionJson: input.sessionJson,
      sessionTtlMs: input.sessionTtlMs,
      // Both forms of the entry, so the script only picks one (no JSON patching in Lua); spreading
      // keeps `late` where the entry has it.
      transcriptJson: JSON.stringify({ ...input.transcript, late: false }),
      transcriptLateJson: JSON.stringify({ ...input.transcript, late: true }),
      transcriptTtlMs: input.transcriptTtlMs,
      transcriptMaxEntries: input.transcriptMaxEntries,
      seq: envelope.seq,
      indexConversation: Boolean(input.transcript.genesysConversationId),
      sessionKey,
      lateConsumed: input.lateConsumed,
      lateAfterMs: (envelope.deadlineAt ?? Number.MAX_SAFE_INTEGER - LATE_GRACE_MS) + LATE_GRACE_MS,
      outboxJson: input.outbox ? JSON.stringify(input.outbox) : undefined,
    };
    // The waiters are the ingress processes that received a delivery of this turn: usually only
    // the envelope's. Another one (a redelivery elsewhere) makes the script ask for its stream.
    for (;;) {
      const reply = await completeTurn(this.redis, { ...base, replyStreams, nowMs: Date.now() });
      if (reply.status !== 'streams') return reply.status;
      for (const id of reply.ingressIds) replyStreams[id] = k.replyStream(id);
    }
  }

  /**
   * Results addressed to one ingress process after `cursor`, waiting up to `blockMs` for some.
   * Blocks its connection, so the caller passes one of its own (RedisConnections.blocking).
   */
  async readReplies(connection: Redis, ingressId: string, cursor: string, blockMs: number): Promise<{ cursor: string; replies: { turnId: string; resultJson: string }[] }> {
    // A small batch: every reply in it is answered in one go on the ingress's event loop, and a
    // batch of 512 held new requests (and their refusals, under overload) back by tens of ms.
    const res = (await connection.xread('COUNT', 64, 'BLOCK', blockMs, 'STREAMS', this.keys.replyStream(ingressId), cursor)) as [string, [string, string[]][]][] | null;
    const replies: { turnId: string; resultJson: string }[] = [];
    for (const [, entries] of res ?? []) {
      for (const [id, fields] of entries) {
        cursor = id;
        let turnId: string | undefined;
        let resultJson: string | undefined;
        for (let i = 0; i < fields.length; i += 2) {
          if (fields[i] === 'id') turnId = fields[i + 1];
          else if (fields[i] === 'r') resultJson = fields[i + 1];
        }
        if (turnId && resultJson) replies.push({ turnId, resultJson });
      }
    }
    return { cursor, replies };
  }

  /** True for the one caller per `ttlMs` whose turn it is to run the inbox sweep. */
  async leaseInboxSweep(ttlMs: number): Promise<boolean> {
    return (await tryLock(this.redis, this.keys.inboxSweepLease(), ttlMs)) !== undefined;
  }

  /**
   * Sessions with turns waiting, each with the turn at the head of its inbox, in batches. A
   * sweeper compares heads between passes: a head that did not move had no drain running.
   */
  async *pendingInboxes(): AsyncGenerator<{ sessionKey: string; headTurnId: string }[]> {
    const prefix = this.keys.inbox('');
    for await (const keys of scanKeys(this.redis, `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`)) {
      const tx = this.redis.pipeline();
      for (const key of keys) tx.lindex(key, 0);
      const heads = ((await tx.exec()) ?? []).map(([, v]) => v as string | null);
      const batch = keys.flatMap((key, i) => (heads[i] ? [{ sessionKey: key.slice(prefix.length), headTurnId: heads[i]! }] : []));
      if (batch.length) yield batch;
    }
  }

  /**
   * True once `replicas` replicas hold the accepted turn: WAIT blocks until they acknowledged every
   * write this connection made (the accept among them) or `timeoutMs` passed. Followed, on the same
   * connection, by a read of the turn: if the connection moved to a new master in between (a
   * failover), WAIT would pass trivially there, and only finding the turn proves it survived.
   */
  confirmReplicated(turnId: string, replicas: number, timeoutMs: number): Promise<boolean> {
    return this.confirmKeyReplicated(this.keys.turn(turnId), replicas, timeoutMs);
  }

  /**
   * True once `replicas` replicas hold the ingress's fallback claim (and so the turn it claimed).
   * Finding the turn at the deadline is not enough after a failover: a connection not yet moved
   * off the deposed master still finds it there, where the next resync wipes it. That master has
   * lost its replicas to the new one by then, so WAIT comes up short.
   */
  confirmClaimReplicated(turnId: string, replicas: number, timeoutMs: number): Promise<boolean> {
    return this.confirmKeyReplicated(this.keys.claim(turnId), replicas, timeoutMs);
  }

  private async confirmKeyReplicated(key: string, replicas: number, timeoutMs: number): Promise<boolean> {
    const res = await this.redis.pipeline().wait(replicas, timeoutMs).exists(key).exec();
    const [[waitErr, acked], [existsErr, exists]] = (res ?? [[null, 0], [null, 0]]) as [[Error | null, number], [Error | null, number]];
    return !waitErr && !existsErr && acked >= replicas && exists === 1;
  }
}
