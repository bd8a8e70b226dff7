import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = process.cwd();
const CHECK = join(ROOT, 'scripts/k8s-check.mjs');
const PRODUCTION = join(ROOT, 'deploy/kubernetes/overlays/production');

function runCheck(dirs: string[] = []): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECK, ...dirs], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * Broken variants of the production overlay: each one is the real overlay plus one JSON patch,
 * and must fail the check with the named rule (a rule that never fires checks nothing).
 */
const BROKEN: { name: string; rule: string; mentions: string; target: { kind: string; name: string }; ops: unknown[] }[] = [
  {
    name: 'probe-on-wrong-port',
    rule: 'probe-port',
    mentions: "readinessProbe port 8080 (8080) is not the ingress's PORT (3000)",
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'replace', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', value: 8080 }],
  },
  {
    name: 'worker-probe-on-webhook-port',
    rule: 'probe-port',
    mentions: "livenessProbe port 3000 (3000) is not the worker's METRICS_PORT (9464)",
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/template/spec/containers/0/livenessProbe/httpGet/port', value: 3000 }],
  },
  {
    name: 'grace-too-short',
    rule: 'grace',
    mentions: 'terminationGracePeriodSeconds 15 < 20',
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'replace', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 15 }],
  },
  {
    name: 'grace-below-app-shutdown',
    rule: 'grace',
    mentions: 'SHUTDOWN_GRACE_MS 40 s',
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'SHUTDOWN_GRACE_MS', value: '40000' } }],
  },
  {
    name: 'wrong-keda-list',
    rule: 'keda-list',
    mentions: 'must be the turns queue\'s BullMQ lists for REDIS_PREFIX "gbg": [gbg:bull:turns:active, gbg:bull:turns:wait]',
    target: { kind: 'ScaledObject', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/triggers/1/metadata/listName', value: 'gbg:bull:turns:waiting' }],
  },
  {
    name: 'prefix-changed-lists-not',
    rule: 'keda-list',
    mentions: 'for REDIS_PREFIX "tenant1": [tenant1:bull:turns:active, tenant1:bull:turns:wait]',
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'REDIS_PREFIX', value: 'tenant1' } }],
  },
  {
    name: 'keda-target-not-from-concurrency',
    rule: 'keda-target',
    mentions: 'scalingModifiers.target 40 must be 0.8 x WORKER_CONCURRENCY (100) = 80',
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: '100' }],
  },
  {
    name: 'replicas-under-scaledobject',
    rule: 'keda-owner',
    mentions: 'sets replicas (3)',
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'add', path: '/spec/replicas', value: 3 }],
  },
  {
    name: 'min-replicas-zero',
    rule: 'keda',
    mentions: 'minReplicaCount 0 must be at least 1',
    target: { kind: 'ScaledObject', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/minReplicaCount', value: 0 }],
  },
  {
    name: 'formula-not-a-sum',
    rule: 'keda-formula',
    mentions: 'must be the sum of the two list triggers',
    target: { kind: 'ScaledObject', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/advanced/scalingModifiers/formula', value: 'max(active, waiting)' }],
  },
  {
    name: 'keda-reads-another-redis',
    rule: 'keda-redis',
    mentions: "address redis-other:6379 is not REDIS_URL's redis:6379",
    target: { kind: 'ScaledObject', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/triggers/0/metadata/address', value: 'redis-other:6379' }],
  },
  {
    name: 'heap-sized-from-the-node',
    rule: 'heap',
    mentions: 'no NODE_OPTIONS --max-old-space-size below it',
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'test', path: '/spec/template/spec/containers/0/env/4/name', value: 'NODE_OPTIONS' }, { op: 'remove', path: '/spec/template/spec/containers/0/env/4' }],
  },
  {
    name: 'heap-too-close-to-the-limit',
    rule: 'heap',
    mentions: '--max-old-space-size=500 is over 80% of the memory limit 512Mi',
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'test', path: '/spec/template/spec/containers/0/env/4/name', value: 'NODE_OPTIONS' }, { op: 'replace', path: '/spec/template/spec/containers/0/env/4/value', value: '--max-old-space-size=500' }],
  },
  {
    name: 'unknown-env-var',
    rule: 'env',
    mentions: 'WORKER_CONCURENCY (from env) is not a setting of WorkerConfig',
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'WORKER_CONCURENCY', value: '10' } }],
  },
  {
    name: 'worker-only-env-on-ingress',
    rule: 'env',
    mentions: 'WORKER_CONCURRENCY (from env) is not a setting of IngressConfig',
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'WORKER_CONCURRENCY', value: '10' } }],
  },
  {
    name: 'admin-token-inline',
    rule: 'secret',
    mentions: 'ADMIN_TOKEN must come from a Secret',
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'replace', path: '/spec/template/spec/containers/0/env/3', value: { name: 'ADMIN_TOKEN', value: 'an-inline-token-that-anyone-with-read-access-sees' } }],
  },
  {
    name: 'pdb-selects-nothing',
    rule: 'selector',
    mentions: "selects 0 Deployments' pods",
    target: { kind: 'PodDisruptionBudget', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/selector/matchLabels/app.kubernetes.io~1component', value: 'workers' }],
  },
  {
    name: 'root-allowed',
    rule: 'security',
    mentions: 'runAsNonRoot must be true',
    target: { kind: 'Deployment', name: 'gateway-worker' },
    ops: [{ op: 'replace', path: '/spec/template/spec/securityContext/runAsNonRoot', value: false }],
  },
  {
    name: 'alert-rule-edited-in-the-copy',
    rule: 'alert-rules',
    mentions: 'spec.groups differ from deploy/observability/prometheus-rules.yaml',
    target: { kind: 'PrometheusRule', name: 'genesys-bot-gateway' },
    ops: [{ op: 'replace', path: '/spec/groups/0/rules/0/for', value: '1h' }],
  },
  {
    name: 'schema-violation',
    rule: 'schema',
    mentions: 'containerPort must be integer',
    target: { kind: 'Deployment', name: 'gateway-ingress' },
    ops: [{ op: 'replace', path: '/spec/template/spec/containers/0/ports/0/containerPort', value: 'three thousand' }],
  },
];

