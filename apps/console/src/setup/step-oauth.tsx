import { useEffect, useState } from 'preact/hooks';
import { api, path } from '../api.js';
import { CopyField, ErrorAlert, Notice, announce, useAction } from '../components/ui.js';
import { formatDateTime, splitList } from '../format.js';
import type { ChannelView, OAuthGrant, OAuthStatus } from '../types.js';
import { FileManaged, GenesysSteps, MenuPath, StepSection, isFromFile, stepOf, type StepProps } from './step.js';

const KNOWN_SCOPES: { scope: string; why: string }[] = [
  { scope: 'architect', why: 'read flows' },
  { scope: 'integrations', why: 'publish the bot list' },
  { scope: 'textbots', why: 'bot connector APIs' },
  { scope: 'conversations', why: 'handoff context as participant data, notifications' },
];
const DEFAULT_SCOPES = ['architect', 'integrations', 'textbots'];

interface Draft {
  clientId: string;
  clientSecret: string;
  grant: OAuthGrant;
  pkce: boolean;
  scopes: string[];
  otherScopes: string;
}

function draftOf(channel: ChannelView): Draft {
  const o = channel.genesys.oauth;
  const scopes = o?.scopes ?? DEFAULT_SCOPES;
  const known = new Set(KNOWN_SCOPES.map((k) => k.scope));
  return {
    clientId: o?.clientId ?? '',
    clientSecret: '',
    grant: o?.grant ?? 'authorization_code',
    pkce: o?.pkce ?? true,
    scopes: scopes.filter((s) => known.has(s)),
    otherScopes: scopes.filter((s) => !known.has(s)).join(', '),
  };
}

function sameDraft(a: Draft, b: Draft): boolean {
  return a.clientId === b.clientId && a.clientSecret === b.clientSecret && a.grant === b.grant && a.pkce === b.pkce && a.scopes.join() === b.scopes.join() && a.otherScopes === b.otherScopes;
}

/**
 * Why the client secret must be typed, or null when the stored one may stay: there is none yet,
 * or the client id changes (the gateway refuses a new client id without its secret, since the
 * stored secret is never sent to another client or host).
 */
export function oauthSecretRequirement(channel: ChannelView, clientId: string): 'missing' | 'new-client' | null {
  const o = channel.genesys.oauth;
  if (!o?.clientSecretSet) return 'missing';
  return clientId.trim() !== o.clientId ? 'new-client' : null;
}

