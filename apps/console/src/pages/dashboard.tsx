import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { BarList, TimeChart } from '../components/charts.js';
import { describeHandoffReason } from '../components/messenger.js';
import { LatencyTile } from '../components/tiles.js';
import { ErrorAlert, useAction, useInterval, usePageTitle } from '../components/ui.js';
import { formatTime } from '../format.js';
import type { DashboardAnswer } from '../types.js';

export function DashboardPage() {
  usePageTitle('Dashboard');
  const [minutes, setMinutes] = useState(60);
  const [data, setData] = useState<DashboardAnswer | null>(null);
  const [updated, setUpdated] = useState<string>('');
  const load = useAction(async () => {
    setData(await api.get<DashboardAnswer>(`/api/dashboard${query({ minutes })}`));
    setUpdated(new Date().toISOString());
  });
  useEffect(() => {
    void load.run();
  }, [minutes]);
  useInterval(() => {
    if (!load.busy) void load.run();
  }, 10_000);

  const s = (data?.series ?? []).map((p) => ({ ...p, p50Ms: p.p50Ms ?? p.botP50Ms ?? null, p95Ms: p.p95Ms ?? p.botP95Ms ?? null, p99Ms: p.botP99Ms ?? null }));
  const labels = s.map((p) => p.minute);
  const totalTurns = s.reduce((a, p) => a + p.turns, 0);
  const totalMisses = s.reduce((a, p) => a + p.deadlineMisses, 0);
  const totalHandoffs = s.reduce((a, p) => a + p.handoffs, 0);
  const lastFull = s.length > 1 ? s[s.length - 2] : s.at(-1);
  const withLatency = [...s].reverse().find((p) => p.p95Ms !== null);
  const withResponse = [...s].reverse().find((p) => p.responseP95Ms !== null && p.responseP95Ms !== undefined);

  return (
    <>
      <div class="page-head">
        <h1>Dashboard</h1>
        <p class="lead">Traffic and health of the gateway, per minute. Refreshed every 10 seconds{updated ? ` (last at ${formatTime(updated)})` : ''}.</p>
      </div>
      <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="dash-minutes">Period</label>
          <select id="dash-minutes" value={String(minutes)} onChange={(e) => setMinutes(Number(e.currentTarget.value))} data-testid="dashboard-minutes">
            <option value="15">Last 15 minutes</option>
            <option value="60">Last hour</option>
            <option value="180">Last 3 hours</option>
            <option value="1440">Last 24 hours</option>
          </select>
        </div>
      </form>
      <ErrorAlert error={load.error} testid="dashboard-error" />
      {!data && load.busy && <p role="status">Loading the dashboard…</p>}
      {data && (
        <>
          <section aria-labelledby="dash-now" class="panel">
            <h2 id="dash-now">Now</h2>
            <dl class="tiles" data-testid="dashboard-tiles">
              <div class="tile">
                <dt>Turns in the last full minute</dt>
                <dd data-testid="tile-turns">{lastFull?.turns ?? 0}</dd>
                <dd class="tile-note">{totalTurns} in the period</dd>
              </div>
              <LatencyTile title="Bot latency" testid="tile-latency" p50={withLatency?.p50Ms} p95={withLatency?.p95Ms} p99={withLatency?.p99Ms} />
              <LatencyTile title="Response time" testid="tile-response" p50={withResponse?.responseP50Ms} p95={withResponse?.responseP95Ms} p99={withResponse?.responseP99Ms} note="what Genesys waited" />
              <div class={`tile${totalMisses ? ' is-warn' : ''}`}>
                <dt>Deadline misses</dt>
                <dd data-testid="tile-misses">{totalMisses}</dd>
                <dd class="tile-note">in the period</dd>
              </div>
              <div class="tile">
                <dt>Handoffs</dt>
                <dd data-testid="tile-handoffs">{totalHandoffs}</dd>
                <dd class="tile-note">in the period</dd>
              </div>
              <div class={`tile${data.queueDepth > 100 ? ' is-warn' : ''}`}>
                <dt>Queue depth</dt>
                <dd data-testid="tile-queue">{data.queueDepth}</dd>
                <dd class="tile-note">turns waiting</dd>
              </div>
              <div class={`tile${data.workersOnline === 0 ? ' is-bad' : ''}`}>
                <dt>Workers online</dt>
                <dd data-testid="tile-workers">{data.workersOnline}</dd>
                {data.workersOnline === 0 && <dd class="tile-note bad-text">No worker: turns are answered by the deadline fallback only.</dd>}
              </div>
            </dl>
          </section>
          <section aria-labelledby="dash-charts" class="panel">
            <h2 id="dash-charts">Per minute</h2>
            <div class="charts">
              <TimeChart id="ch-turns" testid="chart-turns" title="Turns per minute" labels={labels} series={[{ name: 'Turns', tone: 1, values: s.map((p) => p.turns) }]} />
              <TimeChart
                id="ch-latency"
                testid="chart-latency"
                title="Bot latency (ms)"
                unit="ms"
                labels={labels}
                series={[
                  { name: 'p50', tone: 1, values: s.map((p) => p.p50Ms) },
                  { name: 'p95', tone: 3, values: s.map((p) => p.p95Ms) },
                  { name: 'p99', tone: 4, values: s.map((p) => p.p99Ms) },
                ]}
              />
              <TimeChart id="ch-misses" testid="chart-misses" title="Deadline misses per minute" kind="bar" labels={labels} series={[{ name: 'Deadline misses', tone: 4, values: s.map((p) => p.deadlineMisses) }]} />
              <BarList
                id="ch-handoffs"
                testid="chart-handoffs"
                title="Handoffs by reason"
                data={Object.fromEntries(Object.entries(data.handoffsByReason).map(([k, v]) => [k, v]))}
              />
            </div>
            {Object.keys(data.handoffsByReason).length > 0 && (
              <ul class="compact small">
                {Object.keys(data.handoffsByReason).map((k) => (
                  <li key={k}>{describeHandoffReason(k)}</li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}
