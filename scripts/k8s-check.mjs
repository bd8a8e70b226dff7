#!/usr/bin/env node
// Offline check of the Kubernetes manifests (issue 12): renders deploy/kubernetes/base and every
// deploy/kubernetes/overlays/<name> with `kubectl kustomize`, validates each object against the
// Kubernetes, KEDA and Prometheus-operator models (kubernetes-models), then checks what a schema
// cannot know: that the manifests agree with the code (ports, env var names, grace periods, the
// KEDA list names built by the code's own key builder) and with themselves (selectors).
//
//   node scripts/k8s-check.mjs            every overlay and the base
//   node scripts/k8s-check.mjs <dir>...   only these kustomize directories
//
// Every problem is printed as `FAIL <dir> [rule] <object>: <what>`; the exit code is 1 if any.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const K8S = join(ROOT, 'deploy/kubernetes');


/**
 * What each process serves, from its code: the port its probes must hit (an env var of its config
 * class, whose default applies when the manifest does not set it) and its health paths
 * (apps/ingress/src/health, apps/worker/src/ops/ops-server.ts).
 */
const APPS = {
  ingress: { entry: 'dist/apps/ingress/apps/ingress/src/main.js', configClass: 'IngressConfig', probePortEnv: 'PORT' },
  worker: { entry: 'dist/apps/worker/apps/worker/src/main.js', configClass: 'WorkerConfig', probePortEnv: 'METRICS_PORT' },
};
const PROBE_PATHS = { livenessProbe: '/health/live', readinessProbe: '/health/ready', startupProbe: '/health/live' };
/** The process exits at the latest this long after SHUTDOWN_GRACE_MS (its hard exit timer, main.ts). */
const HARD_EXIT_AFTER_GRACE_S = 3;
/** What the kubelet needs beyond preStop, whatever the app's grace (issue 12). */
const MIN_GRACE_AFTER_PRESTOP_S = 15;
/** KEDA target per worker = this share of WORKER_CONCURRENCY (headroom while new pods start). */
const KEDA_TARGET_UTILIZATION = 0.8;
/** The BullMQ lists that hold the turns queue's work: drains running and drains waiting. */
const KEDA_LISTS = ['active', 'wait'];
/** The alerting rules' source; a rendered PrometheusRule must carry exactly its groups. */
const ALERT_RULES = 'deploy/observability/prometheus-rules.yaml';

// ---- facts from the code -----------------------------------------------------------------------

function sourceFile(path) {
  return ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** A numeric initializer (`10000`, `256 * 1024`, `24 * 3600`), or undefined for anything else. */
function numberOf(node) {
  if (!node) return undefined;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isParenthesizedExpression(node)) return numberOf(node.expression);
  if (ts.isBinaryExpression(node)) {
    const [a, b] = [numberOf(node.left), numberOf(node.right)];
    if (a === undefined || b === undefined) return undefined;
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.AsteriskToken: return a * b;
      case ts.SyntaxKind.PlusToken: return a + b;
      case ts.SyntaxKind.MinusToken: return a - b;
      default: return undefined;
    }
  }
  return undefined;
}

/** The config classes (libs/config/src/gateway.config.ts): env var names and defaults per process. */
function readConfigClasses() {
  const sf = sourceFile('libs/config/src/gateway.config.ts');
  const classes = new Map();
  for (const st of sf.statements) {
    if (!ts.isClassDeclaration(st) || !st.name) continue;
    const base = st.heritageClauses?.flatMap((h) => h.types.map((t) => t.expression.getText(sf)))[0];
    const props = new Map();
    for (const m of st.members) {
      if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name) || !/^[A-Z][A-Z0-9_]*$/.test(m.name.text)) continue;
      const init = m.initializer;
      props.set(m.name.text, init && ts.isStringLiteral(init) ? init.text : numberOf(init));
    }
    classes.set(st.name.text, { base, props });
  }
  const envOf = (name) => {
    const c = classes.get(name);
    if (!c) throw new Error(`config class ${name} not found in libs/config/src/gateway.config.ts`);
    return new Map([...(c.base ? envOf(c.base) : []), ...c.props]);
  };
  return Object.fromEntries(Object.entries(APPS).map(([app, a]) => [app, envOf(a.configClass)]));
}