export function OAuthStep({ channel, status, setChannel, reload }: StepProps) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(channel));
  const [oauth, setOAuth] = useState<OAuthStatus | null>(status?.oauth ?? null);
  const [saved, setSaved] = useState('');
  useEffect(() => setDraft(draftOf(channel)), [channel.id]);
  const configured = !!channel.genesys.oauth;
  const dirty = !sameDraft(draft, draftOf(channel));

  const loadStatus = useAction(async () => {
    setOAuth(await api.get<OAuthStatus>(path`/api/channels/${channel.id}/oauth/status`));
  });
  useEffect(() => {
    void loadStatus.run();
    // Coming back from Genesys in another tab: refresh what we show.
    const onFocus = () => void loadStatus.run();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [channel.id]);

  const save = useAction(async () => {
    const scopes = [...draft.scopes, ...splitList(draft.otherScopes)];
    const body = {
      genesys: {
        oauth: {
          clientId: draft.clientId.trim(),
          grant: draft.grant,
          pkce: draft.grant === 'authorization_code' ? draft.pkce : false,
          scopes,
          ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}),
        },
      },
    };
    const next = await api.patch<ChannelView>(path`/api/channels/${channel.id}`, body);
    setChannel(next);
    setDraft(draftOf(next));
    setSaved('OAuth client saved.');
    announce('OAuth client saved');
    await Promise.all([reload(), loadStatus.run()]);
  });
  const connect = useAction(async () => {
    const s = await api.post<OAuthStatus>(path`/api/channels/${channel.id}/oauth/connect`);
    setOAuth(s);
    announce(s.connected ? 'Connected to Genesys Cloud' : `Not connected: ${s.reason ?? 'unknown reason'}`);
    await reload();
  });
  const authorize = () => {
    // A top-level navigation: the session cookie goes along, the browser follows the 302 to
    // Genesys, and Genesys comes back to the gateway's callback page.
    window.location.assign(path`/api/channels/${channel.id}/oauth/authorize`);
  };

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const secretRequired = oauthSecretRequirement(channel, draft.clientId);

  return (
    <StepSection n={3} id="oauth" title="Genesys OAuth" step={stepOf(status, 'oauth')}>
      <p>The gateway calls the Genesys API (publishing bots, v2 replies, participant data, notifications) with an OAuth client of your organization.</p>
      <CopyField label="Callback URL (Authorized redirect URI)" value={channel.oauthCallbackUrl} testid="oauth-callback-url" />
      <GenesysSteps>
        <li>
          <MenuPath parts={['Admin', 'Integrations', 'OAuth']} />: <strong>Add Client</strong>, give it a name.
        </li>
        <li>
          Grant type <strong>Code Authorization</strong>; paste the Callback URL above into <strong>Authorized redirect URIs</strong>; add the scopes checked below. (Server to server instead: <strong>Client Credentials</strong> with a role that has <code>integration:botconnector:view</code>, <code>integration:botconnector:edit</code> and <code>integration:botconnector:send</code>, plus <code>conversation:message:create</code> for notifications to an address.)
        </li>
        <li>
          <strong>Save</strong>, then copy the <strong>Client ID</strong> and <strong>Client Secret</strong> into the form below.
        </li>
      </GenesysSteps>
      <FileManaged
        channel={channel}
        name="oauth"
        hint={
          <>
            Change the OAuth client in the channels file (<code>genesys.oauth</code>: <code>clientId</code>, <code>clientSecret</code>, <code>grant</code>, <code>pkce</code>, <code>scopes</code>). Authorize or Connect below works here.
          </>
        }
      >
        <form
          class="form-grid"
          data-testid="oauth-form"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved('');
            void save.run();
          }}
        >
          <div class="field">
            <label for="oauth-client-id">Client ID</label>
            <input id="oauth-client-id" required value={draft.clientId} onInput={(e) => set('clientId', e.currentTarget.value)} autoCapitalize="none" spellcheck={false} autocomplete="off" data-testid="oauth-client-id" />
          </div>
          <div class="field">
            <label for="oauth-client-secret">Client Secret</label>
            <input
              id="oauth-client-secret"
              type="password"
              autocomplete="new-password"
              required={secretRequired !== null}
              value={draft.clientSecret}
              onInput={(e) => set('clientSecret', e.currentTarget.value)}
              aria-describedby="oauth-client-secret-hint"
              data-testid="oauth-client-secret"
            />
            <p class="hint" id="oauth-client-secret-hint">
              {isFromFile(channel)
                ? 'Set in the channels file; never shown here.'
                : secretRequired === 'missing'
                  ? 'Required. Stored encrypted; never shown again.'
                  : secretRequired === 'new-client'
                    ? 'Required again for a new client id: the stored secret is never sent to another client or host.'
                    : 'A secret is set. Leave empty to keep it; type a new one to replace it.'}
            </p>
          </div>
          <fieldset class="field">
            <legend>Grant type</legend>
            <label class="choice">
              <input type="radio" name="oauth-grant" value="authorization_code" checked={draft.grant === 'authorization_code'} onChange={() => set('grant', 'authorization_code')} data-testid="oauth-grant-code" />
              Code Authorization (an admin approves in Genesys)
            </label>
            <label class="choice">
              <input type="radio" name="oauth-grant" value="client_credentials" checked={draft.grant === 'client_credentials'} onChange={() => set('grant', 'client_credentials')} data-testid="oauth-grant-client-credentials" />
              Client Credentials (server to server)
            </label>
          </fieldset>
          {draft.grant === 'authorization_code' && (
            <div class="field">
              <label class="choice">
                <input type="checkbox" checked={draft.pkce} onChange={(e) => set('pkce', e.currentTarget.checked)} data-testid="oauth-pkce" />
                Use PKCE (recommended)
              </label>
            </div>
          )}
          <fieldset class="field">
            <legend>Scopes</legend>
            {KNOWN_SCOPES.map((k) => (
              <label class="choice" key={k.scope}>
                <input
                  type="checkbox"
                  checked={draft.scopes.includes(k.scope)}
                  onChange={(e) => set('scopes', e.currentTarget.checked ? [...draft.scopes, k.scope].filter((s, i, a) => a.indexOf(s) === i) : draft.scopes.filter((s) => s !== k.scope))}
                  data-testid={`oauth-scope-${k.scope}`}
                />
                <code>{k.scope}</code> <span class="muted">— {k.why}</span>
              </label>
            ))}
            <label for="oauth-other-scopes" class="sub-label">
              Other scopes (comma separated)
            </label>
            <input id="oauth-other-scopes" value={draft.otherScopes} onInput={(e) => set('otherScopes', e.currentTarget.value)} autoCapitalize="none" spellcheck={false} data-testid="oauth-other-scopes" />
          </fieldset>
          <ErrorAlert error={save.error} testid="oauth-save-error" />
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={save.busy || !dirty} data-testid="oauth-save">
              Save OAuth client
            </button>
            <p role="status" class="status-line" data-testid="oauth-saved">
              {saved}
            </p>
          </div>
        </form>
      </FileManaged>

      <div class="oauth-connect">
        <h3>Connection</h3>
        <OAuthStatusView status={oauth} loading={loadStatus.busy} channelId={channel.id} grant={channel.genesys.oauth?.grant} />
        <ErrorAlert error={loadStatus.error} testid="oauth-status-error" />
        {configured && channel.genesys.oauth?.grant === 'authorization_code' && (
          <>
            <button type="button" class="btn btn-primary" onClick={authorize} disabled={dirty} aria-describedby="oauth-authorize-hint" data-testid="oauth-authorize">
              {oauth?.connected ? 'Authorize again' : 'Authorize'}
            </button>
            <p class="hint" id="oauth-authorize-hint">
              {dirty
                ? 'Save the OAuth client first.'
                : 'Opens Genesys Cloud in this tab to approve the gateway. Afterwards Genesys returns to the gateway’s callback page, which says “Connected” or what failed; come back to this page to continue.'}
            </p>
          </>
        )}
        {configured && channel.genesys.oauth?.grant === 'client_credentials' && (
          <>
            <button type="button" class="btn btn-primary" onClick={() => void connect.run()} disabled={dirty || connect.busy} data-testid="oauth-connect">
              {connect.busy ? 'Connecting…' : 'Connect'}
            </button>
            <ErrorAlert error={connect.error} testid="oauth-connect-error" />
          </>
        )}
        {!configured && (
          <Notice>
            {isFromFile(channel) ? (
              <>
                Add <code>genesys.oauth</code> to this channel in the channels file and restart the gateway to connect.
              </>
            ) : (
              'Save an OAuth client above to connect.'
            )}
          </Notice>
        )}
        <button type="button" class="btn btn-secondary btn-small" onClick={() => void loadStatus.run()} disabled={loadStatus.busy} data-testid="oauth-status-refresh">
          Refresh status
        </button>
      </div>
    </StepSection>
  );
}

