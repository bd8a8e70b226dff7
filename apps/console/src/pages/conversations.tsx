import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { describeHandoffReason } from '../components/messenger.js';
import { ErrorAlert, Link, useAction, useInterval, usePageTitle } from '../components/ui.js';
import { formatDateTime, isoToLocalInput, localInputToIso, plural } from '../format.js';
import { navigate, type Location } from '../router.js';
import type { ChannelSummary, ConversationSummary } from '../types.js';

const REFRESH_MS = 3000;
const PAGE = 50;

const keyOf = (c: ConversationSummary) => `${c.channelId}/${c.botSessionId}`;

interface Filters {
  channelId: string;
  outcome: string;
  from: string;
  to: string;
}

function filtersOf(loc: Location): Filters {
  return { channelId: loc.query.get('channelId') ?? '', outcome: loc.query.get('outcome') ?? '', from: loc.query.get('from') ?? '', to: loc.query.get('to') ?? '' };
}

export function ConversationsPage({ location }: { location: Location }) {
  usePageTitle('Conversations');
  const filters = filtersOf(location);
  const filterKey = JSON.stringify(filters);
  const [draft, setDraft] = useState({ ...filters, from: isoToLocalInput(filters.from), to: isoToLocalInput(filters.to) });
  const [channels, setChannels] = useState<ChannelSummary[]>([]);
  const [rows, setRows] = useState<ConversationSummary[] | null>(null);
  const [older, setOlder] = useState<ConversationSummary[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [live, setLive] = useState('');
  const [paused, setPaused] = useState(false);
  const known = useRef<Map<string, string> | null>(null);

  useEffect(() => {
    api.get<{ entities: ChannelSummary[] }>('/api/channels').then((r) => setChannels(r.entities), () => undefined);
  }, []);

  const q = (extra: Record<string, string | number | undefined> = {}) => query({ channelId: filters.channelId, outcome: filters.outcome, from: filters.from, to: filters.to, limit: PAGE, ...extra });

  const load = useAction(async (initial: boolean) => {
    const res = await api.get<{ entities: ConversationSummary[]; next?: string }>(`/api/conversations${q()}`);
    const prev = known.current;
    const added = new Set<string>();
    const updated = new Set<string>();
    const map = new Map<string, string>();
    for (const c of res.entities) {
      map.set(keyOf(c), c.lastActivityAt);
      if (prev && !initial) {
        if (!prev.has(keyOf(c))) added.add(keyOf(c));
        else if (prev.get(keyOf(c)) !== c.lastActivityAt) updated.add(keyOf(c));
      }
    }
    known.current = prev && !initial ? new Map([...prev, ...map]) : map;
    setRows(res.entities);
    if (initial) {
      setNext(res.next);
      setOlder([]);
    }
    if (added.size || updated.size) setFresh(new Set([...added, ...updated]));
    // Only new sessions are announced: activity in known ones would talk every 3 seconds.
    if (added.size) setLive(`${plural(added.size, 'new conversation')}.`);
  });
  const loadOlder = useAction(async () => {
    if (!next) return;
    const res = await api.get<{ entities: ConversationSummary[]; next?: string }>(`/api/conversations${q({ before: next })}`);
    setOlder((o) => [...o, ...res.entities]);
    setNext(res.next);
  });

  useEffect(() => {
    known.current = null;
    setRows(null);
    setFresh(new Set());
    setDraft({ ...filters, from: isoToLocalInput(filters.from), to: isoToLocalInput(filters.to) });
    void load.run(true);
  }, [filterKey]);
  useInterval(() => {
    if (!load.busy) void load.run(false);
  }, REFRESH_MS, !paused);
  // The highlight of new and updated rows fades after a while.
  useEffect(() => {
    if (!fresh.size) return;
    const t = setTimeout(() => setFresh(new Set()), 15_000);
    return () => clearTimeout(t);
  }, [fresh]);

  const firstKeys = new Set((rows ?? []).map(keyOf));
  const all = [...(rows ?? []), ...older.filter((o) => !firstKeys.has(keyOf(o)))];

  const apply = (e: Event) => {
    e.preventDefault();
    navigate(`/conversations${query({ channelId: draft.channelId, outcome: draft.outcome, from: localInputToIso(draft.from), to: localInputToIso(draft.to) })}`, { replace: true });
  };

  return (
    <>
      <div class="page-head">
        <h1>Conversations</h1>
        <p class="lead">Bot sessions, newest activity first. The list refreshes every 3 seconds.</p>
      </div>
      <section class="panel" aria-labelledby="conv-filters-title">
        <h2 id="conv-filters-title" class="visually-hidden">
          Filters
        </h2>
        <form class="filters" onSubmit={apply} data-testid="conversations-filters">
          <div class="field">
            <label for="f-channel">Channel</label>
            <select id="f-channel" value={draft.channelId} onChange={(e) => setDraft({ ...draft, channelId: e.currentTarget.value })} data-testid="filter-channel">
              <option value="">All channels</option>
              {channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.id})
                </option>
              ))}
              {draft.channelId && !channels.some((c) => c.id === draft.channelId) && <option value={draft.channelId}>{draft.channelId}</option>}
            </select>
          </div>
          <div class="field">
            <label for="f-outcome">Outcome</label>
            <select id="f-outcome" value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.currentTarget.value })} data-testid="filter-outcome">
              <option value="">Any</option>
              <option value="reply">Reply</option>
              <option value="handoff">Handoff</option>
              <option value="end">End</option>
              <option value="failed">Failed</option>
            </select>
          </div>
          <div class="field">
            <label for="f-from">From</label>
            <input id="f-from" type="datetime-local" value={draft.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} data-testid="filter-from" />
          </div>
          <div class="field">
            <label for="f-to">To</label>
            <input id="f-to" type="datetime-local" value={draft.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} data-testid="filter-to" />
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" data-testid="filter-apply">
              Apply
            </button>
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() => {
                setDraft({ channelId: '', outcome: '', from: '', to: '' });
                navigate('/conversations', { replace: true });
              }}
              data-testid="filter-clear"
            >
              Clear
            </button>
          </div>
        </form>
      </section>
      <section class="panel" aria-labelledby="conv-list-title">
        <div class="panel-head">
          <h2 id="conv-list-title">Sessions</h2>
          <button type="button" class="btn btn-secondary btn-small" aria-pressed={paused} onClick={() => setPaused(!paused)} data-testid="conversations-pause">
            {paused ? 'Resume auto-refresh' : 'Pause auto-refresh'}
          </button>
        </div>
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="conversations-live">
          {live}
        </p>
        <ErrorAlert error={load.error} testid="conversations-error" />
        {rows === null ? (
          <p role="status">Loading conversations…</p>
        ) : all.length === 0 ? (
          <p data-testid="conversations-empty">No conversations match.</p>
        ) : (
          <div class="table-wrap" role="region" aria-label="Sessions table" tabIndex={0}>
            <table class="table" data-testid="conversations-table">
              <thead>
                <tr>
                  <th scope="col">Last activity</th>
                  <th scope="col">Session</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Turns</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {all.map((c) => (
                  <tr key={keyOf(c)} class={fresh.has(keyOf(c)) ? 'is-new' : ''} data-testid="conversation-row" data-session-id={c.botSessionId}>
                    <td>
                      <time dateTime={c.lastActivityAt}>{formatDateTime(c.lastActivityAt)}</time>
                      {fresh.has(keyOf(c)) && <span class="badge badge-new">new</span>}
                    </td>
                    <td>
                      <Link to={`/conversations/${encodeURIComponent(c.botSessionId)}?channelId=${encodeURIComponent(c.channelId)}`} class="mono" data-testid="conversation-link">
                        {c.botSessionId}
                      </Link>
                      {c.genesysConversationId && <div class="muted mono small">Genesys {c.genesysConversationId}</div>}
                    </td>
                    <td>{c.channelId}</td>
                    <td>{c.turns}</td>
                    <td>
                      <span class={`badge badge-outcome-${c.outcome}`}>{c.outcome}</span>
                      {c.handoffReason && <div class="small">{describeHandoffReason(c.handoffReason)}</div>}
                    </td>
                    <td>{c.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {next && (
          <button type="button" class="btn btn-secondary" onClick={() => void loadOlder.run()} disabled={loadOlder.busy} data-testid="conversations-more">
            Show older
          </button>
        )}
        <ErrorAlert error={loadOlder.error} />
      </section>
    </>
  );
}
