import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GatewayHarness, freePort, newSessionBody, testChannel } from '../support/gateway-harness.js';

/**
 * The shipped Grafana dashboard and Prometheus rules (deploy/observability) against the real
 * processes: every metric a panel or an alert names must be one the ingress or the worker exports,
 * or the panel stays empty and the alert never fires, silently.
 */
const ROOT = process.cwd();
const DASHBOARD = join(ROOT, 'deploy/observability/grafana-dashboard.json');
const RULES = join(ROOT, 'deploy/observability/prometheus-rules.yaml');
const RUNBOOK = join(ROOT, 'docs/observability.md');

/** PromQL words that look like names but are not metrics. */
const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges
 * and grouping lists are removed, minus function names (followed by a parenthesis) and keywords.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.:$])[a-zA-Z_:][\w:]*(?!\s*\()/g)) {
    // A token cut short by the lookahead (`rate` of `rate(`) is still a function, not a metric.
    const after = bare.slice(m.index! + m[0].length);
    if (/^[\w:]/.test(after) || PROMQL_KEYWORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Metric families in a Prometheus text exposition: name -> type. */
function exported(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1], m[2]);
  return types;
}

/** A referenced name is served if it is a family, or a histogram's (or summary's) series. */
function served(name: string, families: Map<string, string>): boolean {
  if (families.has(name)) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!m) return false;
  const type = families.get(m[1]);
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

interface Panel {
  id?: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { __inputs: { name: string; type: string; pluginId: string }[]; templating: { list: { name: string; type: string; query?: unknown }[] }; panels: Panel[] };
const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const alerts = rules.groups.flatMap((g) => g.rules);

/** Every expression the two files hold, with where it is. */
const expressions: { where: string; expr: string }[] = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) => {
    const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
    // label_values(metric, label): only the metric is a name.
    const m = q ? /label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(q) : null;
    return m ? [{ where: `variable $${v.name}`, expr: m[1] }] : [];
  }),
  ...alerts.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
];

describe('metric names in PromQL (the extractor this suite relies on)', () => {
  it('finds metrics and only metrics', () => {
    expect(
      metricNamesIn('histogram_quantile(0.95, sum by (le, channel) (rate(gbg_x_seconds_bucket{stage="bot_call", a=~"b|c"}[$__rate_interval]))) / on (channel) group_left scalar(gbg_y_total offset 5m) > 1e3 or vector(0)').sort(),
    ).toEqual(['gbg_x_seconds_bucket', 'gbg_y_total']);
    expect(metricNamesIn('max(up) == bool 1')).toEqual(['up']);
  });
});