/** `export const NAME = '...'` of a source file. */
function stringConst(path, name) {
  const sf = sourceFile(path);
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && ts.isStringLiteral(d.initializer)) return d.initializer.text;
    }
  }
  throw new Error(`${name} not found in ${path}`);
}

/**
 * The code's own key builder: RedisKeys (libs/store) compiled on the fly, the turns queue's name,
 * and BullMQ's key naming. No build needed, and no copy of either to drift.
 */
async function keyBuilder() {
  const src = readFileSync(join(ROOT, 'libs/store/src/redis-keys.ts'), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
  const { RedisKeys } = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
  const turnsQueue = stringConst('libs/queue/src/turns.queue.ts', 'TURNS_QUEUE');
  const { QueueKeys } = await import('bullmq');
  return (prefix, list) => new QueueKeys(new RedisKeys(prefix).bullPrefix).toKey(turnsQueue, list);
}

/** The groups of the plain rules file, as parsed data (comments and layout do not matter). */
function alertRuleGroups() {
  return parseAllDocuments(readFileSync(join(ROOT, ALERT_RULES), 'utf8'))[0]?.toJS()?.groups;
}

/** Objects compared as data: key order does not matter, everything else does. */
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

/** The image's USER (Dockerfile, runtime stage: the last USER line). */
function imageUser() {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n').filter((l) => /^USER\s/.test(l));
  return lines.at(-1)?.replace(/^USER\s+/, '').trim();
}

// ---- rendering and schemas ---------------------------------------------------------------------

function render(dir) {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`kubectl not runnable: ${r.error.message}`);
  if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
  return { objects: docs };
}

const modelCache = new Map();
async function modelFor(apiVersion, kind) {
  const id = `${apiVersion}/${kind}`;
  if (modelCache.has(id)) return modelCache.get(id);
  // "v1" or "group/version": the packages lay their models out the same way.
  const candidates = [`kubernetes-models/${apiVersion}/${kind}`, `@kubernetes-models/keda/${apiVersion}/${kind}`, `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`];
  let found;
  for (const c of candidates) {
    try {
      const m = await import(c);
      found = m[kind] ?? m.default;
      if (found) break;
    } catch {
      // not in this package
    }
  }
  modelCache.set(id, found);
  return found;
}

// ---- helpers over rendered objects -------------------------------------------------------------

const nameOf = (o) => `${o.kind}/${o.metadata?.name}`;
const matches = (selector, labels) => !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const selectorLabels = (sel) => {
  if (!sel) return undefined;
  if (sel.matchExpressions?.length) return undefined; // not used here; treated as unknown
  return sel.matchLabels ?? {};
};

function appOf(container) {
  const cmd = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  return Object.entries(APPS).find(([, a]) => cmd.includes(a.entry))?.[0];
}

/** The container's env as the process sees it: envFrom ConfigMaps, then env entries (which win). */
function envOf(container, configMaps) {
  const env = new Map();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = configMaps.get(from.configMapRef.name);
      for (const [k, v] of Object.entries(cm?.data ?? {})) env.set(`${from.prefix ?? ''}${k}`, { value: v, source: `ConfigMap/${from.configMapRef.name}` });
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) {
      const cm = configMaps.get(e.valueFrom.configMapKeyRef.name);
      env.set(e.name, { value: cm?.data?.[e.valueFrom.configMapKeyRef.key], source: `ConfigMap/${e.valueFrom.configMapKeyRef.name}` });
    } else if (e.valueFrom?.secretKeyRef) {
      env.set(e.name, { secret: e.valueFrom.secretKeyRef, source: `Secret/${e.valueFrom.secretKeyRef.name}` });
    } else {
      env.set(e.name, { value: e.value, source: 'env', fieldRef: !!e.valueFrom });
    }
  }
  return env;
}

