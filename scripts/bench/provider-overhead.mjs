#!/usr/bin/env node
// Provider overhead: what each bot provider adds to a turn beyond its backend's own latency.
// Every provider runs against its local fake (test/fakes, a real HTTP server on loopback answering
// at once, i.e. a 0 ms backend) through the real BackendClient, in this process, with the same
// sessions pattern (5 turns per session, state carried), and is compared with the `http` provider
// measured in the same run; providers are interleaved round by round so machine noise hits all alike.
//
//   node scripts/bench/provider-overhead.mjs [--turns 2000] [--concurrency 8] [--rounds 3] [--only http,kore]
//
// Needs the built worker (npm run build): providers are loaded from dist/apps/worker/libs/bot-providers.
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    turns: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: '' },
    json: { type: 'boolean', default: false },
  },
});
const TURNS = Number(args.turns);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);

const PROVIDERS_DIST = join(ROOT, 'dist/apps/worker/libs/bot-providers/src/index.js');
if (!existsSync(PROVIDERS_DIST)) {
  console.error('provider-overhead: build first (npm run build)');
  process.exit(2);
}

/** The fakes are TypeScript test code: compiled once into dist/bench-fakes when sources are newer. */
function compileFakes() {
  const src = join(ROOT, 'test/fakes');
  const out = join(ROOT, 'dist/bench-fakes');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  const stamp = join(out, 'fake-backend.js');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return out;
  mkdirSync(out, { recursive: true });
  const files = readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => join(src, f));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--ignoreConfig', '--outDir', out, '--rootDir', src, '--types', 'node', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--strict', '--esModuleInterop', ...files], { stdio: 'inherit' });
  return out;
}

const fakesDir = compileFakes();
const providers = await import(pathToFileURL(PROVIDERS_DIST).href);

