import { useState } from 'preact/hooks';
import { api, path } from '../api.js';
import { CopyField, ErrorAlert, Field, Notice, announce, useAction } from '../components/ui.js';
import type { ChannelView, DbcSecretAnswer } from '../types.js';
import { FileManaged, GenesysSteps, MenuPath, isFromFile } from './step.js';

/** What to build in Architect, with this channel's own names filled in. */
export function ArchitectGuide({ channel }: { channel: ChannelView }) {
  const bot = channel.bots[0];
  const version = bot?.versions.at(-1);
  const queue = channel.handoff.defaultQueue;
  return (
    <section class="panel guide" aria-labelledby="guide-architect-title" data-testid="guide-architect">
      <h2 id="guide-architect-title">Architect: Call Bot Connector</h2>
      <GenesysSteps>
        <li>
          <MenuPath parts={['Admin', 'Architect', 'Flows: Inbound Message']} />: add a flow (or open yours).
        </li>
        <li>
          In its starting task add <MenuPath parts={['Toolbox', 'Bot', 'Call Bot Connector']} />.
        </li>
        <li>
          <strong>Bot Integration</strong>: your Bot Connector integration. <strong>Bot Name</strong>: {bot ? <code>{bot.name ?? bot.id}</code> : 'one of the published bots'}; <strong>Bot Version</strong>: {version ? <code>{version}</code> : 'the published version'}. <strong>Bot Input Text</strong>: <code>Message.Message.Body</code>.
        </li>
        <li>
          Every intent is an output path:
          <ul>
            {bot?.intents.map((i) => (
              <li key={i.name}>
                <code>{i.name}</code>: connect it to what should follow. The gateway keeps the dialogue inside the action and leaves it only with an intent, so each path is the end of the bot’s part.
              </li>
            ))}
            <li>
              <code>{channel.handoff.intent}</code>: <strong>Transfer to ACD</strong>. The queue can come from the slot <code>queue</code> or the session variable <code>handoffQueue</code>
              {queue ? (
                <>
                  {' '}
                  (default <code>{queue}</code>)
                </>
              ) : null}
              .
            </li>
            <li>
              <code>{channel.handoff.endIntent}</code>: <strong>Disconnect</strong>.
            </li>
            <li>
              <strong>Failure</strong> path: <strong>Transfer to ACD</strong> too, so no customer is stuck.
            </li>
          </ul>
        </li>
        <li>
          <strong>Publish</strong> the flow.
        </li>
      </GenesysSteps>
    </section>
  );
}

export function MessengerGuide() {
  return (
    <section class="panel guide" aria-labelledby="guide-messenger-title" data-testid="guide-messenger">
      <h2 id="guide-messenger-title">Messenger and Message Routing</h2>
      <GenesysSteps>
        <li>
          <MenuPath parts={['Admin', 'Message', 'Messenger Configurations']} />: create a configuration (look, languages, attachments).
        </li>
        <li>
          <MenuPath parts={['Admin', 'Message', 'Messenger Deployments']} />: add a deployment, status <strong>Active</strong>, select the configuration, and restrict the domains that may embed it. Paste its snippet into your web page.
        </li>
        <li>
          <MenuPath parts={['Admin', 'Routing', 'Message Routing']} />: route the deployment’s inbound messages to the flow that calls the bot.
        </li>
        <li>Open your page, send a message: the turn appears under Conversations here.</li>
      </GenesysSteps>
    </section>
  );
}

