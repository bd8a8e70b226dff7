import { api, path } from '../api.js';
import { ErrorAlert, announce, useAction } from '../components/ui.js';
import type { DoctorCheck } from '../types.js';
import { useState } from 'preact/hooks';

/** POST /doctor: every check with ok/failed and the exact fix. */
export function Doctor({ channelId }: { channelId: string }) {
  const [checks, setChecks] = useState<DoctorCheck[] | null>(null);
  const [summary, setSummary] = useState('');
  const failed = checks?.filter((c) => !c.ok).length ?? 0;
  const run = useAction(async () => {
    const res = await api.post<{ checks: DoctorCheck[] }>(path`/api/channels/${channelId}/doctor`);
    setChecks(res.checks);
    const failed = res.checks.filter((c) => !c.ok).length;
    const msg = failed ? `Setup doctor: ${failed} of ${res.checks.length} checks failed.` : `Setup doctor: all ${res.checks.length} checks passed.`;
    setSummary(msg);
    announce(msg);
  });
  return (
    <section class="panel doctor" aria-labelledby="doctor-title" data-testid="doctor">
      <div class="panel-head">
        <h2 id="doctor-title">Setup doctor</h2>
        <button type="button" class="btn btn-primary" onClick={() => void run.run()} disabled={run.busy} data-testid="doctor-run">
          {run.busy ? 'Checking…' : checks ? 'Run again' : 'Run setup doctor'}
        </button>
      </div>
      <p class="hint">Checks the whole path: region, credentials, OAuth, the integration in Genesys, published bots, and whether Genesys has called.</p>
      <ErrorAlert error={run.error} testid="doctor-error" />
      <p class={`status-line${failed ? ' is-bad' : ''}`} data-testid="doctor-summary">
        {summary}
      </p>
      {checks && (
        <ul class="checks" data-testid="doctor-checks">
          {checks.map((c) => (
            <li key={c.id} class={c.ok ? 'is-ok' : 'is-failed'} data-testid="doctor-check" data-check-id={c.id} data-ok={String(c.ok)}>
              <span class="check-icon" aria-hidden="true">
                {c.ok ? '✓' : '✗'}
              </span>
              <div>
                <p class="check-title">
                  {c.title} <span class="visually-hidden">{c.ok ? ': ok' : ': failed'}</span>
                  <span class={`badge ${c.ok ? 'badge-ready' : 'badge-attention'}`} aria-hidden="true">
                    {c.ok ? 'ok' : 'failed'}
                  </span>
                </p>
                {c.detail && <p class="check-detail">{c.detail}</p>}
                {!c.ok && c.fix && (
                  <p class="check-fix" data-testid="doctor-fix">
                    <strong>Fix:</strong> {c.fix}
                  </p>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