/** Read by Node itself, not by a config class. */
const NODE_RUNTIME_ENV = new Set(['NODE_OPTIONS']);
/** The rest of a Node process's memory (buffers, code, sockets) lives outside the V8 heap. */
const MAX_HEAP_SHARE_OF_LIMIT = 0.8;

/** A Kubernetes memory quantity in bytes (undefined when absent). */
function bytesOf(q) {
  if (q === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  if (!m) return undefined;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]] ?? 1;
  return Number(m[1]) * unit;
}

function preStopSeconds(container) {
  const ps = container.lifecycle?.preStop;
  if (!ps) return 0;
  if (ps.sleep?.seconds !== undefined) return Number(ps.sleep.seconds);
  const cmd = ps.exec?.command?.join(' ') ?? '';
  const m = /(?:^|\s|;|&&)sleep\s+(\d+(?:\.\d+)?)/.exec(cmd);
  return m ? Math.ceil(Number(m[1])) : 0;
}

function portNumber(port, container) {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(String(port))) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

// ---- the checks --------------------------------------------------------------------------------

async function checkObjects(objects, facts, fail) {
  // Schemas.
  for (const o of objects) {
    const Model = await modelFor(o.apiVersion, o.kind);
    if (!Model) {
      fail('schema', nameOf(o), `no model for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      fail('schema', nameOf(o), e.message);
    }
  }

  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const services = objects.filter((o) => o.kind === 'Service');
  const podsOf = (sel) => deployments.filter((d) => matches(sel, d.spec.template.metadata?.labels));

  const imageUid = /^(\d+)(?::(\d+))?$/.exec(facts.imageUser ?? '');
  if (!imageUid) fail('security', 'Dockerfile', `USER must be numeric (uid:gid), e.g. 1000:1000, so the kubelet can verify runAsNonRoot; it is "${facts.imageUser}"`);

  for (const d of deployments) {
    const spec = d.spec;
    const pod = spec.template.spec;
    const id = nameOf(d);
    if (!matches(selectorLabels(spec.selector), spec.template.metadata?.labels)) fail('selector', id, 'spec.selector does not match the pod template labels');

    const tmp = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
    for (const c of pod.containers) {
      const cid = `${id} container ${c.name}`;
      const app = appOf(c);
      if (!app) {
        fail('app', cid, `runs neither ${Object.values(APPS).map((a) => a.entry).join(' nor ')}`);
        continue;
      }
      const known = facts.config[app];
      const env = envOf(c, configMaps);
      const valueOf = (name) => (env.get(name)?.value !== undefined ? env.get(name).value : known.get(name));

      // Security context: non-root with a numeric uid, read-only root with /tmp on an emptyDir, no capabilities.
      const sc = { ...pod.securityContext, ...c.securityContext };
      if (sc.runAsNonRoot !== true) fail('security', cid, 'runAsNonRoot must be true');
      if (!Number.isInteger(sc.runAsUser) || sc.runAsUser <= 0) fail('security', cid, 'runAsUser must be a numeric non-root uid');
      else if (imageUid && Number(imageUid[1]) !== sc.runAsUser) fail('security', cid, `runAsUser ${sc.runAsUser} differs from the image's USER ${facts.imageUser}`);
      if (c.securityContext?.readOnlyRootFilesystem !== true) fail('security', cid, 'readOnlyRootFilesystem must be true');
      if (c.securityContext?.allowPrivilegeEscalation !== false) fail('security', cid, 'allowPrivilegeEscalation must be false');
      if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) fail('security', cid, 'capabilities.drop must include ALL');
      if (!(c.volumeMounts ?? []).some((m) => m.mountPath === '/tmp' && tmp.has(m.name))) fail('security', cid, 'needs an emptyDir mounted at /tmp (the root filesystem is read-only)');

      // Probes: all three, on the port the process listens on, at its real paths.
      const wantPort = Number(valueOf(APPS[app].probePortEnv));
      for (const [probe, path] of Object.entries(PROBE_PATHS)) {
        const p = c[probe];
        if (!p) {
          fail('probe', cid, `${probe} is missing`);
          continue;
        }
        if (!p.httpGet) {
          fail('probe', cid, `${probe} must be an httpGet on ${path}`);
          continue;
        }
        const port = portNumber(p.httpGet.port, c);
        if (port !== wantPort) fail('probe-port', cid, `${probe} port ${p.httpGet.port} (${port}) is not the ${app}'s ${APPS[app].probePortEnv} (${wantPort})`);
        if (p.httpGet.path !== path) fail('probe-path', cid, `${probe} path ${p.httpGet.path} must be ${path}`);
      }

      // Grace: the kubelet waits for preStop, then the process's own shutdown.
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      const preStop = preStopSeconds(c);
      const shutdownS = Math.ceil(Number(valueOf('SHUTDOWN_GRACE_MS')) / 1000);
      const need = preStop + Math.max(MIN_GRACE_AFTER_PRESTOP_S, shutdownS + HARD_EXIT_AFTER_GRACE_S);
      if (grace < need) {
        fail('grace', cid, `terminationGracePeriodSeconds ${grace} < ${need}: preStop ${preStop} s + max(${MIN_GRACE_AFTER_PRESTOP_S} s, SHUTDOWN_GRACE_MS ${shutdownS} s + ${HARD_EXIT_AFTER_GRACE_S} s hard exit); a rolling update would kill turns in flight`);
      }
      if (app === 'ingress' && preStop === 0) fail('grace', cid, 'the ingress needs a preStop sleep, so its endpoint leaves the Service before SIGTERM');

      // Heap: V8 sizes its heap from the node's memory, not the container's limit. Without a
      // smaller --max-old-space-size the kernel kills the pod before the heap ever fills, so the
      // ingress's heap shedding (SHED_HEAP_USED_PERCENT) never acts and the worker never collects
      // in time.
      const memLimit = bytesOf(c.resources?.limits?.memory);
      const heapMb = /--max-old-space-size[= ](\d+)/.exec(env.get('NODE_OPTIONS')?.value ?? '')?.[1];
      if (memLimit && !heapMb) fail('heap', cid, `memory limit ${c.resources.limits.memory} but no NODE_OPTIONS --max-old-space-size below it: V8 would size its heap from the node's memory and the pod be OOM-killed before the heap limit or heap shedding act`);
      else if (memLimit && Number(heapMb) * 2 ** 20 > memLimit * MAX_HEAP_SHARE_OF_LIMIT) fail('heap', cid, `--max-old-space-size=${heapMb} is over ${MAX_HEAP_SHARE_OF_LIMIT * 100}% of the memory limit ${c.resources.limits.memory}: buffers, code and sockets live outside the heap`);

      // Env: every name is read by this process's config class (or by Node itself).
      for (const [name, e] of env) {
        if (known.has(name) || NODE_RUNTIME_ENV.has(name)) continue;
        fail('env', cid, `${name} (from ${e.source}) is not a setting of ${APPS[app].configClass} (libs/config/src/gateway.config.ts)`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref && !ref.optional && configMaps.get(ref.name)?.data?.[ref.key] === undefined) fail('env', cid, `${e.name} refers to ConfigMap ${ref.name} key ${ref.key}, which is not rendered`);
      }
      if (valueOf('NODE_ENV') === 'production') {
        const secrets = app === 'ingress' ? ['SECRETS_KEY', 'ADMIN_TOKEN'] : ['SECRETS_KEY'];
        for (const s of secrets) {
          if (!env.get(s)?.secret) fail('secret', cid, `${s} must come from a Secret (secretKeyRef): production needs it, and a literal or ConfigMap value is readable by anyone who can read the Deployment`);
        }
      }
    }
  }

  // Services: select one Deployment's pods, and their target ports exist there.
  for (const s of services) {
    const pods = podsOf(s.spec.selector);
    if (pods.length === 0) fail('selector', nameOf(s), 'selects no Deployment\'s pods');
    for (const p of s.spec.ports ?? []) {
      for (const d of pods) {
        const t = p.targetPort ?? p.port;
        if (!d.spec.template.spec.containers.some((c) => portNumber(t, c) !== undefined && (typeof t !== 'number' || (c.ports ?? []).some((cp) => cp.containerPort === t)))) {
          fail('selector', nameOf(s), `targetPort ${t} is not a port of ${nameOf(d)}`);
        }
      }
    }
  }

  // PodDisruptionBudgets: exactly one Deployment each, and every Deployment has one.
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const p of pdbs) {
    const n = podsOf(selectorLabels(p.spec.selector)).length;
    if (n !== 1) fail('selector', nameOf(p), `selects ${n} Deployments' pods; it must select exactly one`);
  }
  for (const d of deployments) {
    if (!pdbs.some((p) => matches(selectorLabels(p.spec.selector), d.spec.template.metadata?.labels))) fail('pdb', nameOf(d), 'has no PodDisruptionBudget');
  }

  // NetworkPolicies: select pods, and name ports those pods have.
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const pods = podsOf(selectorLabels(np.spec.podSelector));
    if (pods.length === 0) fail('selector', nameOf(np), 'podSelector selects no Deployment\'s pods');
    for (const rule of np.spec.ingress ?? []) {
      for (const p of rule.ports ?? []) {
        if (typeof p.port !== 'string') continue;
        for (const d of pods) {
          if (!d.spec.template.spec.containers.some((c) => portNumber(p.port, c) !== undefined)) fail('selector', nameOf(np), `port ${p.port} is not a port of ${nameOf(d)}`);
        }
      }
    }
  }

  // ServiceMonitors: select Services that have the endpoint ports.
  for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const svcs = services.filter((s) => matches(selectorLabels(sm.spec.selector), s.metadata?.labels));
    if (svcs.length === 0) fail('selector', nameOf(sm), 'selects no Service');
    for (const ep of sm.spec.endpoints ?? []) {
      for (const s of svcs) {
        if (ep.port && !(s.spec.ports ?? []).some((p) => p.name === ep.port)) fail('selector', nameOf(sm), `${nameOf(s)} has no port named ${ep.port}`);
      }
    }
  }

  // PrometheusRules: the plain rules file's groups, unchanged (one source for the alerts).
  for (const pr of objects.filter((o) => o.kind === 'PrometheusRule')) {
    if (JSON.stringify(canonical(pr.spec?.groups)) !== JSON.stringify(canonical(facts.alertRules))) {
      fail('alert-rules', nameOf(pr), `spec.groups differ from ${ALERT_RULES} (the source): copy its groups into the component`);
    }
  }

  // KEDA.
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  for (const so of objects.filter((o) => o.kind === 'ScaledObject')) checkScaledObject(so, { deployments, hpas, configMaps, facts, fail });
}