describe('npm run k8s:check (deploy/kubernetes)', () => {
  let dir: string;
  let broken: { status: number | null; out: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbg-k8s-check-'));
    for (const b of BROKEN) {
      const d = join(dir, b.name);
      mkdirSync(d);
      const kustomization = {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        // kustomize takes no absolute paths.
        resources: [relative(d, PRODUCTION)],
        patches: [{ target: b.target, patch: JSON.stringify(b.ops) }],
      };
      writeFileSync(join(d, 'kustomization.yaml'), JSON.stringify(kustomization, null, 2));
    }
    broken = runCheck(BROKEN.map((b) => join(dir, b.name)));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on the base and every overlay', () => {
    const { status, out } = runCheck();
    expect(out).toContain('ok   deploy/kubernetes/base');
    expect(out).toContain('ok   deploy/kubernetes/overlays/production (');
    expect(out).toMatch(/ok {3}deploy\/kubernetes\/overlays\/production \(.*ScaledObject.*PrometheusRule.*ServiceMonitor.*NetworkPolicy/);
    expect(out).toContain('ok   deploy/kubernetes/overlays/production-redis-sentinel');
    expect(out).toContain('ok   deploy/kubernetes/overlays/production-redis-cluster');
    expect(status).toBe(0);
  });

  it('fails on a broken overlay', () => {
    expect(broken.status).toBe(1);
  });

  it.each(BROKEN.map((b) => [b.name, b]))('names the problem: %s', (_name, b) => {
    const lines = broken.out.split('\n').filter((l) => l.includes(`${b.name} [`));
    expect(lines.some((l) => l.includes(`[${b.rule}]`) && l.includes(b.mentions))).toBe(true);
  });
});
