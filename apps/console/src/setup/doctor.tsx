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
    const warned = res.checks.filter((c) => c.ok && c.warnings?.length).length;
    const skipped = res.checks.filter((c) => c.ok && c.skipped).length;
    const warning = `${warned ? ` ${warned} passed with warnings.` : ''}${skipped ? ` ${skipped} could not be checked.` : ''}`;
    const msg = failed ? `Setup doctor: ${failed} of ${res.checks.length} checks failed.${warning}` : `Setup doctor: all ${res.checks.length} checks passed.${warning}`;
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
      <p class="hint">Checks the whole path: region, credentials, OAuth, the integration in Genesys, published bots, whether Genesys has called, and each bot’s backend (one harmless call).</p>
      <ErrorAlert error={run.error} testid="doctor-error" />
      <p class={`status-line${failed ? ' is-bad' : ''}`} data-testid="doctor-summary">
        {summary}
      </p>
      {checks && (
        <ul class="checks" data-testid="doctor-checks">
          {checks.map((c) => (
            <CheckItem key={c.id} check={c} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** ok / warnings / not checked / failed: what the admin sees of one check, and the fix where one applies. */
export function CheckItem({ check: c }: { check: DoctorCheck }) {
  const warnings = c.ok ? (c.warnings ?? []) : [];
  const state = !c.ok ? 'failed' : c.skipped ? 'not checked' : warnings.length ? 'warnings' : 'ok';
  const tone = !c.ok ? 'is-failed' : c.skipped ? 'is-skipped' : warnings.length ? 'is-warn' : 'is-ok';
  const badge = !c.ok ? 'badge-attention' : c.skipped ? 'badge-neutral' : warnings.length ? 'badge-incomplete' : 'badge-ready';
  return (
    <li class={tone} data-testid="doctor-check" data-check-id={c.id} data-ok={String(c.ok)} data-state={state}>
      <span class="check-icon" aria-hidden="true">
        {!c.ok ? '✗' : c.skipped ? '–' : warnings.length ? '!' : '✓'}
      </span>
      <div>
        <p class="check-title">
          {c.title} <span class="visually-hidden">: {state}</span>
          <span class={`badge ${badge}`} aria-hidden="true">
            {state}
          </span>
        </p>
        {c.detail && <p class="check-detail">{c.detail}</p>}
        {!c.ok && c.fix && (
          <p class="check-fix" data-testid="doctor-fix">
            <strong>Fix:</strong> {c.fix}
          </p>
        )}
        {warnings.length > 0 && (
          <ul class="check-warnings" data-testid="doctor-warnings">
            {warnings.map((w, i) => (
              <li key={i} data-testid="doctor-warning">
                <strong>Warning:</strong> {w.problem}{' '}
                <span class="check-fix">
                  <strong>Fix:</strong> {w.fix}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}
