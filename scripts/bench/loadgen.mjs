// Open-loop load generator for the Bot Connector v1 endpoint.
//
// Requests are scheduled at a fixed arrival rate (request i is due at start + i/rate) whatever
// the server does, and latency is measured from that *intended* send time, so a stalled server or
// a late client tick shows up in the figures instead of silently lowering the offered load
// (coordinated-omission correction, wrk2 style). Keep-alive sockets, one request per socket at a
// time (no pipelining). Latencies go into an HDR histogram in microseconds.
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

export function createAgent() {
  // Bounded so a broken server cannot make us open unbounded sockets; far above what any
  // scenario needs (rate × latency). LIFO reuse keeps the hot sockets busy.
  return new http.Agent({ keepAlive: true, keepAliveMsecs: 30000, maxSockets: 4096, maxFreeSockets: 4096, scheduling: 'lifo' });
}

/**
 * Runs one open-loop phase. Target: { host, port, channel: {id, botId, botName, authorization,
 * holdMessage, deadlineMs} }. Returns counts, the latency histogram and throughput.
 * Bounded: sends exactly round(rate × durationMs / 1000) requests, then waits at most
 * `drainMs` for the last answers; anything still open then is counted as `unfinished`.
 */
export async function runOpenLoop({ target, agent, sessions, rate, durationMs, drainMs, requestTimeoutMs, text = 'hi', signal, onSendEnd, timeline = false }) {
  const { host, port, channel } = target;
  const path = `/genesys/${encodeURIComponent(channel.id)}/botconnector`;
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const periodMs = 1000 / rate;
  const hist = newHistogram();
  const okHist = newHistogram();
  const lagHist = newHistogram();
  const serviceHist = newHistogram();
  /** Per second of intended send time: a histogram, when a timeline is asked for. */
  const perSecond = timeline ? [] : undefined;
  const status = new Map();
  const errors = new Map();
  let ok = 0;
  let holds = 0;
  let overDeadline = 0;
  let misses = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let completed = 0;
  let firstIntended = 0;
  let lastDone = 0;
  let firstOk = 0;
  let lastOk = 0;
  let sent = 0;

  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);

  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const maybeDone = () => {
    if (sent === total && inFlight === 0) resolveDone();
  };

  function send(intended) {
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
    const finish = (code, text) => {
      if (finished) return;
      finished = true;
      const now = performance.now();
      inFlight--;
      completed++;
      lastDone = now;
      if (typeof code === 'number') {
        const us = Math.max(1, Math.round((now - intended) * 1000));
        hist.recordValue(us);
        if (perSecond) {
          const sec = Math.floor((intended - firstIntended) / 1000);
          (perSecond[sec] ??= newHistogram()).recordValue(us);
        }
        serviceHist.recordValue(Math.max(1, Math.round((now - actual) * 1000)));
        bump(status, code);
        const isHold = code === 200 && text.includes(channel.holdMessage);
        if (isHold) holds++;
        const late = now - intended > channel.deadlineMs;
        if (late) overDeadline++;
        if (isHold || late) misses++;
        if (code === 200 && !isHold) {
          ok++;
          if (!firstOk) firstOk = now;
          lastOk = now;
          okHist.recordValue(us);
        }
      } else {
        bump(errors, code);
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
        res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (e) => finish(`response_${e.code ?? 'error'}`));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (e) => finish(e.code ?? 'error'));
    req.end(payload);
  }

  const start = performance.now();
  firstIntended = start;
  let i = 0;
  await new Promise((resolveSending) => {
    const tick = () => {
      if (signal?.aborted) {
        sent = total; // stop scheduling; in-flight answers still drain below
        return resolveSending();
      }
      const now = performance.now();
      while (i < total) {
        const due = start + i * periodMs;
        if (due > now) break;
        i++;
        sent++;
        send(due);
      }
      if (i >= total) return resolveSending();
      const wait = start + i * periodMs - performance.now();
      setTimeout(tick, Math.max(0, Math.min(wait, 1)));
    };
    tick();
  });
  const sendEnd = performance.now();
  onSendEnd?.();
  maybeDone();
  const timedOut = await Promise.race([done.then(() => false), new Promise((r) => setTimeout(() => r(true), drainMs).unref())]);
  const unfinished = timedOut ? inFlight : 0;
  if (unfinished) errors.set('unfinished', unfinished);
  // Completion rate over the span of 200 answers: the offered rate when the system keeps up,
  // the service rate when it falls behind (the backlog stretches the span).
  const okSpanMs = ok > 1 ? lastOk - firstOk : 0;
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0) + [...status.entries()].filter(([c]) => c !== 200).reduce((a, [, n]) => a + n, 0);
  return {
    rate,
    durationMs,
    offered: total,
    sent,
    completed,
    ok,
    holds,
    overDeadline,
    deadlineMisses: misses,
    errorCount,
    errorRate: errorCount / Math.max(1, sent),
    status: Object.fromEntries(status),
    errors: Object.fromEntries(errors),
    maxInFlight,
    /** 200 answers (not the hold message) per second, between the first and the last of them. */
    throughput: okSpanMs > 0 ? ((ok - 1) * 1000) / okSpanMs : 0,
    sendSpanMs: sendEnd - start,
    latency: summarize(hist),
    okLatency: summarize(okHist),
    /** How late the client sent relative to the schedule (timer granularity, busy event loop). */
    sendLag: summarize(lagHist),
    /** Classic latency, from the actual send (not coordinated-omission corrected). */
    serviceLatency: summarize(serviceHist),
    lastDoneMs: lastDone - firstIntended,
    timeline: perSecond?.map((h, sec) => ({ sec, ...summarize(h) })),
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
