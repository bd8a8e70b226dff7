import { useEffect, useState } from 'preact/hooks';
import { api, path } from '../api.js';
import { REGION_HINT, RegionDatalist } from '../components/region-input.js';
import { ErrorAlert, Link, Loading, StatusBadge, announce, useAction, usePageTitle } from '../components/ui.js';
import { navigate } from '../router.js';
import type { ChannelSummary, ChannelView } from '../types.js';

const ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9._\\-]{0,99}';

/** `missing` lists setup step ids; show them as the setup page names them. */
const STEP_NAMES: Record<string, string> = { webhook: 'Webhook URL and region', app: 'App credential', oauth: 'Genesys OAuth', bots: 'Bots published', enabled: 'Channel enabled' };

export function ChannelsPage() {
  usePageTitle('Channels');
  const [channels, setChannels] = useState<ChannelSummary[] | null>(null);
  const load = useAction(async () => {
    const res = await api.get<{ entities: ChannelSummary[] }>('/api/channels');
    setChannels(res.entities);
  });
  useEffect(() => {
    void load.run();
  }, []);

  return (
    <>
      <div class="page-head">
        <h1>Channels</h1>
        <p class="lead">A channel is one Genesys Bot Connector integration served by this gateway. Open a channel to walk through its setup.</p>
      </div>
      <section aria-labelledby="channels-list-title" class="panel">
        <div class="panel-head">
          <h2 id="channels-list-title">All channels</h2>
          <button type="button" class="btn btn-secondary btn-small" onClick={() => void load.run()} disabled={load.busy} data-testid="channels-refresh">
            Refresh
          </button>
        </div>
        <ErrorAlert error={load.error} testid="channels-error" />
        {channels === null ? (
          load.busy ? <Loading what="channels" /> : null
        ) : channels.length === 0 ? (
          <p data-testid="channels-empty">No channels yet. Create the first one below.</p>
        ) : (
          <div class="table-wrap" role="region" aria-label="Channels table" tabIndex={0}>
            <table class="table" data-testid="channels-table">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Status</th>
                  <th scope="col">Still to do</th>
                  <th scope="col">Source</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <tr key={c.id} data-testid="channel-row" data-channel-id={c.id}>
                    <td>
                      <Link to={`/channels/${encodeURIComponent(c.id)}`} data-testid="channel-link">
                        {c.name}
                      </Link>
                      <div class="muted mono">{c.id}</div>
                    </td>
                    <td>
                      <StatusBadge status={c.status} />
                    </td>
                    <td>{c.missing.length ? (
                        <ul class="compact">
                          {c.missing.map((m) => (
                            <li key={m}>{STEP_NAMES[m] ?? m}</li>
                          ))}
                        </ul>
                      ) : (
                        <span class="muted">nothing</span>
                      )}</td>
                    <td>{c.source === 'file' ? 'channels file' : 'console / API'}</td>
                    <td>
                      <Link class="btn btn-small btn-secondary" to={`/channels/${encodeURIComponent(c.id)}`} aria-label={`Set up ${c.name}`}>
                        Set up
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <NewChannelForm />
    </>
  );
}

function NewChannelForm() {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState('');
  const create = useAction(async () => {
    const created = await api.post<ChannelView>('/api/channels', { id: id.trim(), ...(name.trim() ? { name: name.trim() } : {}), environment: environment.trim() });
    announce(`Channel ${created.name} created`);
    navigate(path`/channels/${created.id}`);
  });
  const idInvalid = id !== '' && !new RegExp(`^${ID_PATTERN}$`).test(id);
  return (
    <section aria-labelledby="new-channel-title" class="panel">
      <h2 id="new-channel-title">New channel</h2>
      <form
        class="form-grid"
        data-testid="new-channel-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!idInvalid) void create.run();
        }}
      >
        <div class="field">
          <label for="new-channel-id">Channel id</label>
          <input
            id="new-channel-id"
            required
            pattern={ID_PATTERN}
            maxLength={100}
            autoCapitalize="none"
            spellcheck={false}
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
            aria-describedby="new-channel-id-hint"
            aria-invalid={idInvalid}
            data-testid="new-channel-id"
          />
          <p class="hint" id="new-channel-id-hint">
            Part of the Webhook URL (<code>/genesys/&lt;id&gt;/botconnector</code>): letters, digits, “.”, “_” or “-”.{idInvalid && <strong> This id is not valid.</strong>}
          </p>
        </div>
        <div class="field">
          <label for="new-channel-name">Display name</label>
          <input id="new-channel-name" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="new-channel-name-hint" data-testid="new-channel-name" />
          <p class="hint" id="new-channel-name-hint">
            Optional; the id is used when empty.
          </p>
        </div>
        <div class="field">
          <label for="new-channel-region">Genesys Cloud region or login URL</label>
          <input id="new-channel-region" required list="region-options" value={environment} onInput={(e) => setEnvironment(e.currentTarget.value)} aria-describedby="new-channel-region-hint" autoCapitalize="none" spellcheck={false} data-testid="new-channel-region" />
          <RegionDatalist id="region-options" />
          <p class="hint" id="new-channel-region-hint">
            {REGION_HINT}
          </p>
        </div>
        <ErrorAlert error={create.error} testid="new-channel-error" />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={create.busy} data-testid="new-channel-submit">
            {create.busy ? 'Creating…' : 'Create channel'}
          </button>
        </div>
      </form>
    </section>
  );
}
