#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `npm run bench -- --cpu-prof`): self time by function and
// by package/area, so a bottleneck shows without opening DevTools.
//   node scripts/bench/profile-summary.mjs <file-or-dir> [--top 25] [--under opentelemetry,fastify/otel]
// --under: also the inclusive time of each pattern, i.e. samples with a frame whose script URL
// contains it anywhere on the stack (what a package costs with the Node internals it calls).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, under: { type: 'string', default: '' } } });
const under = values.under.split(',').filter(Boolean);
const top = Number(values.top);
const files = positionals.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f)) : [p]));
if (!files.length) {
  console.error('usage: profile-summary.mjs <file.cpuprofile | dir> [--top N]');
  process.exit(2);
}

function area(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const d = url.indexOf('/dist/');
  if (d >= 0) return `app:${url.slice(d + 6).replace(/^apps\/(ingress|worker)\//, '').split('/').slice(0, 4).join('/')}`;
  return url;
}

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'}  ${cf.url ? cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/') : ''}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = area(cf.url, cf.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map(under.map((u) => [u, 0]));
  for (const [id, us] of self) {
    const hit = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at).callFrame.url;
      for (const u of under) if (url && url.includes(u)) hit.add(u);
    }
    for (const u of hit) inclusive.set(u, inclusive.get(u) + us);
  }
  const idle = (areas.get('(idle)') ?? 0) / totalUs;
  console.log(`\n== ${file}\n   ${(totalUs / 1e6).toFixed(1)} s sampled, idle ${(idle * 100).toFixed(0)}%`);
  const pct = (us) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
  for (const [u, us] of inclusive) console.log(`   ${pct(us)}  under ${u} (inclusive)`);
  console.log('   by area (self time):');
  for (const [k, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`   ${pct(us)}  ${k}`);
  console.log('   by function (self time):');
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`   ${pct(us)}  ${k}`);
}
