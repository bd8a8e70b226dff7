#!/usr/bin/env node
// The cost of PII redaction per turn (issue 13 asks ≤ +0.2 ms p50), measured on the built code:
//
//   npx nest build worker && node scripts/bench/redaction.mjs [--turns 20000]
//
// Each turn's transcript entry (the customer's text, the bot's replies) goes through
// redactTranscript under the default policy, against the same call under a policy with
// redaction off (the copy without the scanning) in the same run, interleaved so both see the
// same machine. Half the texts carry a card, an email, a phone number or an IBAN. It also times
// the log hook (redactLogArgs) on a typical line. Prints µs per turn (p50, p99, mean).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const libs = join(root, 'dist/apps/worker/libs');
const privacyPath = join(libs, 'privacy/src/index.js');
const transcriptPath = join(libs, 'store/src/sessions/transcript-redaction.js');
if (!existsSync(privacyPath) || !existsSync(transcriptPath)) {
  console.error('Build the worker first: npx nest build worker');
  process.exit(1);
}
const { redactorFor, redactLogArgs } = await import(pathToFileURL(privacyPath).href);
const { redactTranscript } = await import(pathToFileURL(transcriptPath).href);

const { values } = parseArgs({ options: { turns: { type: 'string', default: '20000' } } });
const TURNS = Number(values.turns);

const plain = [
  'hi',
  'I would like to know where my order is',
  'Can I change the delivery address for order 10423?',
  'what are your opening hours on Saturday',
  'The parcel arrived damaged, the box was open and one item is missing.',
  'agent',
];
const withPii = [
  'my card is 4111 1111 1111 1111, can you refund it?',
  'please write to jane.doe@example.com',
  'call me back on +44 20 7946 0958 after 5pm',
  'my IBAN is DE89 3704 0044 0532 0130 00',
  'the number is (555) 123-4567 and my email is j.smith@mail.example.org',
  'Order 4567 for 06 12 34 56 78, delivered 15.01.2024',
];
const reply = (text) => [
  { type: 'Text', text: `Thanks! You said: ${text}` },
  { type: 'Structured', text: 'Anything else?', content: [{ contentType: 'QuickReply', quickReply: { text: 'Track my order', payload: 'track' } }, { contentType: 'QuickReply', quickReply: { text: 'Talk to an agent', payload: 'agent' } }] },
];
const entry = (i) => {
  const text = (i % 2 ? withPii : plain)[i % 6];
  return {
    turnId: `t-${i}`,
    seq: i,
    at: new Date().toISOString(),
    channelId: 'bench',
    botSessionId: '5b6f1c2e-8d7a-4c3b-9e0f-1a2b3c4d5e6f',
    language: 'en-us',
    input: { kind: 'text', text, attachments: 0 },
    replies: reply(text),
    botState: 'MoreData',
    outcome: 'reply',
    degradations: [],
    deliveredLate: 0,
    late: false,
    timings: { queueWaitMs: 1, botMs: 20, renderMs: 0, totalMs: 25 },
  };
};

const on = redactorFor(undefined);
const off = redactorFor({ redact: false, patterns: [], leaveAlone: [] });
const entries = Array.from({ length: TURNS }, (_, i) => entry(i));
const logLine = [{ channelId: 'bench', botSessionId: '5b6f1c2e-8d7a-4c3b-9e0f-1a2b3c4d5e6f', turnId: 't-1', outcome: 'reply', ms: 25, error: 'the bot answered HTTP 503' }, 'turn done'];

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1000;
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)], p99: s[Math.floor(s.length * 0.99)], mean: s.reduce((a, b) => a + b, 0) / s.length };
};

// Warm up both paths (JIT) before measuring.
for (let i = 0; i < 2000; i++) {
  redactTranscript(on, entries[i % TURNS]);
  redactTranscript(off, entries[i % TURNS]);
  redactLogArgs(logLine);
}
const red = [], base = [], logs = [], logBase = [];
let sink = 0;
for (let i = 0; i < TURNS; i++) {
  base.push(time(() => (sink += redactTranscript(off, entries[i]).seq)));
  red.push(time(() => (sink += redactTranscript(on, entries[i]).seq)));
  logBase.push(time(() => (sink += logLine.slice().length)));
  logs.push(time(() => (sink += redactLogArgs(logLine).length)));
}
const fmt = ({ p50, p99, mean }) => `p50 ${p50.toFixed(2)} µs, p99 ${p99.toFixed(2)} µs, mean ${mean.toFixed(2)} µs`;
const r = stats(red), b = stats(base);
console.log(`turns: ${TURNS} (half with PII), node ${process.version}`);
console.log(`transcript entry, redaction off (baseline): ${fmt(b)}`);
console.log(`transcript entry, redaction on:             ${fmt(r)}`);
console.log(`added per turn: p50 ${(r.p50 - b.p50).toFixed(2)} µs, mean ${(r.mean - b.mean).toFixed(2)} µs (budget 200 µs p50)`);
console.log(`log line hook: ${fmt(stats(logs))} (no-op ${fmt(stats(logBase))})`);
if (sink === -1) console.log(sink);
