import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, path } from '../api.js';
import { ErrorAlert, Link, Loading, Notice, announce, useAction, usePageTitle } from '../components/ui.js';
import { formatDateTime } from '../format.js';
import { navigate } from '../router.js';
import type { ChannelStatus, ChannelView } from '../types.js';
import { AppStep } from './step-app.js';
import { BotsStep } from './step-bots.js';
import { EnableStep } from './step-enable.js';
import { OAuthStep } from './step-oauth.js';
import { WebhookStep } from './step-webhook.js';
import { ArchitectGuide, DigitalBotConnectorPanel, MessengerGuide } from './guidance.js';
import { Doctor } from './doctor.js';
import { TestPanel } from './test-panel.js';
import { isFromFile, type StepProps } from './step.js';

const STEP_ORDER = ['webhook', 'app', 'oauth', 'bots', 'enabled'];
const STEP_TITLES: Record<string, string> = { webhook: 'Webhook URL and region', app: 'App credential', oauth: 'Genesys OAuth', bots: 'Bots published', enabled: 'Channel enabled' };

export function SetupPage({ channelId }: { channelId: string }) {
  const [channel, setChannel] = useState<ChannelView | null>(null);
  const [status, setStatus] = useState<ChannelStatus | null>(null);
  usePageTitle(channel ? `Set up ${channel.name}` : 'Channel setup');

  const load = useAction(async () => {
    const [c, s] = await Promise.all([api.get<ChannelView>(path`/api/channels/${channelId}`), api.get<ChannelStatus>(path`/api/channels/${channelId}/status`)]);
    setChannel(c);
    setStatus(s);
  });
  const reload = async () => {
    try {
      const [c, s] = await Promise.all([api.get<ChannelView>(path`/api/channels/${channelId}`), api.get<ChannelStatus>(path`/api/channels/${channelId}/status`)]);
      setChannel(c);
      setStatus(s);
    } catch {
      // The action that called reload already reported its own result.
    }
  };
  useEffect(() => {
    setChannel(null);
    setStatus(null);
    void load.run();
  }, [channelId]);

  const notFound = load.error instanceof ApiError && load.error.status === 404;

  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <Link to="/channels">Channels</Link>
          </li>
          <li aria-current="page">{channel?.name ?? channelId}</li>
        </ol>
      </nav>
      <div class="page-head">
        <h1 data-testid="setup-title">{channel ? `Set up ${channel.name}` : `Channel ${channelId}`}</h1>
        {channel && (
          <p class="lead">
            Channel id <code>{channel.id}</code>
            {isFromFile(channel) && ' · defined in the channels file'} ·{' '}
            <Link to={`/conversations?channelId=${encodeURIComponent(channel.id)}`}>its conversations</Link>
          </p>
        )}
      </div>
      {notFound ? (
        <Notice tone="error" role="alert" testid="setup-not-found">
          <p>
            There is no channel “{channelId}”. <Link to="/channels">Back to channels</Link>
          </p>
        </Notice>
      ) : (
        <ErrorAlert error={load.error} testid="setup-error" />
      )}
      {!channel && load.busy && <Loading what="the channel" />}
      {channel && <ChannelSetup channel={channel} status={status} setChannel={setChannel} reload={reload} />}
    </>
  );
}

/** The setup page once the channel is loaded: notice, progress, doctor, the five steps, guides, test panel, delete. */
export function ChannelSetup({ channel, status, setChannel, reload }: StepProps) {
  const done = status ? STEP_ORDER.filter((id) => status.steps.find((s) => s.id === id)?.done).length : 0;
  return (
    <>
      {isFromFile(channel) && <FileChannelNotice />}
      <nav aria-label="Setup steps" class="stepper" data-testid="setup-progress">
        <p class="stepper-summary">
          {done} of {STEP_ORDER.length} steps done
        </p>
        <ol>
          {STEP_ORDER.map((id, i) => {
            const s = status?.steps.find((x) => x.id === id);
            return (
              <li key={id} class={s?.done ? 'is-done' : ''} data-testid={`progress-${id}`} data-done={String(!!s?.done)}>
                <a href={`#step-${id}`}>
                  <span class="stepper-num" aria-hidden="true">
                    {s?.done ? '✓' : i + 1}
                  </span>
                  <span>{s?.title ?? STEP_TITLES[id]}</span>
                  <span class="visually-hidden">{s?.done ? ' (done)' : ' (to do)'}</span>
                </a>
              </li>
            );
          })}
        </ol>
      </nav>
      {status?.lastError && (
        <Notice tone="warn" testid="setup-last-error">
          <p>
            <strong>Last error</strong>
            {status.lastError.at ? ` (${formatDateTime(status.lastError.at)})` : ''}: {status.lastError.message}
          </p>
        </Notice>
      )}
      <Doctor channelId={channel.id} />
      <div class="steps">
        <WebhookStep channel={channel} status={status} setChannel={setChannel} reload={reload} />
        <AppStep channel={channel} status={status} setChannel={setChannel} reload={reload} />
        <OAuthStep channel={channel} status={status} setChannel={setChannel} reload={reload} />
        <BotsStep channel={channel} status={status} setChannel={setChannel} reload={reload} />
        <EnableStep channel={channel} status={status} setChannel={setChannel} reload={reload} />
      </div>
      <ArchitectGuide channel={channel} />
      <MessengerGuide />
      <DigitalBotConnectorPanel channel={channel} reload={reload} />
      <TestPanel channel={channel} />
      {!isFromFile(channel) && <DeleteChannel channel={channel} />}
    </>
  );
}

/**
 * The API refuses every change to a channel from the channels file (the next start would undo it),
 * so say so before the admin meets a disabled form, and say what still works here.
 */
function FileChannelNotice() {
  return (
    <Notice tone="info" role="note" testid="setup-file-notice">
      <p>
        <strong>This channel is defined in the channels file</strong> (<code>CHANNELS_FILE</code>). Its settings and credentials are changed in that file and take effect when the gateway restarts, so the forms on this page are read-only; to remove the channel, delete it from the file. Authorize or Connect (step 3), Publish (step 4), the setup doctor and the test panel work here as usual.
      </p>
    </Notice>
  );
}

function DeleteChannel({ channel }: { channel: ChannelView }) {
  const [confirm, setConfirm] = useState('');
  const del = useAction(async () => {
    await api.del<void>(path`/api/channels/${channel.id}`);
    announce(`Channel ${channel.name} deleted`);
    navigate('/channels');
  });
  return (
    <section class="panel danger-zone" aria-labelledby="delete-title" data-testid="delete-channel">
      <h2 id="delete-title">Delete this channel</h2>
      <p>Genesys calls to its Webhook URL will fail. Transcripts expire on their own.</p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (confirm === channel.id) void del.run();
        }}
      >
        <div class="field grow">
          <label for="delete-confirm">Type the channel id ({channel.id}) to confirm</label>
          <input id="delete-confirm" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} autoCapitalize="none" spellcheck={false} autocomplete="off" data-testid="delete-confirm" />
        </div>
        <button type="submit" class="btn btn-danger" disabled={confirm !== channel.id || del.busy} data-testid="delete-submit">
          Delete channel
        </button>
      </form>
      <ErrorAlert error={del.error} testid="delete-error" />
    </section>
  );
}
