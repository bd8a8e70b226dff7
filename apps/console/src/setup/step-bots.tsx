import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, path, query } from '../api.js';
import { ErrorAlert, Notice, announce, useAction } from '../components/ui.js';
import { formatDateTime, nextVersion, splitList } from '../format.js';
import type { BotListDrift, BotView, ChannelView, ProviderDescription, PublishView } from '../types.js';
import { configPatch, sortProblems, type ConfigContext, type ConfigEdits } from './provider-config.js';
import { ProviderConfigForm } from './provider-form.js';
import { FileManaged, MenuPath, StepSection, isFromFile, stepOf, type StepProps } from './step.js';

/** The editable form of a bot: lists as text, everything else kept as it came. */
export interface BotDraft {
  key: number;
  original: BotView | null;
  id: string;
  name: string;
  versions: string;
  languages: string;
  intents: string[];
  provider: string;
  /** Edits of the provider's config form (see provider-config.ts); cleared when the provider changes. */
  edits: ConfigEdits;
}

let keySeq = 0;

export function draftsOf(bots: BotView[]): BotDraft[] {
  return bots.map((b) => ({
    key: ++keySeq,
    original: b,
    id: b.id,
    name: b.name ?? '',
    versions: b.versions.join(', '),
    languages: b.languages.join(', '),
    intents: b.intents.map((i) => i.name),
    provider: b.provider?.name ?? 'demo',
    edits: {},
  }));
}

/** The form's view of a bot's provider config: the stored one while the provider stays, none for a provider just chosen. */
export function configContext(d: BotDraft, description: ProviderDescription | undefined): ConfigContext {
  const same = d.original?.provider.name === d.provider;
  return {
    fields: description?.fields ?? [],
    secrets: description?.secrets ?? [],
    stored: same ? (d.original?.provider.config ?? {}) : {},
    secretsSet: same ? (d.original?.provider.secretsSet ?? []) : [],
  };
}

/**
 * The bots as PATCH sends them. The provider goes as name, limits and a merge patch of its config
 * (only what was edited: the server keeps the rest, secrets included); never the view's own
 * `secretsSet` or `url`, which are not settings.
 */
export function botsOf(drafts: BotDraft[], describe: (name: string) => ProviderDescription | undefined): BotView[] {
  return drafts.map((d) => {
    const orig = d.original;
    const prevIntents = new Map((orig?.intents ?? []).map((i) => [i.name, i]));
    const intents = d.intents.map((n) => n.trim()).filter(Boolean).map((name) => prevIntents.get(name) ?? { name });
    const name = d.provider.trim() || 'demo';
    const limits = orig ? { ...(orig.provider.timeoutMs !== undefined ? { timeoutMs: orig.provider.timeoutMs } : {}), ...(orig.provider.retries !== undefined ? { retries: orig.provider.retries } : {}) } : {};
    return {
      ...(orig ?? {}),
      id: d.id.trim(),
      name: d.name.trim() || d.id.trim(),
      versions: splitList(d.versions),
      languages: splitList(d.languages),
      intents,
      provider: { name, ...limits, config: configPatch(configContext(d, describe(name)), d.edits) },
    } as BotView;
  });
}

