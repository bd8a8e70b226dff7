import type { ComponentChildren } from 'preact';
import { DoneBadge } from '../components/ui.js';
import type { ChannelStatus, ChannelView, SetupStep } from '../types.js';

/** What every setup step gets: the channel, its checklist, and ways to refresh both. */
export interface StepProps {
  channel: ChannelView;
  status: ChannelStatus | null;
  /** Replace the channel view with a fresher one (after a PATCH / enable / revoke). */
  setChannel: (c: ChannelView) => void;
  /** Reload the channel view and the checklist. */
  reload: () => Promise<void>;
}

/** A CHANNELS_FILE channel: the gateway loads it from the file at every start, and the API refuses to change it (409 managed_by_file). */
export function isFromFile(channel: ChannelView): boolean {
  return channel.source === 'file';
}

/**
 * Wraps the controls that change the channel. For a channel from the channels file they are one
 * disabled fieldset (a disabled fieldset takes its controls out of the Tab order and tells
 * assistive technology they are unavailable, which grey styling alone would not), with a hint in
 * front saying which field of the file to edit instead. Other channels get the controls as they are.
 */
export function FileManaged({ channel, name, hint, children }: { channel: ChannelView; name: string; hint: ComponentChildren; children: ComponentChildren }) {
  if (!isFromFile(channel)) return <>{children}</>;
  const hintId = `${name}-from-file`;
  return (
    <div class="from-file">
      <p class="hint from-file-hint" id={hintId} data-testid={hintId}>
        <span class="from-file-tag">Channels file</span> {hint}
      </p>
      <fieldset class="plain-fieldset" disabled aria-describedby={hintId}>
        {children}
      </fieldset>
    </div>
  );
}

export function stepOf(status: ChannelStatus | null, id: string): SetupStep | undefined {
  return status?.steps.find((s) => s.id === id);
}

/** One numbered setup step: its title, its check from GET /status, the next action, then its content. */
export function StepSection({ n, id, title, step, children, intro }: { n: number; id: string; title: string; step: SetupStep | undefined; children: ComponentChildren; intro?: ComponentChildren }) {
  const headingId = `step-${id}-title`;
  return (
    <section class={`step${step?.done ? ' is-done' : ''}`} id={`step-${id}`} aria-labelledby={headingId} data-testid={`step-${id}`}>
      <div class="step-head">
        <h2 id={headingId}>
          <span class="step-num" aria-hidden="true">
            {n}
          </span>
          <span class="visually-hidden">Step {n}: </span>
          {step?.title ?? title}
        </h2>
        {step && <DoneBadge done={step.done} testid={`step-${id}-done`} />}
      </div>
      {step && (
        <div class="step-check" data-testid={`step-${id}-check`}>
          {step.detail && <p>{step.detail}</p>}
          {!step.done && step.next && (
            <p class="step-next" data-testid={`step-${id}-next`}>
              <strong>Next:</strong> {step.next}
            </p>
          )}
        </div>
      )}
      {intro}
      {children}
    </section>
  );
}

/** "In Genesys Cloud" instructions, visually set apart from what is done here. */
export function GenesysSteps({ children, title = 'In Genesys Cloud' }: { children: ComponentChildren; title?: string }) {
  return (
    <div class="genesys-steps">
      <p class="genesys-steps-title">{title}</p>
      <ol>{children}</ol>
    </div>
  );
}

/** A menu path as Genesys shows it: Admin › Integrations › … */
export function MenuPath({ parts }: { parts: string[] }) {
  return (
    <span class="menu-path">
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && <span aria-hidden="true"> › </span>}
          {i > 0 && <span class="visually-hidden"> then </span>}
          <strong>{p}</strong>
        </span>
      ))}
    </span>
  );
}
