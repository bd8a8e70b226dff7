// Open-loop load generator for the Bot Connector v1 endpoint.
//
// Requests are scheduled at a fixed arrival rate (request i is due at start + i/rate) whatever
// the server does, and latency is measured from that *intended* send time, so a stalled server or
// a late client tick shows up in the figures instead of silently lowering the offered load
// (coordinated-omission correction, wrk2 style). Keep-alive sockets, one request per socket at a
// time (no pipelining). Latencies go into an HDR histogram in microseconds.
//
// A 503 that carries Retry-After is counted as *shed*: the gateway refused the turn at the door
// (admission control) and Genesys will retry it. It is neither an error nor a lost turn, and its
// latency goes into a histogram of its own, so fast refusals do not flatter the latency of the
// turns that were answered.
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import hdr from 'hdr-histogram-js';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** The credential Genesys sends: `bearer <HS256 JWT {appId, iat}>` (same as scripts/chat.mjs). */
export function bearerFor(clientId, secret) {
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ appId: clientId, iat: Math.floor(Date.now() / 1000) })}`;
  return `bearer ${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export function newHistogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/** A pool of Genesys bot sessions used round-robin; the first turn of each carries `parameters`. */
export class SessionPool {
  constructor(size) {
    this.sessions = Array.from({ length: size }, () => ({ id: randomUUID(), conversationId: randomUUID(), turns: 0 }));
    this.next = 0;
  }
  take() {
    const s = this.sessions[this.next];
    this.next = (this.next + 1) % this.sessions.length;
    return s;
  }
}

/**
 * Opens about `count` keep-alive sockets to host:port through `agent` before a run, a few
 * hundred at a time (so the server's accept queue does not overflow), with cheap GETs on
 * `path`. Bounded: at most `count` sockets, at most 60 s.
 */
export async function preconnect({ agent, host, port, path = '/health/live', count, step = 250 }) {
  const until = Date.now() + 60000;
  const get = () =>
    new Promise((res) => {
      const req = http.get({ host, port, path, agent, timeout: 10000 }, (r) => {
        r.resume();
        r.on('end', () => res(true));
        r.on('error', () => res(false));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => res(false));
    });
  const open = () => Object.values(agent.freeSockets).reduce((a, l) => a + l.length, 0);
  for (let n = step; n <= count + step - 1 && Date.now() < until; n += step) {
    // n requests at once: the free sockets serve all but about `step` of them, which connect anew.
    await Promise.all(Array.from({ length: Math.min(n, count) }, get));
  }
  return open();
}

export function createAgent(maxSockets = 4096) {
  // Bounded so a broken server cannot make us open unbounded sockets; far above what the steady
  // scenarios need (rate × latency). The spike scenario asks for more, so that the gateway's own
  // in-flight limit, not this agent, is what caps the turns in flight. LIFO reuse keeps the hot
  // sockets busy.
  return new http.Agent({ keepAlive: true, keepAliveMsecs: 30000, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
}

/** Counts and histograms for one slice of a run: the whole run, one phase, or one second. */
class Tally {
  constructor() {
    this.sent = 0;
    this.recorded = 0;
    this.status = new Map();
    this.errors = new Map();
    this.ok = 0;
    this.holds = 0;
    this.shed = 0;
    this.overDeadline = 0;
    this.misses = 0;
    /** Every HTTP answer except shed 503s (so errors still count, as before shedding existed). */
    this.hist = newHistogram();
    /** 200 answers that are not the hold message. */
    this.okHist = newHistogram();
    /** Every 200, hold messages included: the turns that were accepted and answered. */
    this.answeredHist = newHistogram();
    this.shedHist = newHistogram();
    this.shedServiceHist = newHistogram();
    /** Shed 503s that came over a connection that was already open: the gateway's own refusal speed. */
    this.shedOpenConnHist = newHistogram();
    /** New TCP connections the agent had to open (no free keep-alive socket), and how long each took. */
    this.newConnections = 0;
    this.connectHist = newHistogram();
  }
  record({ code, us, serviceUs, isHold, isShed, late, newConn }) {
    this.recorded++;
    if (typeof code !== 'number') {
      bump(this.errors, code);
      return;
    }
    bump(this.status, code);
    if (late) this.overDeadline++;
    if (isHold || late) this.misses++;
    if (isShed) {
      this.shed++;
      this.shedHist.recordValue(us);
      this.shedServiceHist.recordValue(serviceUs);
      if (!newConn) this.shedOpenConnHist.recordValue(us);
      return;
    }
    this.hist.recordValue(us);
    if (code === 200) {
      this.answeredHist.recordValue(us);
      if (isHold) this.holds++;
      else {
        this.ok++;
        this.okHist.recordValue(us);
      }
    }
  }
  /** Answers that are neither 200 nor shed, plus network errors and unfinished requests. */
  get errorCount() {
    const shed503 = this.shed;
    return (
      [...this.errors.values()].reduce((a, b) => a + b, 0) +
      [...this.status.entries()].filter(([c]) => c !== 200).reduce((a, [, n]) => a + n, 0) -
      shed503
    );
  }
  summary() {
    // Requests still open when the run's drain time ran out (the whole run's tally has them as
    // an `unfinished` error already).
    const unfinished = Math.max(0, this.sent - this.recorded);
    return {
      sent: this.sent,
      unfinished,
      ok: this.ok,
      holds: this.holds,
      shed: this.shed,
      overDeadline: this.overDeadline,
      deadlineMisses: this.misses,
      errorCount: this.errorCount + (this.errors.has('unfinished') ? 0 : unfinished),
      status: Object.fromEntries(this.status),
      errors: Object.fromEntries(this.errors),
      latency: summarize(this.hist),
      okLatency: summarize(this.okHist),
      answeredLatency: summarize(this.answeredHist),
      shedLatency: summarize(this.shedHist),
      shedServiceLatency: summarize(this.shedServiceHist),
      shedOpenConnLatency: summarize(this.shedOpenConnHist),
      newConnections: this.newConnections,
      connectTime: summarize(this.connectHist),
    };
  }
}

const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);

/**
 * Runs one open-loop run. Target: { host, port, channel: {id, botId, botName, authorization,
 * holdMessage, deadlineMs} }. Either one constant `rate` for `durationMs`, or `phases`:
 * [{ rate, durationMs, label }] run back to back (a load profile, e.g. a spike); each phase is
 * then also summarised on its own, by intended send time. Returns counts, latency histograms
 * and throughput. Bounded: sends exactly Σ round(rate × duration) requests, then waits at most
 * `drainMs` for the last answers; anything still open then is counted as `unfinished`.
 */
export async function runOpenLoop({ target, agent, sessions, rate, durationMs, phases, drainMs, requestTimeoutMs, text = 'hi', signal, onSendEnd, timeline = false }) {
  const { host, port, channel } = target;
  const path = `/genesys/${encodeURIComponent(channel.id)}/botconnector`;
  // The schedule: phase k sends count_k requests, evenly spaced, from offset_k on.
  const plan = [];
  {
    let firstIndex = 0;
    let offsetMs = 0;
    for (const ph of phases ?? [{ rate, durationMs }]) {
      const count = Math.max(1, Math.round((ph.rate * ph.durationMs) / 1000));
      plan.push({ ...ph, count, firstIndex, offsetMs, periodMs: 1000 / ph.rate, tally: new Tally() });
      firstIndex += count;
      offsetMs += ph.durationMs;
    }
  }
  const total = plan.reduce((a, p) => a + p.count, 0);
  const all = new Tally();
  const lagHist = newHistogram();
  const serviceHist = newHistogram();
  /** Per second of intended send time, when a timeline is asked for. */
  const perSecond = timeline ? [] : undefined;
  const retryAfter = new Map();
  const shedReasons = new Map();
  let inFlight = 0;
  let maxInFlight = 0;
  let completed = 0;
  let firstIntended = 0;
  let lastDone = 0;
  let firstOk = 0;
  let lastOk = 0;
  let sent = 0;

  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const maybeDone = () => {
    if (sent === total && inFlight === 0) resolveDone();
  };

  function send(intended, phase) {
    const s = sessions.take();
    const body = {
      botId: channel.botId,
      botVersion: '1.0',
      botSessionId: s.id,
      messageId: randomUUID(),
      inputMessage: { type: 'Text', text },
      languageCode: 'en-us',
      botSessionTimeout: 4320,
      genesysConversationId: s.conversationId,
      chatBot: { id: channel.botId, name: channel.botName },
    };
    if (s.turns === 0) body.parameters = {};
    s.turns++;
    const payload = JSON.stringify(body);
    const actual = performance.now();
    lagHist.recordValue(Math.max(1, Math.round((actual - intended) * 1000)));
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    let finished = false;
    let newConn = false;
    const finish = (code, text, headers) => {
      if (finished) return;
      finished = true;
      const now = performance.now();
      inFlight--;
      completed++;
      lastDone = now;
      const us = Math.max(1, Math.round((now - intended) * 1000));
      const serviceUs = Math.max(1, Math.round((now - actual) * 1000));
      const ev = { code, us, serviceUs, isHold: false, isShed: false, late: false, newConn };
      if (typeof code === 'number') {
        serviceHist.recordValue(serviceUs);
        ev.isHold = code === 200 && text.includes(channel.holdMessage);
        ev.late = now - intended > channel.deadlineMs;
        // Refused at the door with a retry hint: shed, not lost (Genesys retries a 5xx).
        ev.isShed = code === 503 && headers?.['retry-after'] !== undefined;
        if (ev.isShed) {
          bump(retryAfter, String(headers['retry-after']));
          let reason = '?';
          try {
            reason = JSON.parse(text)?.errorInfo?.errorCode ?? '?';
          } catch {
            /* not JSON */
          }
          bump(shedReasons, reason);
        }
        if (code === 200 && !ev.isHold) {
          if (!firstOk) firstOk = now;
          lastOk = now;
        }
      }
      all.record(ev);
      phase.tally.record(ev);
      if (perSecond) {
        const sec = Math.floor((intended - firstIntended) / 1000);
        (perSecond[sec] ??= new Tally()).record(ev);
      }
      maybeDone();
    };
    const req = http.request(
      {
        host,
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: channel.authorization,
          'inin-correlation-id': randomUUID(),
        },
        timeout: requestTimeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers));
        res.on('error', (e) => finish(`response_${e.code ?? 'error'}`));
      },
    );
    req.on('socket', (sock) => {
      // Only a socket still connecting is new: a request that waited in the agent's queue gets a
      // connected one (and reusedSocket is not set on that path).
      if (req.reusedSocket || !sock.connecting) return;
      newConn = true;
      // A fresh connection: when the server's accept queue overflows, the SYN is dropped and
      // retried after 1, 3, 7 s. That time shows here, before the server has seen the request.
      const t0 = performance.now();
      const slot = perSecond ? (perSecond[Math.floor((intended - firstIntended) / 1000)] ??= new Tally()) : undefined;
      for (const t of [all, phase.tally, slot]) if (t) t.newConnections++;
      sock.once('connect', () => {
        const us = Math.max(1, Math.round((performance.now() - t0) * 1000));
        for (const t of [all, phase.tally, slot]) t?.connectHist.recordValue(us);
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (e) => finish(e.code ?? 'error'));
    req.end(payload);
  }

  const start = performance.now();
  firstIntended = start;
  let i = 0;
  let k = 0;
  const dueOf = (idx) => {
    while (k < plan.length - 1 && idx >= plan[k + 1].firstIndex) k++;
    const p = plan[k];
    return start + p.offsetMs + (idx - p.firstIndex) * p.periodMs;
  };
  await new Promise((resolveSending) => {
    const tick = () => {
      if (signal?.aborted) {
        sent = total; // stop scheduling; in-flight answers still drain below
        return resolveSending();
      }
      const now = performance.now();
      while (i < total) {
        const due = dueOf(i);
        if (due > now) break;
        const phase = plan[k];
        i++;
        sent++;
        phase.tally.sent++;
        all.sent++;
        if (perSecond) (perSecond[Math.floor((due - start) / 1000)] ??= new Tally()).sent++;
        send(due, phase);
      }
      if (i >= total) return resolveSending();
      const wait = dueOf(i) - performance.now();
      setTimeout(tick, Math.max(0, Math.min(wait, 1)));
    };
    tick();
  });
  const sendEnd = performance.now();
  onSendEnd?.();
  maybeDone();
  const timedOut = await Promise.race([done.then(() => false), new Promise((r) => setTimeout(() => r(true), drainMs).unref())]);
  const unfinished = timedOut ? inFlight : 0;
  if (unfinished) all.errors.set('unfinished', unfinished);
  // Completion rate over the span of 200 answers: the offered rate when the system keeps up,
  // the service rate when it falls behind (the backlog stretches the span).
  const s = all.summary();
  const okSpanMs = s.ok > 1 ? lastOk - firstOk : 0;
  return {
    rate: phases ? undefined : rate,
    durationMs: plan.reduce((a, p) => a + p.durationMs, 0),
    offered: total,
    completed,
    ...s,
    errorRate: s.errorCount / Math.max(1, sent),
    shedRate: s.shed / Math.max(1, sent),
    retryAfter: Object.fromEntries(retryAfter),
    shedReasons: Object.fromEntries(shedReasons),
    maxInFlight,
    /** 200 answers (not the hold message) per second, between the first and the last of them. */
    throughput: okSpanMs > 0 ? ((s.ok - 1) * 1000) / okSpanMs : 0,
    sendSpanMs: sendEnd - start,
    /** How late the client sent relative to the schedule (timer granularity, busy event loop). */
    sendLag: summarize(lagHist),
    /** Classic latency, from the actual send (not coordinated-omission corrected), every answer. */
    serviceLatency: summarize(serviceHist),
    lastDoneMs: lastDone - firstIntended,
    phases: phases ? plan.map((p) => ({ label: p.label, rate: p.rate, durationMs: p.durationMs, offered: p.count, ...p.tally.summary() })) : undefined,
    timeline: perSecond ? Array.from(perSecond, (t, sec) => (t ? { sec, ...t.summary() } : { sec, sent: 0 })) : undefined,
  };
}

function summarize(h) {
  if (h.totalCount === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  const ms = (us) => us / 1000;
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}