export function BotsStep({ channel, status, setChannel, reload }: StepProps) {
  const [drafts, setDrafts] = useState<BotDraft[]>(() => draftsOf(channel.bots));
  const [integrationId, setIntegrationId] = useState(channel.genesys.integrationId ?? '');
  const [publishView, setPublishView] = useState<PublishView | null>(null);
  const [prune, setPrune] = useState(false);
  const [published, setPublished] = useState('');
  const [providers, setProviders] = useState<ProviderDescription[] | null>(null);
  useEffect(() => {
    setDrafts(draftsOf(channel.bots));
    setIntegrationId(channel.genesys.integrationId ?? '');
  }, [channel.id]);
  const loadProviders = useAction(async () => {
    setProviders((await api.get<{ entities: ProviderDescription[] }>('/api/bot-providers')).entities);
  });
  useEffect(() => {
    void loadProviders.run();
  }, []);
  const describe = (name: string) => providers?.find((p) => p.name === name);
  const dirtyBots = JSON.stringify(botsOf(drafts, describe)) !== JSON.stringify(botsOf(draftsOf(channel.bots), describe));
  const dirtyIntegration = integrationId.trim() !== (channel.genesys.integrationId ?? '');

  const loadPublish = useAction(async (refresh: boolean) => {
    setPublishView(await api.get<PublishView>(path`/api/channels/${channel.id}/publish` + query({ refresh: refresh || undefined })));
  });
  useEffect(() => {
    void loadPublish.run(false);
  }, [channel.id]);

  const saveIntegration = useAction(async () => {
    const next = await api.patch<ChannelView>(path`/api/channels/${channel.id}`, { genesys: { integrationId: integrationId.trim() || null } });
    setChannel(next);
    announce('Integration id saved');
    await reload();
  });
  const saveBots = useAction(async () => {
    const next = await api.patch<ChannelView>(path`/api/channels/${channel.id}`, { bots: botsOf(drafts, describe) });
    setChannel(next);
    setDrafts(draftsOf(next.bots));
    announce('Bots saved');
    await Promise.all([reload(), loadPublish.run(false)]);
  });
  const publish = useAction(async (force: boolean) => {
    setPublished('');
    const view = await api.post<PublishView>(path`/api/channels/${channel.id}/publish` + query({ prune: prune || undefined, force: force || undefined }));
    setPublishView(view);
    const msg = view.lastPublish?.ok === false ? `Publish failed: ${view.lastPublish.error ?? ''}` : 'Bot list published to Genesys Cloud.';
    setPublished(msg);
    announce(msg);
    await reload();
  });

  const update = (key: number, patch: Partial<BotDraft>) => setDrafts((ds) => ds.map((d) => (d.key === key ? { ...d, ...patch } : d)));
  const conflict = publish.error instanceof ApiError && publish.error.status === 409 && publish.error.code === 'conflict' ? publish.error : null;
  const conflictBots = conflict ? conflictRefs(conflict.details) : [];
  const fromFile = isFromFile(channel);
  // A refused save: each provider problem next to its field, the rest in the alert.
  const problems = sortProblems(saveBots.error, drafts.map((d) => ({ fields: describe(d.provider)?.fields ?? [] })));
  const saveError = saveBots.error instanceof ApiError && saveBots.error.status === 400 ? new ApiError(400, saveBots.error.code, saveBots.error.message, problems.rest) : saveBots.error;
  const shownAtFields = problems.perBot.some((p) => p.provider.length || Object.keys(p.fields).length);
  const providerOptions = (current: string) => {
    const known = providers ?? [];
    return known.some((p) => p.name === current) ? known : [...known, { name: current, title: '', fields: [], secrets: [] } as ProviderDescription];
  };

  return (
    <StepSection n={4} id="bots" title="Bots published" step={stepOf(status, 'bots')}>
      <p>
        Architect lists the bots, versions and intents the gateway publishes to your Bot Connector integration. Each intent becomes an output path of <strong>Call Bot Connector</strong>.
      </p>
      <FileManaged
        channel={channel}
        name="integration"
        hint={
          <>
            Set the integration id in the channels file (<code>genesys.integrationId</code>).
          </>
        }
      >
        <form
          class="inline-form"
          data-testid="integration-form"
          onSubmit={(e) => {
            e.preventDefault();
            void saveIntegration.run();
          }}
        >
          <div class="field grow">
            <label for="integration-id">Bot Connector integration id</label>
            <input id="integration-id" value={integrationId} onInput={(e) => setIntegrationId(e.currentTarget.value)} autoCapitalize="none" spellcheck={false} aria-describedby="integration-id-hint" data-testid="integration-id" />
            <p class="hint" id="integration-id-hint">
              From Genesys Cloud: <MenuPath parts={['Admin', 'Integrations', 'your Bot Connector', 'Details']} /> (also the last part of its page address). Needed to publish.
            </p>
          </div>
          <button type="submit" class="btn btn-primary" disabled={!dirtyIntegration || saveIntegration.busy} data-testid="integration-save">
            Save id
          </button>
        </form>
      </FileManaged>
      <ErrorAlert error={saveIntegration.error} testid="integration-error" />

      <FileManaged
        channel={channel}
        name="bots"
        hint={
          <>
            Change bots, versions and intents in the channels file (<code>bots</code>); after the gateway restarts, publish them here.
          </>
        }
      >
        <form
          class="bots-form"
          data-testid="bots-form"
          onSubmit={(e) => {
            e.preventDefault();
            void saveBots.run();
          }}
        >
          <h3>Bots</h3>
          {drafts.length === 0 && <p class="muted">No bots. Add one.</p>}
          {drafts.map((d, bi) => (
            <fieldset class="bot" key={d.key} data-testid="bot" data-bot-id={d.id}>
              <legend>
                Bot {bi + 1}
                {d.id ? `: ${d.id}` : ''}
              </legend>
              <div class="form-grid cols-3">
                <div class="field">
                  <label for={`bot-${d.key}-id`}>Bot id</label>
                  <input
                    id={`bot-${d.key}-id`}
                    required
                    readOnly={!!d.original}
                    value={d.id}
                    onInput={(e) => update(d.key, { id: e.currentTarget.value })}
                    autoCapitalize="none"
                    spellcheck={false}
                    aria-describedby={d.original ? `bot-${d.key}-id-hint` : undefined}
                    data-testid="bot-id"
                  />
                  {d.original && (
                    <p class="hint" id={`bot-${d.key}-id-hint`}>
                      Fixed: flows and the bot’s provider settings refer to it. Add a new bot for a new id.
                    </p>
                  )}
                </div>
                <div class="field">
                  <label for={`bot-${d.key}-name`}>Bot name (shown in Architect)</label>
                  <input id={`bot-${d.key}-name`} value={d.name} onInput={(e) => update(d.key, { name: e.currentTarget.value })} data-testid="bot-name" />
                </div>
                <div class="field">
                  <label for={`bot-${d.key}-provider`}>Provider</label>
                  <select
                    id={`bot-${d.key}-provider`}
                    value={d.provider}
                    onChange={(e) => update(d.key, { provider: e.currentTarget.value, edits: {} })}
                    aria-describedby={[`bot-${d.key}-provider-hint`, problems.perBot[bi]?.provider.length ? `bot-${d.key}-provider-error` : ''].filter(Boolean).join(' ')}
                    aria-invalid={problems.perBot[bi]?.provider.length ? 'true' : undefined}
                    data-testid="bot-provider"
                  >
                    {providerOptions(d.provider).map((p) => (
                      <option key={p.name} value={p.name}>
                        {p.title ? `${p.name} — ${p.title}` : providers ? `${p.name} (not registered in this gateway)` : p.name}
                      </option>
                    ))}
                  </select>
                  <p class="hint" id={`bot-${d.key}-provider-hint`}>
                    Which bot answers.{' '}
                    {d.original && d.original.provider.name !== d.provider ? `Switching from ${d.original.provider.name} starts with empty settings: its stored ones, secrets included, are replaced when you save.` : 'Its settings are below.'}
                  </p>
                  {problems.perBot[bi]?.provider.map((e, i) => (
                    <p key={i} class="field-error" id={i === 0 ? `bot-${d.key}-provider-error` : undefined} data-testid="bot-provider-error">
                      {e}
                    </p>
                  ))}
                </div>
                <div class="field">
                  <label for={`bot-${d.key}-versions`}>Versions</label>
                  <input id={`bot-${d.key}-versions`} required value={d.versions} onInput={(e) => update(d.key, { versions: e.currentTarget.value })} aria-describedby={`bot-${d.key}-versions-hint`} data-testid="bot-versions" />
                  <p class="hint" id={`bot-${d.key}-versions-hint`}>
                    Comma separated, e.g. <code>1.0, 1.1</code>. Each is published with the intents below; once published, changed intents need a new version.{' '}
                    <button type="button" class="btn-link" onClick={() => update(d.key, { versions: [...splitList(d.versions), nextVersion(splitList(d.versions))].join(', ') })} data-testid="bot-add-version">
                      Add version {nextVersion(splitList(d.versions))}
                    </button>
                  </p>
                </div>
                <div class="field">
                  <label for={`bot-${d.key}-languages`}>Languages</label>
                  <input id={`bot-${d.key}-languages`} required value={d.languages} onInput={(e) => update(d.key, { languages: e.currentTarget.value })} aria-describedby={`bot-${d.key}-languages-hint`} data-testid="bot-languages" />
                  <p class="hint" id={`bot-${d.key}-languages-hint`}>
                    Comma separated, e.g. <code>en-us, de-de</code>.
                  </p>
                </div>
              </div>
              <ProviderConfigForm
                idPrefix={`bot-${d.key}`}
                providerName={d.provider}
                description={describe(d.provider)}
                loading={!providers && !loadProviders.error}
                ctx={configContext(d, describe(d.provider))}
                edits={d.edits}
                onEdit={(key, state) => update(d.key, { edits: { ...d.edits, [key]: state } })}
                errors={problems.perBot[bi]?.fields ?? {}}
              />
              <div class="intents">
                <p class="sub-label" id={`bot-${d.key}-intents-label`}>
                  Intents
                </p>
                <ul class="intent-list" aria-labelledby={`bot-${d.key}-intents-label`}>
                  {d.intents.map((name, ii) => (
                    <li key={ii} class="intent-row" data-testid="bot-intent">
                      <label for={`bot-${d.key}-intent-${ii}`} class="visually-hidden">
                        Intent {ii + 1} of bot {d.id || bi + 1}
                      </label>
                      <input id={`bot-${d.key}-intent-${ii}`} value={name} onInput={(e) => update(d.key, { intents: d.intents.map((x, j) => (j === ii ? e.currentTarget.value : x)) })} data-testid="bot-intent-name" />
                      <button type="button" class="btn btn-secondary btn-small" onClick={() => update(d.key, { intents: d.intents.filter((_, j) => j !== ii) })} aria-label={`Remove intent ${name || ii + 1}`} data-testid="bot-intent-remove">
                        Remove
                      </button>
                    </li>
                  ))}
                  <li class="intent-row is-fixed" data-testid="bot-intent-fixed">
                    <code>{channel.handoff.intent}</code> <span class="badge badge-neutral">always registered</span> <span class="muted">handoff to an agent; slots queue, reason, summary</span>
                  </li>
                  <li class="intent-row is-fixed" data-testid="bot-intent-fixed">
                    <code>{channel.handoff.endIntent}</code> <span class="badge badge-neutral">always registered</span> <span class="muted">end of conversation</span>
                  </li>
                </ul>
                <button type="button" class="btn btn-secondary btn-small" onClick={() => update(d.key, { intents: [...d.intents, ''] })} data-testid="bot-intent-add">
                  Add intent
                </button>
              </div>
              <div class="bot-actions">
                <button type="button" class="btn btn-danger-outline btn-small" onClick={() => setDrafts((ds) => ds.filter((x) => x.key !== d.key))} aria-label={`Remove bot ${d.id || bi + 1}`} data-testid="bot-remove">
                  Remove bot
                </button>
              </div>
            </fieldset>
          ))}
          <div class="form-actions">
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() => setDrafts((ds) => [...ds, { key: ++keySeq, original: null, id: '', name: '', versions: '1.0', languages: channel.defaultLanguage || 'en-us', intents: [], provider: 'demo', edits: {} }])}
              data-testid="bot-add"
            >
              Add bot
            </button>
            <button type="submit" class="btn btn-primary" disabled={!dirtyBots || saveBots.busy} data-testid="bots-save">
              Save bots
            </button>
            {dirtyBots && (
              <button type="button" class="btn btn-secondary" onClick={() => setDrafts(draftsOf(channel.bots))} data-testid="bots-reset">
                Discard changes
              </button>
            )}
          </div>
          <ErrorAlert error={saveError} testid="bots-error">
            {shownAtFields && <p>Problems with provider settings are shown next to their fields.</p>}
          </ErrorAlert>
          <ErrorAlert error={loadProviders.error} testid="bot-providers-error">
            <p>The provider list could not be loaded: each bot keeps its provider and settings.</p>
          </ErrorAlert>
        </form>
      </FileManaged>

      <div class="publish">
        <h3>Publish to Genesys Cloud</h3>
        <label class="choice">
          <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.currentTarget.checked)} data-testid="publish-prune" />
          Also remove bots and versions Genesys lists that are no longer configured here
        </label>
        <div class="form-actions">
          <button type="button" class="btn btn-primary" onClick={() => void publish.run(false)} disabled={publish.busy || dirtyBots || dirtyIntegration} aria-describedby="publish-hint" data-testid="publish-button">
            {publish.busy ? 'Publishing…' : 'Publish'}
          </button>
          <button type="button" class="btn btn-secondary" onClick={() => void loadPublish.run(true)} disabled={loadPublish.busy} data-testid="publish-compare">
            Compare with Genesys now
          </button>
        </div>
        <p class="hint" id="publish-hint">
          {dirtyBots || dirtyIntegration ? 'Save your changes first: Publish sends the saved bots.' : 'Checks the list against Genesys’s limits, then sends it. Versions already live are never changed.'}
        </p>
        <p role="status" class="status-line" data-testid="publish-result">
          {published}
        </p>
        {conflict ? (
          <div class="notice notice-warn" role="alert" data-testid="publish-conflict">
            <p>
              <strong>Add a new version.</strong> A version that is already published in Genesys would get different intents. Architect flows keep the bot list they were published with, so a published version is never changed under them. Every version listed for a bot is published with the bot’s current intents, so list a new version (for example <code>1.1</code>) <em>instead of</em> the published one: the old version stays in Genesys for the flows that use it. {fromFile ? 'Change the versions in the channels file and restart the gateway,' : 'Save,'} publish, then select the new version in your flow.
            </p>
            {conflict.details.length > 0 && (
              <ul>
                {conflict.details.map((d, i) => (
                  <li key={i}>{d}</li>
                ))}
              </ul>
            )}
            <div class="form-actions">
              {fromFile ? null : conflictBots.map(({ botId, versions }) => {
                const draft = drafts.find((x) => x.id === botId);
                if (!draft) return null;
                const current = splitList(draft.versions);
                const next = nextVersion(current);
                const kept = current.filter((v) => !versions.includes(v));
                return (
                  <button key={botId} type="button" class="btn btn-primary btn-small" onClick={() => update(draft.key, { versions: [...kept, next].join(', ') })} data-testid="publish-conflict-add-version">
                    Use version {next} instead of {versions.join(', ')} for {botId}
                  </button>
                );
              })}
              <button type="button" class="btn btn-danger-outline btn-small" onClick={() => void publish.run(true)} data-testid="publish-force">
                Publish anyway (running flows may break)
              </button>
            </div>
          </div>
        ) : (
          <ErrorAlert error={publish.error} testid="publish-error" />
        )}
        <ErrorAlert error={loadPublish.error} testid="publish-status-error" />
        {publishView && <PublishSummary view={publishView} />}
      </div>
    </StepSection>
  );
}

