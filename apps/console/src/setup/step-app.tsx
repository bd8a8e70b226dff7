import { useRef, useState } from 'preact/hooks';
import { ApiError, api, path } from '../api.js';
import { CopyField, ErrorAlert, Notice, announce, useAction } from '../components/ui.js';
import type { AppSecretAnswer, ChannelView } from '../types.js';
import { FileManaged, GenesysSteps, MenuPath, StepSection, isFromFile, stepOf, type StepProps } from './step.js';

export function AppStep({ channel, status, setChannel, reload }: StepProps) {
  // Shown once: kept only in this component's memory, gone when the page is left.
  const [created, setCreated] = useState<AppSecretAnswer | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const shownRef = useRef<HTMLElement>(null);
  const create = useAction(async () => {
    const answer = await api.post<AppSecretAnswer>(path`/api/channels/${channel.id}/app/secrets`);
    setCreated(answer);
    announce('App secret created. It is shown once: copy the credential now.');
    await reload();
    setTimeout(() => shownRef.current?.focus(), 0);
  });
  const revoke = useAction(async (fingerprint: string) => {
    const next = await api.del<ChannelView>(path`/api/channels/${channel.id}/app/secrets/${fingerprint}`);
    setConfirming(null);
    if (next) setChannel(next);
    if (created?.fingerprint === fingerprint) setCreated(null);
    announce(`Secret ${fingerprint} revoked`);
    await reload();
  });
  const secrets = channel.app.secrets ?? [];
  const lastSecret = revoke.error instanceof ApiError && revoke.error.status === 409 && revoke.error.code === 'conflict';
  // Revoking is a change the channels file would undo at the next start: a file channel lists its secrets only.
  const fromFile = isFromFile(channel);
  return (
    <StepSection n={2} id="app" title="App credential" step={stepOf(status, 'app')}>
      <p>
        Genesys proves each call with a credential the gateway issues: a JWT signed with the channel's app secret. App client id: <code data-testid="app-client-id">{channel.app.clientId}</code>.
      </p>
      <FileManaged
        channel={channel}
        name="app-secrets"
        hint={
          <>
            Create or revoke secrets in the channels file (<code>app.clientSecrets</code>, up to 5, each at least 32 random bytes, not a placeholder). When the gateway starts, the ingress prints each enabled channel’s ready-to-paste credential (in production only with <code>PRINT_CREDENTIALS=true</code>).
          </>
        }
      >
        <button type="button" class="btn btn-primary" onClick={() => void create.run()} disabled={create.busy} data-testid="create-app-secret">
          {create.busy ? 'Creating…' : secrets.length ? 'Create another app secret' : 'Create app secret'}
        </button>
      </FileManaged>
      <ErrorAlert error={create.error} testid="create-app-secret-error" />
      {created && (
        <section class="shown-once" tabIndex={-1} ref={shownRef} data-testid="app-secret-shown" aria-labelledby="app-secret-shown-title">
          <p class="shown-once-title" id="app-secret-shown-title">
            New app secret <code>{created.fingerprint}</code>: shown only once
          </p>
          <p>Copy the credential into Genesys now. It is not stored in this browser and disappears when you leave this page; if you lose it, create another secret.</p>
          <CopyField label="Field Name" value={created.credential.fieldName} testid="credential-field-name" />
          <CopyField label="Value" value={created.credential.value} testid="credential-value" secret hint="The word bearer, a space, then the JWT." />
          <details>
            <summary>Client id and secret (for minting your own JWT)</summary>
            <CopyField label="Client id" value={created.clientId} testid="app-client-id-shown" />
            <CopyField label="Client secret" value={created.clientSecret} testid="app-client-secret" secret />
          </details>
          <button type="button" class="btn btn-secondary" onClick={() => setCreated(null)} data-testid="app-secret-hide">
            I have copied it — hide
          </button>
        </section>
      )}
      <GenesysSteps>
        <li>
          In the Bot Connector integration, open <MenuPath parts={['Configuration', 'Credentials']} /> and click <strong>Change</strong>.
        </li>
        <li>
          Add a field named <code>Authorization</code> whose value is <code>bearer </code> followed by the JWT ({fromFile ? 'the ready-to-paste value the gateway prints at start' : 'the ready-to-paste value above'}). Click <strong>OK</strong>, then <strong>Save</strong>.
        </li>
        <li>
          Set the integration to <strong>Active</strong>, and note its id (<strong>Details</strong> tab, or the page address) for step 4.
        </li>
      </GenesysSteps>
      <h3>Secrets in use</h3>
      {secrets.length === 0 ? (
        <p class="muted" data-testid="app-secrets-empty">
          No app secret yet.
        </p>
      ) : (
        <>
          <p class="hint">
            {fromFile
              ? 'All listed secrets are accepted, so you can rotate: add a new one to the channels file and restart, update Genesys, then remove the old one from the file and restart again.'
              : 'All listed secrets are accepted, so you can rotate: create a new one, update Genesys, then revoke the old one.'}
          </p>
          <ul class="secret-list" data-testid="app-secrets">
            {secrets.map((s) => (
              <li key={s.fingerprint} data-testid="app-secret" data-fingerprint={s.fingerprint}>
                <span>
                  Fingerprint <code>{s.fingerprint}</code>
                  {created?.fingerprint === s.fingerprint && <span class="badge badge-ready">new</span>}
                </span>
                {fromFile ? null : confirming === s.fingerprint ? (
                  <span class="confirm" role="group" aria-label={`Confirm revoking ${s.fingerprint}`}>
                    <span>Genesys calls signed with it will be refused.</span>
                    <button type="button" class="btn btn-danger btn-small" onClick={() => void revoke.run(s.fingerprint)} disabled={revoke.busy} data-testid="app-secret-revoke-confirm">
                      Revoke {s.fingerprint}
                    </button>
                    <button type="button" class="btn btn-secondary btn-small" onClick={() => setConfirming(null)} data-testid="app-secret-revoke-cancel">
                      Cancel
                    </button>
                  </span>
                ) : (
                  <button type="button" class="btn btn-secondary btn-small" onClick={() => setConfirming(s.fingerprint)} aria-label={`Revoke secret ${s.fingerprint}`} data-testid="app-secret-revoke">
                    Revoke
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <ErrorAlert error={revoke.error} testid="app-secret-revoke-error">
        {lastSecret && <p>Create a new secret and paste it into Genesys before revoking this one, or disable the channel first.</p>}
      </ErrorAlert>
      {secrets.length >= 5 && !fromFile && <Notice tone="warn">A channel keeps at most 5 secrets: revoke an old one before creating another.</Notice>}
    </StepSection>
  );
}
