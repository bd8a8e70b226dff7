import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { TranscriptView } from '../components/messenger.js';
import { ErrorAlert, Link, Notice, announce, useAction, useInterval, usePageTitle } from '../components/ui.js';
import { plural } from '../format.js';
import { navigate } from '../router.js';
import { deleteTranscript, loadMore, loadTranscript, type PagedTranscript } from './transcript-pager.js';

export function TranscriptPage({ botSessionId, channelId }: { botSessionId: string; channelId?: string }) {
  usePageTitle(`Transcript ${botSessionId}`);
  const ref = { botSessionId, channelId };
  const [t, setT] = useState<PagedTranscript | null>(null);
  const [follow, setFollow] = useState(true);
  const load = useAction(async () => setT(await loadTranscript(ref)));
  const more = useAction(async (quiet: boolean) => {
    if (!t) return;
    const next = await loadMore(ref, t);
    if (quiet && next.entries.length > t.entries.length) announce(`${plural(next.entries.length - t.entries.length, 'new entry', 'new entries')} in the transcript`);
    setT(next);
  });
  useEffect(() => {
    setT(null);
    void load.run();
  }, [botSessionId, channelId]);
  // Live updates read on from the end; while older pages are still unread, the button reads them.
  useInterval(() => {
    if (!more.busy && !load.busy) void more.run(true);
  }, 3000, follow && t?.meta.status === 'open' && !t.more);

  const notFound = load.error instanceof ApiError && load.error.status === 404;
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <Link to="/conversations">Conversations</Link>
          </li>
          <li aria-current="page">{botSessionId}</li>
        </ol>
      </nav>
      <div class="page-head">
        <h1>Transcript</h1>
        {t && (
          <dl class="facts" data-testid="transcript-facts">
            <div>
              <dt>Bot session</dt>
              <dd class="mono">{t.meta.botSessionId}</dd>
            </div>
            <div>
              <dt>Genesys conversation</dt>
              <dd class="mono">{t.meta.genesysConversationId ?? '—'}</dd>
            </div>
            <div>
              <dt>Channel</dt>
              <dd>
                <Link to={`/channels/${encodeURIComponent(t.meta.channelId)}`}>{t.meta.channelId}</Link>
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="transcript-status">{t.meta.status}</dd>
            </div>
            <div>
              <dt>Entries</dt>
              <dd data-testid="transcript-count">{t.meta.kept}</dd>
            </div>
          </dl>
        )}
      </div>
      {notFound ? (
        <Notice tone="error" role="alert" testid="transcript-not-found">
          <p>No transcript for this session (it may have expired or been deleted). <Link to="/conversations">Back to conversations</Link></p>
        </Notice>
      ) : (
        <ErrorAlert error={load.error} testid="transcript-error" />
      )}
      {!t && load.busy && <p role="status">Loading the transcript…</p>}
      {t && (
        <>
          <section class="panel" aria-labelledby="transcript-title">
            <div class="panel-head">
              <h2 id="transcript-title">What the customer saw</h2>
              {t.meta.status === 'open' && !t.more && (
                <button type="button" class="btn btn-secondary btn-small" aria-pressed={follow} onClick={() => setFollow(!follow)} data-testid="transcript-follow">
                  {follow ? 'Pause live updates' : 'Resume live updates'}
                </button>
              )}
            </div>
            <TrimNotice t={t} />
            <div class="messenger-frame">
              <TranscriptView entries={t.entries} />
            </div>
            {t.more && (
              <p>
                <button type="button" class="btn btn-secondary" onClick={() => void more.run(false)} disabled={more.busy} data-testid="transcript-more">
                  {more.busy ? 'Loading…' : `Show later entries (${t.entries.length} of ${t.meta.kept} shown)`}
                </button>
              </p>
            )}
            <ErrorAlert error={more.error} testid="transcript-more-error" />
          </section>
          <DeleteTranscript botSessionId={t.meta.botSessionId} channelId={t.meta.channelId} />
        </>
      )}
    </>
  );
}

/** Says when the gateway dropped the oldest entries (TRANSCRIPT_MAX_ENTRIES), so a short history is not a mystery. */
export function TrimNotice({ t }: { t: Pick<PagedTranscript, 'meta' | 'missed'> }) {
  if (t.meta.trimmed === 0 && t.missed === 0) return null;
  return (
    <Notice tone="info" role="note" testid="transcript-trimmed">
      <p>
        The gateway keeps the newest {plural(t.meta.kept, 'entry', 'entries')} of a session;{' '}
        {plural(t.meta.trimmed, 'older entry was', 'older entries were')} dropped
        {t.missed > 0 ? `, ${t.missed} of them while this page was reading` : ''}.
      </p>
    </Notice>
  );
}

function DeleteTranscript({ botSessionId, channelId }: { botSessionId: string; channelId: string }) {
  const [confirming, setConfirming] = useState(false);
  const del = useAction(async () => {
    await deleteTranscript({ botSessionId, channelId });
    announce('Conversation data deleted');
    navigate('/conversations');
  });
  return <DeletePanel botSessionId={botSessionId} confirming={confirming} busy={del.busy} error={del.error} onAsk={() => setConfirming(true)} onCancel={() => setConfirming(false)} onConfirm={() => void del.run()} />;
}

/** The delete action and its confirmation, as markup of its state (the console's tests render it). */
export function DeletePanel(p: { botSessionId: string; confirming: boolean; busy: boolean; error: unknown; onAsk: () => void; onCancel: () => void; onConfirm: () => void }) {
  return (
    <section class="panel danger-zone" aria-labelledby="delete-conversation-title" data-testid="delete-conversation">
      <h2 id="delete-conversation-title">Delete this conversation's data</h2>
      <p>For a customer's erasure request: removes the transcript, the session state and replies still waiting to be sent. The bot session itself goes on; a message the customer sends next starts afresh. The audit log records that you deleted it, not what it said.</p>
      {p.confirming ? (
        <div class="confirm" role="group" aria-label="Confirm deletion">
          <p>
            <strong>Delete everything kept about session {p.botSessionId}?</strong> This cannot be undone.
          </p>
          <button type="button" class="btn btn-danger" onClick={p.onConfirm} disabled={p.busy} data-testid="delete-conversation-confirm">
            {p.busy ? 'Deleting…' : 'Delete'}
          </button>{' '}
          <button type="button" class="btn btn-secondary" onClick={p.onCancel} disabled={p.busy} data-testid="delete-conversation-cancel">
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="btn btn-danger" onClick={p.onAsk} data-testid="delete-conversation-ask">
          Delete conversation data…
        </button>
      )}
      <ErrorAlert error={p.error} testid="delete-conversation-error" />
    </section>
  );
}
