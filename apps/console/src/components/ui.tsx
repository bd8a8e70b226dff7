import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { href, navigate } from '../router.js';
import type { ChannelStatusKind } from '../types.js';

// ---------- polite announcements (one live region for the whole app) ----------

let announcer: ((msg: string) => void) | null = null;

/** Says something to screen reader users without moving focus. */
export function announce(msg: string): void {
  announcer?.(msg);
}

export function Announcer() {
  const [msg, setMsg] = useState('');
  useEffect(() => {
    announcer = (m) => {
      // Clear first so the same message twice is read twice.
      setMsg('');
      setTimeout(() => setMsg(m), 50);
    };
    return () => {
      announcer = null;
    };
  }, []);
  return (
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {msg}
    </div>
  );
}

// ---------- links ----------

interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page' | 'step' | 'location' | 'true';
  'aria-label'?: string;
  'data-testid'?: string;
}

export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

// ---------- copying ----------

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back below
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export function CopyButton({ value, label, testid }: { value: string; label: string; testid?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <button
      type="button"
      class="btn btn-small btn-secondary copy-button"
      data-testid={testid}
      onClick={async () => {
        const ok = await copyText(value);
        setState(ok ? 'copied' : 'failed');
        announce(ok ? `${label} copied to the clipboard` : `Could not copy ${label}; select it and copy by hand`);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setState('idle'), 2500);
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      <span class="visually-hidden"> {label}</span>
    </button>
  );
}

/** A value to paste somewhere else, with its label and a copy button. */
export function CopyField({ label, value, testid, secret, hint }: { label: string; value: string; testid: string; secret?: boolean; hint?: ComponentChildren }) {
  const id = `cf-${testid}`;
  return (
    <div class={`copy-field${secret ? ' is-secret' : ''}`}>
      <span class="copy-label" id={`${id}-label`}>
        {label}
      </span>
      <div class="copy-row">
        <code class="copy-value" id={id} data-testid={testid}>
          {value}
        </code>
        <CopyButton value={value} label={label} testid={`${testid}-copy`} />
      </div>
      {hint && <p class="hint">{hint}</p>}
    </div>
  );
}

// ---------- status ----------

const STATUS_TEXT: Record<ChannelStatusKind, string> = {
  ready: 'Ready',
  incomplete: 'Incomplete',
  disabled: 'Disabled',
  attention: 'Needs attention',
};

export function StatusBadge({ status }: { status: ChannelStatusKind }) {
  return (
    <span class={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      <span aria-hidden="true" class="badge-dot" />
      {STATUS_TEXT[status] ?? status}
    </span>
  );
}

export function DoneBadge({ done, testid }: { done: boolean; testid?: string }) {
  return (
    <span class={`badge ${done ? 'badge-ready' : 'badge-incomplete'}`} data-testid={testid} data-done={String(done)}>
      <span aria-hidden="true">{done ? '✓ ' : '○ '}</span>
      {done ? 'Done' : 'To do'}
    </span>
  );
}

// ---------- errors and notices ----------

/** A file channel's refusal is by design, not a failure: say so before the server's message. */
function headline(e: ApiError | null): string {
  if (e?.status === 429) return 'Too many attempts.';
  if (e?.code === 'managed_by_file') return 'Not changed here.';
  return 'Something went wrong.';
}

/** An error as an alert: message, the field problems the API listed, and what to do about it. */
export function ErrorAlert({ error, testid = 'error', children }: { error: unknown; testid?: string; children?: ComponentChildren }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const message = e ? e.message : error instanceof Error ? error.message : String(error);
  return (
    <div class="notice notice-error" role="alert" data-testid={testid}>
      <p>
        <strong>{headline(e)}</strong> {message}
        {e?.retryAfterSeconds ? ` Try again in ${e.retryAfterSeconds} s.` : ''}
      </p>
      {e && e.details.length > 0 && (
        <ul>
          {e.details.map((d, i) => (
            <li key={i}>{d}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}

export function Notice({ tone = 'info', children, testid, role }: { tone?: 'info' | 'ok' | 'warn' | 'error'; children: ComponentChildren; testid?: string; role?: 'status' | 'alert' | 'note' }) {
  return (
    <div class={`notice notice-${tone}`} data-testid={testid} role={role}>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

// ---------- forms ----------

export function Field({ id, label, hint, children, error }: { id: string; label: ComponentChildren; hint?: ComponentChildren; children: ComponentChildren; error?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A two-state switch: a real button with role="switch". */
export function Switch({ checked, label, onChange, disabled, testid, describedBy }: { checked: boolean; label: string; onChange: (next: boolean) => void; disabled?: boolean; testid?: string; describedBy?: string }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      class={`switch${checked ? ' is-on' : ''}`}
      disabled={disabled}
      data-testid={testid}
      aria-describedby={describedBy}
      onClick={() => onChange(!checked)}
    >
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      <span class="switch-label">{label}</span>
      <span class="switch-state" aria-hidden="true">
        {checked ? 'On' : 'Off'}
      </span>
    </button>
  );
}

/** Runs an async action with a busy flag and a captured error. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (e) {
      if (mounted.current) setError(e);
      return undefined;
    } finally {
      if (mounted.current) setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** Moves focus to the page's h1 after navigation, so screen readers start at the new page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Gateway console`;
  }, [title]);
}

/** Calls fn every `ms` while mounted and the tab is visible; stops when `enabled` is false. */
export function useInterval(fn: () => void, ms: number, enabled = true): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!enabled) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms, enabled]);
}