function checkScaledObject(so, { deployments, hpas, configMaps, facts, fail }) {
  const id = nameOf(so);
  const spec = so.spec;
  const ref = spec.scaleTargetRef;
  if ((ref.kind ?? 'Deployment') !== 'Deployment') return fail('keda', id, `scales a ${ref.kind}; only Deployments are checked`);
  const d = deployments.find((x) => x.metadata.name === ref.name);
  if (!d) return fail('keda', id, `scaleTargetRef ${ref.name} is not a rendered Deployment`);
  if (d.spec.replicas !== undefined) fail('keda-owner', id, `${nameOf(d)} sets replicas (${d.spec.replicas}): the ScaledObject owns its count, the field would fight it`);
  for (const h of hpas) {
    if (h.spec.scaleTargetRef?.name === ref.name) fail('keda-owner', id, `${nameOf(h)} also scales ${ref.name}: never an HPA and a ScaledObject on one Deployment`);
  }
  if (!(spec.minReplicaCount >= 1)) fail('keda', id, `minReplicaCount ${spec.minReplicaCount ?? 0} must be at least 1: a cold start cannot answer within the 5 s deadline`);
  if (spec.idleReplicaCount !== undefined) fail('keda', id, 'idleReplicaCount would scale to zero');
  if (!spec.fallback) fail('keda', id, 'needs a fallback (replicas when Redis cannot be read)');
  else {
    if (!(spec.fallback.replicas >= (spec.minReplicaCount ?? 1))) fail('keda', id, 'fallback.replicas must be at least minReplicaCount');
    // The KEDA model (0.4.x) predates fallback.behavior: checked here.
    const b = spec.fallback.behavior;
    if (b !== undefined && !['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower'].includes(b)) fail('schema', id, `fallback.behavior "${b}" is not a KEDA behavior`);
  }

  const c = d.spec.template.spec.containers.find((x) => x.name === (spec.envSourceContainerName ?? d.spec.template.spec.containers[0].name));
  if (!c) return fail('keda', id, `envSourceContainerName ${spec.envSourceContainerName} is not a container of ${ref.name}`);
  const app = appOf(c);
  if (app !== 'worker') return fail('keda', id, `scales ${ref.name}, which does not run the worker`);
  const env = envOf(c, configMaps);
  const valueOf = (name) => (env.get(name)?.value !== undefined ? env.get(name).value : facts.config.worker.get(name));

  // The formula: the model predates scalingModifiers, so its shape is checked here.
  const sm = spec.advanced?.scalingModifiers;
  const triggers = spec.triggers ?? [];
  if (!sm) return fail('keda-formula', id, 'needs advanced.scalingModifiers: formula "active + waiting" over the two list triggers');
  for (const k of Object.keys(sm)) if (!['formula', 'target', 'activationTarget', 'metricType'].includes(k)) fail('schema', id, `advanced.scalingModifiers.${k} is not a KEDA field`);
  if (typeof sm.formula !== 'string' || typeof sm.target !== 'string') fail('schema', id, 'scalingModifiers.formula and .target are required strings');
  if (sm.metricType !== undefined && !['AverageValue', 'Value'].includes(sm.metricType)) fail('schema', id, `scalingModifiers.metricType "${sm.metricType}" is not AverageValue or Value`);
  if ((sm.metricType ?? 'AverageValue') !== 'AverageValue') fail('keda-formula', id, 'scalingModifiers.metricType must be AverageValue (work per worker; fallback needs it too)');
  const terms = String(sm.formula ?? '').split('+').map((t) => t.trim());
  const names = triggers.map((t) => t.name);
  if (terms.length !== 2 || terms.some((t) => !names.includes(t)) || new Set(terms).size !== 2) fail('keda-formula', id, `formula "${sm.formula}" must be the sum of the two list triggers (${names.join(', ')})`);

  // The target: derived from WORKER_CONCURRENCY.
  const concurrency = Number(valueOf('WORKER_CONCURRENCY'));
  const want = Math.floor(concurrency * KEDA_TARGET_UTILIZATION);
  if (Number(sm.target) !== want) fail('keda-target', id, `scalingModifiers.target ${sm.target} must be ${KEDA_TARGET_UTILIZATION} x WORKER_CONCURRENCY (${concurrency}) = ${want}`);

  // The lists: exactly the two keys the code builds for this deployment's prefix.
  const prefix = valueOf('REDIS_PREFIX');
  const wantLists = KEDA_LISTS.map((l) => facts.listKey(prefix, l));
  const lists = triggers.map((t) => t.metadata?.listName);
  if (triggers.length !== 2 || [...wantLists].sort().join('\n') !== [...lists].sort().join('\n')) {
    fail('keda-list', id, `listNames [${lists.join(', ')}] must be the turns queue's BullMQ lists for REDIS_PREFIX "${prefix}": [${wantLists.join(', ')}]`);
  }

  // Where the triggers read: the same Redis as the worker.
  const url = URL.canParse(valueOf('REDIS_URL') ?? '') ? new URL(valueOf('REDIS_URL')) : undefined;
  for (const t of triggers) {
    const m = t.metadata ?? {};
    const tid = `${id} trigger ${t.name}`;
    if (!['redis', 'redis-sentinel', 'redis-cluster'].includes(t.type)) fail('keda', tid, `type ${t.type} is not a Redis lists scaler`);
    if ((t.metricType ?? 'AverageValue') !== 'AverageValue') fail('keda', tid, 'metricType must be AverageValue');
    for (const [k, v] of Object.entries(m)) {
      if (k.endsWith('FromEnv') && !env.has(v)) fail('keda-env', tid, `${k}: ${v} is not an env var of container ${c.name} (KEDA reads it there)`);
    }
    if (t.type === 'redis' && url && !m.addressFromEnv && !m.hostFromEnv) {
      const address = m.address ?? (m.host ? `${m.host}:${m.port}` : undefined);
      const want = `${url.hostname}:${url.port || 6379}`;
      if (address !== want) fail('keda-redis', tid, `address ${address} is not REDIS_URL's ${want}`);
      const db = url.pathname.replace(/^\//, '') || '0';
      if ((m.databaseIndex ?? '0') !== db) fail('keda-redis', tid, `databaseIndex ${m.databaseIndex ?? '0'} is not REDIS_URL's database ${db}`);
      if (((m.enableTLS ?? 'false') === 'true') !== (url.protocol === 'rediss:')) fail('keda-redis', tid, `enableTLS ${m.enableTLS ?? 'false'} does not match REDIS_URL's ${url.protocol}`);
    }
  }
}

// ---- main --------------------------------------------------------------------------------------

function defaultDirs() {
  const overlays = join(K8S, 'overlays');
  const dirs = [join(K8S, 'base')];
  for (const n of readdirSync(overlays).sort()) {
    if (existsSync(join(overlays, n, 'kustomization.yaml'))) dirs.push(join(overlays, n));
  }
  return dirs;
}

/** Components no overlay uses are never rendered, so never checked: each must be used. */
function unusedComponents(dirs) {
  const comps = join(K8S, 'components');
  if (!existsSync(comps)) return [];
  const used = new Set();
  const walk = (dir, seen = new Set()) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const k = join(dir, 'kustomization.yaml');
    if (!existsSync(k)) return;
    const doc = parseAllDocuments(readFileSync(k, 'utf8'))[0]?.toJS() ?? {};
    for (const c of doc.components ?? []) used.add(resolve(dir, c));
    for (const r of doc.resources ?? []) {
      const p = resolve(dir, r);
      if (existsSync(p) && statSync(p).isDirectory()) walk(p, seen);
    }
  };
  dirs.forEach((d) => walk(d));
  return readdirSync(comps).map((n) => join(comps, n)).filter((p) => statSync(p).isDirectory() && !used.has(p));
}

