#!/usr/bin/env node
// CPU cost of the worker's spans per turn, OpenTelemetry SDK alone: 4 spans per turn (turn,
// bot.call, render, turn.complete) with the attributes the worker sets, through the batch span
// processor. Modes, alternated in one run so they share the machine's state:
//   spans      spans created and ended, the exporter drops them (the baseline)
//   serialize  + OTLP/protobuf serialisation, nothing sent
//   export     + OTLP/HTTP protobuf to scripts/bench/otlp-sink.mjs in its own process
//   node scripts/bench/span-cost.mjs [--turns 20000] [--rounds 3]
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { workerTurnSpans } from './worker-spans.mjs';

const require = createRequire(import.meta.url);
const api = require('@opentelemetry/api');
const { TracerProvider, BatchSpanProcessor, AlwaysOnSampler, ParentBasedSampler } = require('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');

const { values } = parseArgs({ options: { turns: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const turns = Number(values.turns);
const rounds = Number(values.rounds);

const sink = fork(join(dirname(fileURLToPath(import.meta.url)), 'otlp-sink.mjs'), [], { stdio: 'inherit' });
const { port } = await new Promise((resolve) => sink.once('message', resolve));
api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const exporters = {
  spans: () => ({ export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined }),
  serialize: () => ({
    export: (spans, done) => {
      ProtobufTraceSerializer.serializeRequest(spans);
      done({ code: 0 });
    },
    shutdown: async () => undefined,
  }),
  export: () => new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }),
};

async function measure(mode) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'span-cost' }),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new BatchSpanProcessor({ exporter: exporters[mode]() })],
  });
  const tracer = provider.getTracer('span-cost');
  const turn = (i) => workerTurnSpans(tracer, i);
  for (let i = 0; i < 2000; i++) turn(i); // warm-up
  await provider.forceFlush();
  const before = process.cpuUsage();
  // In slices, as a worker's turns arrive, so batches are exported between them.
  for (let i = 0; i < turns; i += 100) {
    for (let j = i; j < i + 100; j++) turn(j);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await provider.forceFlush();
  const used = process.cpuUsage(before);
  await provider.shutdown();
  return (used.user + used.system) / turns;
}

const results = { spans: [], serialize: [], export: [] };
for (let r = 0; r < rounds; r++) for (const mode of Object.keys(results)) results[mode].push(await measure(mode));
sink.kill('SIGTERM');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.spans);
console.log(`CPU per turn (4 spans), median of ${rounds} alternating rounds of ${turns} turns; the receiver runs in its own process`);
for (const [mode, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`  ${mode.padEnd(10)} ${m.toFixed(1).padStart(6)} µs   (+${(m - base).toFixed(1)} over spans)   runs: ${xs.map((x) => x.toFixed(1)).join(', ')}`);
}