/** Optional v2: generate the connection secret (shown once) and say where it goes. */
export function DigitalBotConnectorPanel({ channel, reload }: { channel: ChannelView; reload: () => Promise<void> }) {
  const dbc = channel.genesys.digitalBotConnector;
  const [header, setHeader] = useState(dbc?.secretHeader ?? 'X-Connection-Secret');
  const [windowMs, setWindowMs] = useState(String(dbc?.inlineWindowMs ?? 800));
  const [shown, setShown] = useState<DbcSecretAnswer | null>(null);
  const generate = useAction(async () => {
    const ms = Number(windowMs);
    const answer = await api.post<DbcSecretAnswer>(path`/api/channels/${channel.id}/dbc/secret`, {
      secretHeader: header.trim() || undefined,
      inlineWindowMs: Number.isFinite(ms) && windowMs !== '' ? ms : undefined,
    });
    setShown(answer);
    announce('Connection secret generated. It is shown once.');
    await reload();
  });
  const dbcUrl = channel.dbcUrl;
  return (
    <section class="panel guide" aria-labelledby="guide-dbc-title" data-testid="dbc-panel">
      <h2 id="guide-dbc-title">Optional: Digital Bot Connector (v2)</h2>
      <p>
        With v2, slow answers arrive later through the Genesys API instead of a hold message. It needs the Digital Bot Connector subscription and the OAuth client of step 3. {dbc ? <strong>v2 is configured for this channel.</strong> : 'Not configured yet.'}
      </p>
      {dbcUrl && <CopyField label="Bot Connector URI" value={dbcUrl} testid="dbc-url" />}
      <FileManaged
        channel={channel}
        name="dbc"
        hint={
          <>
            Set v2 up in the channels file (<code>genesys.digitalBotConnector</code>: <code>secret</code> of at least 32 random bytes, <code>secretHeader</code>, <code>inlineWindowMs</code>).
          </>
        }
      >
        <form
          class="form-grid cols-2"
          data-testid="dbc-form"
          onSubmit={(e) => {
            e.preventDefault();
            void generate.run();
          }}
        >
          <Field id="dbc-header" label="Credential field name (header)">
            <input id="dbc-header" value={header} onInput={(e) => setHeader(e.currentTarget.value)} autoCapitalize="none" spellcheck={false} data-testid="dbc-header" />
          </Field>
          <Field id="dbc-window" label="Inline window (ms)" hint="How long a turn may take before the answer goes through the API instead (max 25000).">
            <input id="dbc-window" type="number" min={0} max={25000} step={100} value={windowMs} onInput={(e) => setWindowMs(e.currentTarget.value)} aria-describedby="dbc-window-hint" data-testid="dbc-window" />
          </Field>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={generate.busy} data-testid="dbc-generate">
              {dbc?.secretSet ? 'Generate a new secret' : 'Generate secret and enable v2'}
            </button>
          </div>
        </form>
      </FileManaged>
      {dbc?.secretSet && !shown && !isFromFile(channel) && <p class="hint">A new secret replaces the current one: update the integration’s credentials at the same time.</p>}
      <ErrorAlert error={generate.error} testid="dbc-error" />
      {shown && (
        <section class="shown-once" aria-labelledby="dbc-shown-title" data-testid="dbc-secret-shown">
          <p class="shown-once-title" id="dbc-shown-title">
            Connection secret: shown only once
          </p>
          <p>Copy it into Genesys now; it is not stored in this browser and disappears when you leave this page.</p>
          {channel.dbcUrl && <CopyField label="Bot Connector URI" value={channel.dbcUrl} testid="dbc-url-shown" />}
          <CopyField label="Field name" value={shown.secretHeader} testid="dbc-secret-header" />
          <CopyField label="Value" value={shown.secret} testid="dbc-secret-value" secret />
          <button type="button" class="btn btn-secondary" onClick={() => setShown(null)} data-testid="dbc-secret-hide">
            I have copied it — hide
          </button>
        </section>
      )}
      <GenesysSteps>
        <li>
          <MenuPath parts={['Admin', 'Integrations', '+ Integrations']} />: install <strong>Genesys Digital Bot Connector</strong>.
        </li>
        <li>
          <MenuPath parts={['Configuration', 'Properties']} />: <strong>Bot Connector URI</strong> = the URI above.
        </li>
        <li>
          <MenuPath parts={['Configuration', 'Credentials']} />: a field named as the header above, whose value is the secret. Activate the integration.
        </li>
        <li>
          Genesys reads the bots from the gateway, so no publish is needed. In Architect use <strong>Call Digital Bot Connector</strong> with the same output paths as above.
        </li>
      </GenesysSteps>
      {!channel.genesys.oauth && <Notice tone="warn">v2 replies go through the Genesys API: configure the OAuth client (step 3) too.</Notice>}
    </section>
  );
}
