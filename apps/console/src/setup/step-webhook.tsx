import { useEffect, useState } from 'preact/hooks';
import { normalizeGenesysEnvironment } from '../../../../libs/genesys/src/regions.js';
import { api, path } from '../api.js';
import { REGION_HINT, RegionDatalist } from '../components/region-input.js';
import { CopyField, ErrorAlert, announce, useAction } from '../components/ui.js';
import { formatDateTime } from '../format.js';
import type { ChannelView } from '../types.js';
import { FileManaged, GenesysSteps, MenuPath, StepSection, stepOf, type StepProps } from './step.js';

/**
 * Whether saving `region` moves the OAuth client to another Genesys login host: the gateway then
 * refuses the change unless the client secret comes with it, since the stored one is never sent to
 * a host it was not given for. An override host (`oauth.baseUrl`) stays where it is whatever the
 * region; an unknown region is refused by the server for itself, so no secret is asked for then.
 */
export function regionChangeNeedsOAuthSecret(channel: ChannelView, region: string): boolean {
  const oauth = channel.genesys.oauth;
  if (!oauth || oauth.baseUrl) return false;
  const next = normalizeGenesysEnvironment(region);
  return next !== undefined && next !== channel.genesys.environment;
}

export function WebhookStep({ channel, status, setChannel, reload }: StepProps) {
  const [region, setRegion] = useState(channel.genesys.loginUrl || channel.genesys.environment);
  const [oauthSecret, setOAuthSecret] = useState('');
  const [saved, setSaved] = useState('');
  useEffect(() => setRegion(channel.genesys.loginUrl || channel.genesys.environment), [channel.id]);
  const needsSecret = regionChangeNeedsOAuthSecret(channel, region);
  const save = useAction(async () => {
    const genesys = { environment: region.trim(), ...(needsSecret ? { oauth: { clientSecret: oauthSecret } } : {}) };
    const next = await api.patch<ChannelView>(path`/api/channels/${channel.id}`, { genesys });
    setChannel(next);
    setRegion(next.genesys.loginUrl || next.genesys.environment);
    setOAuthSecret('');
    setSaved(`Saved: ${next.genesys.environment} (login ${next.genesys.loginUrl}).${needsSecret ? ' Authorize or connect again in step 3.' : ''}`);
    announce('Region saved');
    await reload();
  });
  const dirty = region.trim() !== (channel.genesys.loginUrl || channel.genesys.environment);
  return (
    <StepSection n={1} id="webhook" title="Webhook URL and region" step={stepOf(status, 'webhook')}>
      <CopyField label="Webhook URL" value={channel.webhookUrl} testid="webhook-url" hint="Genesys calls this address for every customer message." />
      <GenesysSteps>
        <li>
          <MenuPath parts={['Admin', 'Integrations', '+ Integrations']} />: find <strong>Genesys Bot Connector</strong> and install it.
        </li>
        <li>
          In the integration, open <MenuPath parts={['Configuration', 'Properties']} /> and paste the Webhook URL into <strong>Bot Connector Handle Utterance URI</strong>.
        </li>
        <li>Leave the integration open: its credentials come next (step 2).</li>
      </GenesysSteps>
      <FileManaged
        channel={channel}
        name="region"
        hint={
          <>
            Change the region in the channels file (<code>genesys.environment</code>).
          </>
        }
      >
        <form
          class="inline-form"
          data-testid="region-form"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved('');
            void save.run();
          }}
        >
          <div class="field grow">
            <label for="region-input">Genesys Cloud login URL or region</label>
            <input id="region-input" list="region-options-setup" value={region} onInput={(e) => setRegion(e.currentTarget.value)} required autoCapitalize="none" spellcheck={false} aria-describedby="region-input-hint" data-testid="region-input" />
            <RegionDatalist id="region-options-setup" />
            <p class="hint" id="region-input-hint">
              {REGION_HINT} Now: <span data-testid="region-current">{channel.genesys.environment}</span>.
            </p>
          </div>
          {needsSecret && (
            <div class="field grow">
              <label for="region-oauth-secret">OAuth client secret</label>
              <input
                id="region-oauth-secret"
                type="password"
                autocomplete="new-password"
                required
                value={oauthSecret}
                onInput={(e) => setOAuthSecret(e.currentTarget.value)}
                aria-describedby="region-oauth-secret-hint"
                data-testid="region-oauth-secret"
              />
              <p class="hint" id="region-oauth-secret-hint">
                Required with a new region: the secret of OAuth client <code>{channel.genesys.oauth?.clientId}</code> goes to the region’s login host, and the stored secret is never sent to another client or host. Authorize again afterwards.
              </p>
            </div>
          )}
          <button type="submit" class="btn btn-primary" disabled={save.busy || !dirty} data-testid="region-save">
            Save region
          </button>
        </form>
      </FileManaged>
      <ErrorAlert error={save.error} testid="region-error" />
      <p role="status" class="status-line" data-testid="region-saved">
        {saved}
      </p>
      <p class="muted" data-testid="last-genesys-contact">
        {status?.lastGenesysContactAt ? `Last authenticated call from Genesys: ${formatDateTime(status.lastGenesysContactAt)}.` : 'No authenticated call from Genesys yet.'}
      </p>
    </StepSection>
  );
}