/** The backend lists conflicts as "<botId> <version>: <differences>"; grouped by bot. */
export function conflictRefs(details: string[]): { botId: string; versions: string[] }[] {
  const byBot = new Map<string, string[]>();
  for (const d of details) {
    const m = /^(\S+) (\S+?):/.exec(d);
    if (!m) continue;
    const list = byBot.get(m[1]!) ?? [];
    if (!list.includes(m[2]!)) list.push(m[2]!);
    byBot.set(m[1]!, list);
  }
  return [...byBot].map(([botId, versions]) => ({ botId, versions }));
}

export function PublishSummary({ view }: { view: PublishView }) {
  const last = view.lastPublish;
  return (
    <div class="publish-summary" data-testid="publish-summary">
      <p data-testid="publish-last">
        {last ? (
          <>
            Last publish: {formatDateTime(last.at)} — {last.ok ? <strong class="ok-text">succeeded</strong> : <strong class="bad-text">failed</strong>}
            {last.error ? `: ${last.error}` : ''}
            {last.bots?.length ? ` (${last.bots.map((b) => `${b.id} ${b.versions.join(', ')}`).join('; ')})` : ''}
          </>
        ) : (
          'Never published.'
        )}
      </p>
      {view.drift && <DriftView drift={view.drift} comparedWith={view.comparedWith} />}
    </div>
  );
}

