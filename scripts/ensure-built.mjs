#!/usr/bin/env node
// `npm run start:ingress` / `start:worker` run the built code. A full `npm run build` before every
// start cost about a minute, so this builds only what is missing or older than its sources, and
// does nothing (in well under a second) when the build is fresh. Freshness is by modification time:
// the newest file or folder among an output's sources against the output itself. Folders count so a
// deleted or renamed source also makes the build stale; specs do not, they are not compiled in.
//   node scripts/ensure-built.mjs ingress|worker
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const settings = ['tsconfig.json', 'nest-cli.json', 'package-lock.json'];

/** What each start needs built: the output file whose age stands for the whole build, its sources, the command. */
const outputs = {
  ingress: [
    { out: 'dist/apps/ingress/apps/ingress/src/main.js', sources: ['apps/ingress', 'libs', ...settings], build: ['nest', 'build', 'ingress'] },
    // The console the ingress serves at /console.
    { out: 'dist/console/index.html', sources: ['apps/console/src', 'apps/console/index.html', 'apps/console/vite.config.ts', 'package-lock.json'], build: ['vite', 'build', '--config', 'apps/console/vite.config.ts', '--logLevel', 'warn'] },
  ],
  worker: [{ out: 'dist/apps/worker/apps/worker/src/main.js', sources: ['apps/worker', 'libs', ...settings], build: ['nest', 'build', 'worker'] }],
};

const isSpec = (name) => /\.(spec|test)\.tsx?$/.test(name);

/** Newest modification time under `path` (a file or a folder, recursively); 0 when it does not exist. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || (entry.isFile() && isSpec(entry.name))) continue;
    max = Math.max(max, newest(join(path, entry.name)));
  }
  return max;
}

const app = process.argv[2];
if (!outputs[app]) {
  console.error(`usage: node scripts/ensure-built.mjs ${Object.keys(outputs).join('|')}`);
  process.exit(2);
}
for (const { out, sources, build } of outputs[app]) {
  const builtAt = newest(join(root, out));
  const changedAt = Math.max(...sources.map((s) => newest(join(root, s))));
  if (builtAt > changedAt) continue;
  console.log(`${builtAt ? `${out} is older than its sources` : `${out} is not built yet`}: ${build.join(' ')}`);
  // npm puts node_modules/.bin on PATH for the scripts that call this.
  const r = spawnSync(build[0], build.slice(1), { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.error) console.error(`could not run ${build[0]}: ${r.error.message} (run this through npm, which puts node_modules/.bin on PATH)`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
