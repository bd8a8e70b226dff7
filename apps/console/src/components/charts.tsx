import { formatTime } from '../format.js';

/**
 * Inline SVG charts, each with a text alternative: a summary in the SVG's <desc> and the full data
 * as a table behind a disclosure. No chart library.
 */

export interface Series {
  name: string;
  /** A CSS class that sets the stroke/fill colour (see styles.css: .s-1 … .s-4). */
  tone: 1 | 2 | 3 | 4;
  values: (number | null)[];
}

// Close to the size the charts are drawn at, so 12-unit text reads as ~12px.
const W = 440;
const H = 200;
const PAD = { top: 12, right: 16, bottom: 28, left: 44 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  const f = v / exp;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * exp;
}

function fmt(v: number | null, unit: string): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const n = Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 10) / 10;
  return unit ? `${n} ${unit}` : String(n);
}

export function summarize(series: Series[], unit: string): string {
  return series
    .map((s) => {
      const vals = s.values.filter((v): v is number => v !== null && Number.isFinite(v));
      if (!vals.length) return `${s.name}: no data`;
      const last = vals.at(-1)!;
      const max = Math.max(...vals);
      const avg = vals.reduce((a, b) => a + b, 0) / vals.length;
      return `${s.name}: latest ${fmt(last, unit)}, average ${fmt(avg, unit)}, highest ${fmt(max, unit)}`;
    })
    .join('. ');
}

export function TimeChart({ id, title, labels, series, unit = '', kind = 'line', testid }: { id: string; title: string; labels: string[]; series: Series[]; unit?: string; kind?: 'line' | 'bar'; testid?: string }) {
  const n = labels.length;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = niceMax(all.length ? Math.max(...all) : 0);
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (n <= 1 ? iw / 2 : (i / (n - 1)) * iw);
  const y = (v: number) => PAD.top + ih - (v / max) * ih;
  const ticks = [0, max / 2, max];
  const labelEvery = Math.max(1, Math.ceil(n / 6));
  const summary = summarize(series, unit);
  const bw = n ? Math.max(1, (iw / n) * 0.7) : 0;
  return (
    <figure class="chart" data-testid={testid}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} preserveAspectRatio="xMidYMid meet">
        <desc id={`${id}-desc`}>{n ? summary : 'No data yet.'}</desc>
        {ticks.map((t) => (
          <g key={t} class="chart-grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
              {fmt(t, '')}
            </text>
          </g>
        ))}
        {labels.map((l, i) =>
          i % labelEvery === 0 || i === n - 1 ? (
            <text key={l} class="chart-axis" x={x(i)} y={H - 8} text-anchor={i === n - 1 && n > 1 ? 'end' : i === 0 && n > 1 ? 'start' : 'middle'}>
              {formatTime(l).slice(0, 5)}
            </text>
          ) : null,
        )}
        {kind === 'line' &&
          series.map((s) => {
            let d = '';
            let pen = false;
            s.values.forEach((v, i) => {
              if (v === null || !Number.isFinite(v)) {
                pen = false;
                return;
              }
              d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
              pen = true;
            });
            // A value with no neighbour draws no segment: mark it with a dot so it is not invisible.
            const isolated = s.values
              .map((v, i) => ({ v, i }))
              .filter(({ v, i }) => v !== null && Number.isFinite(v) && !Number.isFinite(s.values[i - 1] ?? NaN) && !Number.isFinite(s.values[i + 1] ?? NaN));
            return (
              <g key={s.name}>
                <path class={`chart-line s-${s.tone}`} d={d} />
                {isolated.map(({ v, i }) => (
                  <circle key={i} class={`chart-dot s-${s.tone}`} cx={x(i)} cy={y(v as number)} r={3} />
                ))}
              </g>
            );
          })}
        {kind === 'bar' &&
          series.map((s, si) =>
            s.values.map((v, i) =>
              v ? <rect key={`${si}-${i}`} class={`chart-bar s-${s.tone}`} x={x(i) - bw / 2 + (si * bw) / series.length} width={bw / series.length} y={y(v)} height={Math.max(0, PAD.top + ih - y(v))} /> : null,
            ),
          )}
      </svg>
      {series.length > 1 && (
        <ul class="legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.name}>
              <span class={`swatch s-${s.tone}`} /> {s.name}
            </li>
          ))}
        </ul>
      )}
      <details class="chart-data">
        <summary>Data table: {title}</summary>
        <div class="table-wrap" role="region" aria-label={`${title} data`} tabIndex={0}>
          <table class="table small">
            <thead>
              <tr>
                <th scope="col">Minute</th>
                {series.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.name}
                    {unit ? ` (${unit})` : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((l, i) => (
                <tr key={l}>
                  <th scope="row">{formatTime(l)}</th>
                  {series.map((s) => (
                    <td key={s.name}>{fmt(s.values[i] ?? null, '')}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export function BarList({ id, title, data, testid }: { id: string; title: string; data: Record<string, number>; testid?: string }) {
  const entries = Object.entries(data).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const rowH = 26;
  const labelW = 140;
  const h = Math.max(rowH, entries.length * rowH) + 4;
  const summary = entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(', ') : 'No handoffs in this period.';
  return (
    <figure class="chart" data-testid={testid}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <desc id={`${id}-desc`}>{summary}</desc>
        {entries.map(([k, v], i) => {
          const bw = ((W - labelW - 40) * v) / max;
          return (
            <g key={k}>
              <text class="chart-axis" x={labelW - 8} y={i * rowH + 19} text-anchor="end">
                {k}
              </text>
              <rect class="chart-bar s-2" x={labelW} y={i * rowH + 5} width={Math.max(2, bw)} height={rowH - 10} />
              <text class="chart-value" x={labelW + Math.max(2, bw) + 6} y={i * rowH + 19}>
                {v}
              </text>
            </g>
          );
        })}
        {!entries.length && (
          <text class="chart-axis" x={W / 2} y={18} text-anchor="middle">
            No handoffs in this period
          </text>
        )}
      </svg>
      {entries.length > 0 && (
        <details class="chart-data">
          <summary>Data table: {title}</summary>
          <table class="table small">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Handoffs</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}