/** Starts a fake in its own process; resolves with its fields (origin, keys, config) and a control handle. */
function startFake([file, cls], prepare) {
  const child = fork(join(ROOT, 'scripts/bench/fake-host.mjs'), [join(fakesDir, file), cls, ...(prepare ? [prepare] : [])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (msg, key) =>
    new Promise((resolve, reject) => {
      const on = (m) => {
        if (m && key in m) {
          child.off('message', on);
          resolve(m[key]);
        }
      };
      child.on('message', on);
      child.once('exit', (code) => reject(new Error(`fake ${cls} exited (${code})`)));
      if (msg) child.send(msg);
    });
  return ask(undefined, 'fake').then((fake) => ({
    fake,
    reset: () => ask('reset', 'reset'),
    stats: () => ask('stats', 'stats'),
    close: () => new Promise((r) => (child.once('exit', r), child.send('close'))),
  }));
}

/**
 * Each subject: its provider class, its fake, a config against the fake. `protocolWaitMs` is time
 * the backend's protocol makes every turn wait on purpose (Direct Line's quiet window), reported
 * and subtracted, since it is not the gateway's overhead.
 */
const SUBJECTS = [
  { name: 'http', provider: 'HttpBotProvider', fake: ['canonical-bot.fake.js', 'CanonicalBotFake'], config: (f) => ({ url: `${f.origin}/turn`, headers: { Authorization: `Bearer ${f.apiKey}` } }) },
  { name: 'openai', provider: 'OpenAiBotProvider', fake: ['openai.fake.js', 'OpenAiFake'], config: (f) => ({ baseUrl: `${f.origin}/v1`, apiKey: f.apiKey, model: 'gpt-fake-mini' }) },
  { name: 'rasa', provider: 'RasaBotProvider', fake: ['rasa.fake.js', 'RasaFake'], config: (f) => ({ url: `${f.origin}/webhooks/rest/webhook`, headers: { Authorization: `Bearer ${f.token}` } }) },
  { name: 'kore', provider: 'KoreBotProvider', fake: ['kore.fake.js', 'KoreFake'], prepare: 'fastJwt', config: (f) => ({ webhookUrl: f.webhookUrl, clientId: f.clientId, clientSecret: f.clientSecret }) },
  { name: 'dialogflow-cx', provider: 'DialogflowCxProvider', fake: ['dialogflow-cx.fake.js', 'DialogflowCxFake'], config: (f) => f.config },
  { name: 'lex-v2', provider: 'LexV2Provider', fake: ['lex-v2.fake.js', 'LexV2Fake'], config: (f) => f.config },
  // Direct Line has no end-of-turn marker: a turn ends once the bot has been quiet for quietMs (bot-backends §2).
  // Each of its turns lasts quietMs by design: a tenth of the turns keeps the run short.
  { name: 'directline', provider: 'DirectLineBotProvider', fake: ['directline.fake.js', 'DirectLineFake'], prepare: 'immediate', config: (f) => ({ secret: f.secret, baseUrl: f.origin, quietMs: 300, pollIntervalMs: 100 }), protocolWaitMs: 300, turnsScale: 0.1 },
];

const only = new Set(args.only.split(',').map((s) => s.trim()).filter(Boolean));
const subjects = SUBJECTS.filter((s) => !only.size || only.has(s.name) || s.name === 'http');

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const WARMUP = 200;

async function runOnce(subject, client) {
  const turns = Math.max(100, Math.round(TURNS * (subject.turnsScale ?? 1)));
  const host = await startFake(subject.fake, subject.prepare);
  const provider = new providers[subject.provider](client);
  const config = subject.config(host.fake);
  const latencies = [];
  let failures = 0;
  const sessions = new Map();
  const turn = (i) => {
    const sessionNo = Math.floor(i / 5);
    const s = sessions.get(sessionNo) ?? { id: `bench-${subject.name}-${process.pid}-${Date.now()}-${sessionNo}`, state: {}, index: 0 };
    sessions.set(sessionNo, s);
    return {
      s,
      turn: {
        turnId: `${s.id}:${s.index}`,
        channelId: 'bench',
        bot: { id: 'bot1', name: 'Bench Bot', version: '1.0' },
        session: { id: s.id, genesysConversationId: `conv-${s.id}`, turnIndex: s.index, state: s.state, parameters: {} },
        language: 'en-us',
        input: { kind: 'text', text: subject.text ?? 'hello', attachments: [] },
        seq: s.index + 1,
      },
    };
  };
  const phase = async (from, count, record) => {
    let next = from;
    const end = from + count;
    const worker = async () => {
      for (let i = next++; i < end; i = next++) {
        const { s, turn: t } = turn(i);
        const started = process.hrtime.bigint();
        try {
          const result = await provider.handleTurn(t, { signal: AbortSignal.timeout(10000), timeoutMs: 10000, config });
          if (result.state) s.state = result.state;
          s.index++;
          if (record) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        } catch (e) {
          failures++;
          if (failures <= 3) console.error(`${subject.name}: ${e.message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await phase(0, WARMUP, false);
  await host.reset();
  await phase(WARMUP, turns, true);
  const stats = await host.stats();
  await host.close();
  // The fake's own work per turn (verifying a JWT or a SigV4 signature, building an answer) is the
  // backend's latency, not the provider's: it is reported and subtracted like a protocol wait.
  return { latencies, failures, requests: stats.requests, turns, backendMs: stats.handledMs / turns };
}

const client = new providers.BackendClient({ allowPrivateNetworks: true });
const samples = Object.fromEntries(subjects.map((s) => [s.name, { latencies: [], failures: 0, requests: 0, turns: 0, backendMs: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? subjects : [...subjects].reverse();
  for (const s of order) {
    const r = await runOnce(s, client);
    samples[s.name].latencies.push(...r.latencies);
    samples[s.name].failures += r.failures;
    samples[s.name].requests += r.requests;
    samples[s.name].turns += r.turns;
    samples[s.name].backendMs.push(r.backendMs);
  }
}
client.close();

const rows = subjects.map((s) => {
  const sorted = samples[s.name].latencies.sort((a, b) => a - b);
  const backendMs = samples[s.name].backendMs.reduce((a, b) => a + b, 0) / ROUNDS;
  const wait = (s.protocolWaitMs ?? 0) + backendMs;
  return { name: s.name, n: sorted.length, failures: samples[s.name].failures, requestsPerTurn: samples[s.name].requests / samples[s.name].turns, backendMs, rawP50: pct(sorted, 50), rawP99: pct(sorted, 99), p50: pct(sorted, 50) - wait, p99: pct(sorted, 99) - wait, protocolWaitMs: s.protocolWaitMs ?? 0 };
});
const base = rows.find((r) => r.name === 'http');
const f2 = (n) => n.toFixed(2);
console.log(`\nProvider overhead vs http (0 ms fakes on loopback, ${TURNS} turns × ${ROUNDS} rounds per provider (directline a tenth: its turns last quietMs), concurrency ${CONCURRENCY}, 5 turns per session; target ≤ +1 ms p50, ≤ +5 ms p99)`);
console.log('Columns: turn latency as the worker sees it (raw), minus the fake backend\'s own work per turn and any wait the protocol imposes = the provider\'s overhead, compared with http.');
console.log('| provider | turns | failures | backend requests/turn | raw p50 / p99 ms | fake backend ms/turn | overhead p50 ms | overhead p99 ms | p50 vs http | p99 vs http |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const note = r.protocolWaitMs ? ` (after subtracting the protocol's ${r.protocolWaitMs} ms wait)` : '';
  console.log(`| ${r.name}${note} | ${r.n} | ${r.failures} | ${r.requestsPerTurn.toFixed(2)} | ${f2(r.rawP50)} / ${f2(r.rawP99)} | ${f2(r.backendMs)} | ${f2(r.p50)} | ${f2(r.p99)} | ${r.name === 'http' ? '—' : `${r.p50 - base.p50 >= 0 ? '+' : ''}${f2(r.p50 - base.p50)}`} | ${r.name === 'http' ? '—' : `${r.p99 - base.p99 >= 0 ? '+' : ''}${f2(r.p99 - base.p99)}`} |`);
}
if (args.json) console.log(JSON.stringify(rows));
