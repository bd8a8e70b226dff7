import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, path, query } from '../api.js';
import { TranscriptView } from '../components/messenger.js';
import { ErrorAlert, Link, Notice, announce, useAction, useInterval, usePageTitle } from '../components/ui.js';
import { plural } from '../format.js';
import type { Transcript } from '../types.js';

export function TranscriptPage({ botSessionId, channelId }: { botSessionId: string; channelId?: string }) {
  usePageTitle(`Transcript ${botSessionId}`);
  const [t, setT] = useState<Transcript | null>(null);
  const [follow, setFollow] = useState(true);
  const load = useAction(async (quiet: boolean) => {
    const next = await api.get<Transcript>(path`/api/conversations/${botSessionId}` + query({ channelId }));
    setT((prev) => {
      if (quiet && prev && next.turns.length > prev.turns.length) announce(`${plural(next.turns.length - prev.turns.length, 'new entry', 'new entries')} in the transcript`);
      return next;
    });
  });
  useEffect(() => {
    setT(null);
    void load.run(false);
  }, [botSessionId, channelId]);
  useInterval(() => {
    if (!load.busy) void load.run(true);
  }, 3000, follow && t?.status === 'open');

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
              <dd class="mono">{t.botSessionId}</dd>
            </div>
            <div>
              <dt>Genesys conversation</dt>
              <dd class="mono">{t.genesysConversationId ?? '—'}</dd>
            </div>
            <div>
              <dt>Channel</dt>
              <dd>
                <Link to={`/channels/${encodeURIComponent(t.channelId)}`}>{t.channelId}</Link>
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="transcript-status">{t.status}</dd>
            </div>
            <div>
              <dt>Entries</dt>
              <dd>{t.turns.length}</dd>
            </div>
          </dl>
        )}
      </div>
      {notFound ? (
        <Notice tone="error" role="alert" testid="transcript-not-found">
          <p>No transcript for this session (it may have expired). <Link to="/conversations">Back to conversations</Link></p>
        </Notice>
      ) : (
        <ErrorAlert error={load.error} testid="transcript-error" />
      )}
      {!t && load.busy && <p role="status">Loading the transcript…</p>}
      {t && (
        <section class="panel" aria-labelledby="transcript-title">
          <div class="panel-head">
            <h2 id="transcript-title">What the customer saw</h2>
            {t.status === 'open' && (
              <button type="button" class="btn btn-secondary btn-small" aria-pressed={follow} onClick={() => setFollow(!follow)} data-testid="transcript-follow">
                {follow ? 'Pause live updates' : 'Resume live updates'}
              </button>
            )}
          </div>
          <div class="messenger-frame">
            <TranscriptView entries={t.turns} />
          </div>
        </section>
      )}
    </>
  );
}