export function DriftView({ drift, comparedWith }: { drift: BotListDrift; comparedWith?: string }) {
  const against = comparedWith === 'genesys' ? 'what Genesys holds now' : 'the last publish';
  if (drift.inSync) {
    return (
      <Notice tone="ok" testid="publish-drift">
        <p>In sync: the configured bots match {against}.</p>
      </Notice>
    );
  }
  const v = (r: { botId: string; version: string }) => `${r.botId} ${r.version}`;
  const rows: { label: string; items: string[]; tone: string }[] = [
    { label: 'Not in Genesys yet (publishing adds them)', items: [...drift.missingBots.map((b) => `bot ${b}`), ...drift.missingVersions.map(v)], tone: 'info' },
    { label: 'Published versions whose intents differ (add a new version)', items: drift.changedVersions.map((c) => `${v(c)}: ${c.differences.join('; ')}`), tone: 'warn' },
    { label: 'Bot name or description differs (publishing overwrites)', items: drift.changedBots.map((c) => `${c.botId}: ${c.differences.join('; ')}`), tone: 'info' },
    { label: 'In Genesys but no longer configured (kept unless you publish with “remove”)', items: [...drift.extraBots.map((b) => `bot ${b}`), ...drift.extraVersions.map(v)], tone: 'info' },
  ].filter((r) => r.items.length);
  return (
    <div class="notice notice-warn" data-testid="publish-drift">
      <p>
        <strong>Drift</strong> against {against}:
      </p>
      {rows.map((r) => (
        <div key={r.label}>
          <p>{r.label}</p>
          <ul>
            {r.items.map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
