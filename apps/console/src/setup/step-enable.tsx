import { useState } from 'preact/hooks';
import { api, path } from '../api.js';
import { ErrorAlert, Switch, announce, useAction } from '../components/ui.js';
import type { ChannelView } from '../types.js';
import { FileManaged, StepSection, stepOf, type StepProps } from './step.js';

export function EnableStep({ channel, status, setChannel, reload }: StepProps) {
  const [message, setMessage] = useState('');
  const toggle = useAction(async (next: boolean) => {
    const view = await api.post<ChannelView>(path`/api/channels/${channel.id}/${next ? 'enable' : 'disable'}`);
    setChannel(view);
    const msg = view.enabled ? 'Channel enabled: Genesys calls are answered.' : 'Channel disabled: Genesys calls get 403 forbidden.';
    setMessage(msg);
    announce(msg);
    await reload();
  });
  return (
    <StepSection n={5} id="enabled" title="Channel enabled" step={stepOf(status, 'enabled')}>
      <p id="enable-hint">While disabled, the gateway refuses the channel’s webhook calls (403 <code>forbidden</code>, as for an unknown channel; the logs say it was disabled). Enable it once the steps above are done, then run the setup doctor.</p>
      <FileManaged
        channel={channel}
        name="enabled"
        hint={
          <>
            Set <code>enabled: true</code> or <code>enabled: false</code> in the channels file.
          </>
        }
      >
        <Switch checked={channel.enabled} label="Channel enabled" onChange={(next) => void toggle.run(next)} disabled={toggle.busy} testid="enable-toggle" describedBy="enable-hint" />
      </FileManaged>
      <p role="status" class="status-line" data-testid="enable-result">
        {message}
      </p>
      <ErrorAlert error={toggle.error} testid="enable-error" />
    </StepSection>
  );
}
