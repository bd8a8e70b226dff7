#!/usr/bin/env node
// How long the batch span processor's export holds the event loop: OTLP/protobuf serialisation and
// the request's start run synchronously, once per batch. Paces the worker's 4 spans per turn at
// --rate turns/s (with a turn's worth of JSON garbage each) for --seconds, exporting over HTTP to
// scripts/bench/otlp-sink.mjs in its own process, once per batch size, alternating, and prints
// the synchronous time of each export call and the event-loop delay seen meanwhile.
//   node scripts/bench/export-block.mjs [--batches 512,64] [--rounds 2] [--rate 200] [--seconds 20]
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { workerTurnSpans } from './worker-spans.mjs';

const require = createRequire(import.meta.url);
const api = require('@opentelemetry/api');
const { TracerProvider, BatchSpanProcessor, AlwaysOnSampler, ParentBasedSampler } = require('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');

const { values } = parseArgs({ options: { batches: { type: 'string', default: '512,64' }, rounds: { type: 'string', default: '2' }, rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '20' } } });
const batches = values.batches.split(',').map(Number);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const sink = fork(join(dirname(fileURLToPath(import.meta.url)), 'otlp-sink.mjs'), [], { stdio: 'inherit' });
const { port } = await new Promise((resolve) => sink.once('message', resolve));
api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());

async function measure(batch) {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
  const blocks = [];
  const send = exporter.export.bind(exporter);
  exporter.export = (spans, done) => {
    const t = performance.now();
    send(spans, done);
    blocks.push(performance.now() - t);
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'export-block' }),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: batch })],
  });
  const tracer = provider.getTracer('export-block');
  let garbage = [];
  const turn = (i) => {
    workerTurnSpans(tracer, i, `turn-${i}-${Math.random()}`);
    // What a turn leaves behind besides its spans (parsed and rebuilt JSON), kept for a while.
    garbage.push(JSON.parse(JSON.stringify({ messages: Array.from({ length: 50 }, (_, k) => ({ k, text: `${'x'.repeat(40)}${i}` })) })));
    if (garbage.length > 200) garbage = [];
  };
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const warm = rate * 5;
  let i = 0;
  const start = Date.now();
  await new Promise((done) => {
    const timer = setInterval(() => {
      turn(i++);
      if (i === warm) loop.enable();
      if (Date.now() - start > (seconds + 5) * 1000) {
        clearInterval(timer);
        done();
      }
    }, 1000 / rate);
  });
  loop.disable();
  await provider.shutdown();
  const sorted = blocks.slice(2).sort((a, b) => a - b);
  const q = (p) => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(2);
  console.log(`batch ${String(batch).padStart(4)}: ${blocks.length} exports, synchronous part p50 ${q(0.5)} p90 ${q(0.9)} max ${q(1)} ms; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(2)}, max ${(loop.max / 1e6).toFixed(2)} ms`);
}

for (let r = 0; r < Number(values.rounds); r++) for (const b of batches) await measure(b);
sink.kill('SIGTERM');