describe('deploy/observability: the Grafana dashboard and the Prometheus rules', () => {
  it('the dashboard takes its Prometheus as the DS_PROMETHEUS input, and every panel and query uses it', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    // Also a variable, so a provisioned copy (no import dialog) can pick its data source.
    expect(dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(panels.length).toBeGreaterThanOrEqual(15);
    for (const p of panels) {
      expect({ panel: p.title, uid: p.datasource?.uid }).toEqual({ panel: p.title, uid: '${DS_PROMETHEUS}' });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect({ panel: p.title, uid: t.datasource?.uid }).toEqual({ panel: p.title, uid: '${DS_PROMETHEUS}' });
    }
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the dashboard has the panels SREs look for', () => {
    const text = JSON.stringify(panels.map((p) => [p.title, ...(p.targets ?? []).map((t) => t.expr)]));
    for (const needed of [
      'gbg_turns_total',
      'histogram_quantile(0.5,',
      'histogram_quantile(0.95,',
      'histogram_quantile(0.99,',
      'gbg_deadline_misses_total',
      'sum by (reason) (rate(gbg_handoffs_total',
      'gbg_queue_oldest_waiting_seconds',
      'gbg_queue_depth',
      'gbg_workers_online',
      'gbg_redis_errors_total',
      'given_up',
      'gbg_worker_notifications_total',
      'gbg_oauth_reauthorize_needed',
      'sum by (reason) (rate(gbg_rejected_requests_total',
    ]) {
      expect({ needed, found: text.includes(needed) }).toEqual({ needed, found: true });
    }
  });

  it('the rules file is a Prometheus rule file: groups of alerts, each with expr, for, severity, summary and a runbook section that exists', () => {
    const anchors = anchorsOf(readFileSync(RUNBOOK, 'utf8'));
    expect(rules.groups.length).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const g of rules.groups) {
      expect(typeof g.name).toBe('string');
      expect(Array.isArray(g.rules) && g.rules.length > 0).toBe(true);
      for (const r of g.rules) {
        const id = r.alert ?? r.record;
        expect({ id, alert: typeof r.alert }).toEqual({ id, alert: 'string' });
        expect(names.has(r.alert!)).toBe(false);
        names.add(r.alert!);
        expect({ id, expr: typeof r.expr === 'string' && r.expr.trim().length > 0 }).toEqual({ id, expr: true });
        expect({ id, for: r.for }).toEqual({ id, for: expect.stringMatching(/^(\d+(ms|s|m|h|d|w|y))+$/) });
        expect({ id, severity: r.labels?.severity }).toEqual({ id, severity: expect.stringMatching(/^(critical|warning|info)$/) });
        expect({ id, summary: (r.annotations?.summary ?? '').length > 0 }).toEqual({ id, summary: true });
        const runbook = /^docs\/observability\.md#([\w-]+)$/.exec(r.annotations?.runbook_url ?? '');
        expect({ id, runbook: runbook ? anchors.has(runbook[1]) : r.annotations?.runbook_url }).toEqual({ id, runbook: true });
      }
    }
  });

  it('the rules alert on what the issue asks for', () => {
    const read = new Set(alerts.flatMap((r) => metricNamesIn(r.expr)));
    for (const metric of ['gbg_deadline_misses_total', 'gbg_handoffs_total', 'gbg_queue_oldest_waiting_seconds', 'gbg_workers_online', 'gbg_redis_errors_total', 'gbg_worker_outgoing_messages_total', 'gbg_oauth_reauthorize_needed']) {
      expect({ metric, alerted: read.has(metric) }).toEqual({ metric, alerted: true });
    }
  });

  describe('against the real ingress and worker', () => {
    const ch = testChannel('obs1');
    // An OAuth channel never authorized: the re-authorization gauge has a series to show.
    const oauth = testChannel('obs2', { genesys: { environment: 'mypurecloud.ie', oauth: { clientId: 'obs-client', clientSecret: 'obs-client-secret-0123456789' } } });
    const gw = new GatewayHarness('observability', [ch, oauth]);
    let ingress = '';
    let worker = '';

    beforeAll(async () => {
      await gw.startIngress();
      const workerPort = await freePort();
      await gw.startWorker({ METRICS_PORT: String(workerPort) });
      // One turn through the pipeline, so histograms and labelled counters have series too.
      expect((await gw.turn(ch, newSessionBody('hello'))).status).toBe(200);
      const scrape = async (url: string) => {
        let text = '';
        await gw.waitFor(async () => {
          const res = await fetch(url).catch(() => undefined);
          text = res?.ok ? await res.text() : '';
          return text.length > 0;
        }, 5000);
        return text;
      };
      [ingress, worker] = await Promise.all([scrape(`${gw.metricsUrl}/metrics`), scrape(`http://127.0.0.1:${workerPort}/metrics`)]);
    });
    afterAll(() => gw.stop());

    it('exports every metric a panel, a variable or an alert names', () => {
      const families = new Map([...exported(ingress), ...exported(worker)]);
      expect(families.size).toBeGreaterThan(20);
      const missing = expressions.flatMap(({ where, expr }) => metricNamesIn(expr).filter((n) => !served(n, families)).map((n) => `${where}: ${n}`));
      expect(missing).toEqual([]);
      // The extractor saw the expressions at all: a suite that finds no names checks nothing.
      expect(new Set(expressions.flatMap((e) => metricNamesIn(e.expr))).size).toBeGreaterThanOrEqual(15);
    });

    it('the new gauges and counters carry values: queue age, workers, OAuth, Redis errors by purpose', () => {
      expect(ingress).toMatch(/^gbg_queue_oldest_waiting_seconds\{app="ingress"\} \d/m);
      expect(ingress).toMatch(/^gbg_workers_online\{app="ingress"\} 1$/m);
      expect(ingress).toMatch(/^gbg_oauth_reauthorize_needed\{channel="obs2",app="ingress"\} 1$/m);
      // A channel without OAuth has nothing to re-authorize, so no series.
      expect(ingress).not.toMatch(/gbg_oauth_reauthorize_needed\{channel="obs1"/);
      for (const text of [ingress, worker]) expect(text).toMatch(/^# TYPE gbg_redis_errors_total counter$/m);
      expect(worker).toMatch(/^# TYPE gbg_worker_notifications_total counter$/m);
    });
  });
});