async function main() {
  const args = process.argv.slice(2);
  const dirs = args.length ? args.map((a) => resolve(a)) : defaultDirs();
  const facts = { config: readConfigClasses(), listKey: await keyBuilder(), imageUser: imageUser(), alertRules: alertRuleGroups() };
  let failures = 0;
  const show = (d) => (d.startsWith(ROOT) ? relative(ROOT, d) : d);
  if (!args.length) {
    for (const c of unusedComponents(dirs)) {
      failures++;
      console.log(`FAIL ${show(c)} [coverage] no overlay uses this component, so nothing renders or checks it`);
    }
  }
  for (const dir of dirs) {
    const fail = (rule, object, message) => {
      failures++;
      console.log(`FAIL ${show(dir)} [${rule}] ${object}: ${message}`);
    };
    const r = render(dir);
    if (r.error) {
      fail('render', 'kustomize', r.error);
      continue;
    }
    const before = failures;
    await checkObjects(r.objects, facts, fail);
    if (failures === before) console.log(`ok   ${show(dir)} (${r.objects.length} objects: ${[...new Set(r.objects.map((o) => o.kind))].join(', ')})`);
  }
  if (failures) {
    console.log(`\nk8s:check: ${failures} problem${failures === 1 ? '' : 's'}`);
    process.exit(1);
  }
  console.log('k8s:check: every manifest renders, validates and agrees with the code');
}

await main();