/**
 * What waits while the channel is not connected, and the one click (or command) that fixes it:
 * the same cause the worker logs and the terminal chat prints.
 */
function NotConnectedConsequence({ grant, channelId }: { grant?: OAuthGrant; channelId?: string }) {
  const click = grant === 'client_credentials' ? 'Connect' : 'Authorize';
  return (
    <>
      {' '}
      Until then, v2 (Digital Bot Connector) replies, participant data for agents and notifications wait in the gateway&rsquo;s outbox: click <strong>{click}</strong> below
      {grant !== 'client_credentials' && channelId ? (
        <>
          {' '}
          (or, from a terminal, <code>npm run admin -- authorize {channelId}</code>)
        </>
      ) : null}
      .
    </>
  );
}

export function OAuthStatusView({ status, loading, channelId, grant }: { status: OAuthStatus | null; loading?: boolean; channelId?: string; grant?: OAuthGrant }) {
  let body;
  if (!status) body = loading ? 'Checking…' : 'Unknown.';
  else if (status.configured === false) body = 'No OAuth client configured.';
  else if (status.connected && !status.reauthorizeNeeded)
    body = (
      <>
        <strong>Connected.</strong>
        {status.expiresAt && <> Token valid until {formatDateTime(status.expiresAt)} (renewed automatically).</>}
        {status.scopes?.length ? <> Scopes: {status.scopes.join(', ')}.</> : null}
      </>
    );
  else if (status.reauthorizeNeeded)
    body = (
      <>
        <strong>{status.connected ? 'Re-authorization needed.' : 'Not connected.'}</strong> {status.reason ?? ''}
        {!status.connected && <NotConnectedConsequence grant={grant ?? status.grant} channelId={channelId} />}
      </>
    );
  else
    body = (
      <>
        <strong>Not connected.</strong> {status.reason ?? ''}
        <NotConnectedConsequence grant={grant ?? status.grant} channelId={channelId} />
      </>
    );
  const tone = status?.connected && !status.reauthorizeNeeded ? 'ok' : status?.reauthorizeNeeded ? 'warn' : 'info';
  return (
    <div class={`notice notice-${tone}`} role="status" data-testid="oauth-status" data-connected={String(!!status?.connected)}>
      <p>{body}</p>
    </div>
  );
}
