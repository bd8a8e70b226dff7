import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf, path } from '../api.js';
import { BotReplies, type MessengerAction } from '../components/messenger.js';
import { Notice, announce } from '../components/ui.js';
import { formatMs } from '../format.js';
import type { ChannelView, ReplyMessage, TestTurnAnswer } from '../types.js';

interface Exchange {
  n: number;
  sent: { text: string; clicked?: MessengerAction };
  answer?: TestTurnAnswer;
  error?: string;
}

function replyText(replies: ReplyMessage[]): string {
  return replies
    .map((r) => [r.text, ...(r.content ?? []).map((c) => ('quickReply' in c ? `option ${(c as { quickReply: { text: string } }).quickReply.text}` : 'card' in c ? `card ${(c as { card: { title: string } }).card.title}` : ''))].filter(Boolean).join(', '))
    .join('. ');
}

/** Sends turns through the gateway's own webhook (POST /test-turn) and shows the answer like a Messenger. */
export function TestPanel({ channel }: { channel: ChannelView }) {
  const [log, setLog] = useState<Exchange[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const session = useRef<string | undefined>(undefined);
  const seq = useRef(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const logRef = useRef<HTMLOListElement>(null);
  // Keep the newest message in view, like a messenger.
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [log]);
  const last = log.at(-1)?.answer;
  const ended = last?.response?.botState === 'Complete' || last?.response?.botState === 'Failed';

  const send = async (sent: Exchange['sent']) => {
    if (busy) return;
    const n = ++seq.current;
    setLog((l) => [...l, { n, sent }]);
    setBusy(true);
    try {
      const body = sent.clicked ? { quickReply: sent.clicked, botSessionId: session.current } : { text: sent.text, botSessionId: session.current };
      const answer = await api.post<TestTurnAnswer>(path`/api/channels/${channel.id}/test-turn`, body);
      session.current = answer.botSessionId;
      setLog((l) => l.map((x) => (x.n === n ? { ...x, answer } : x)));
      const replies = answer.response?.replyMessages ?? [];
      announce(replies.length ? `Bot: ${replyText(replies)}` : 'The gateway answered with no message');
    } catch (e) {
      setLog((l) => l.map((x) => (x.n === n ? { ...x, error: messageOf(e) } : x)));
      announce(`Test turn failed: ${messageOf(e)}`);
    } finally {
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  const onAction = (a: MessengerAction) => void send({ text: a.text, clicked: a });

  return (
    <section class="panel" aria-labelledby="test-title" data-testid="test-panel">
      <div class="panel-head">
        <h2 id="test-title">Test the bot</h2>
        <button
          type="button"
          class="btn btn-secondary btn-small"
          onClick={() => {
            setLog([]);
            session.current = undefined;
            announce('New test session');
          }}
          disabled={busy || log.length === 0}
          data-testid="test-new-session"
        >
          New session
        </button>
      </div>
      <p>Each message is a real turn through this channel’s webhook, answered by its bot and rendered for its messenger ({channel.templates.profile}). Click quick replies and buttons as a customer would.</p>
      {!channel.enabled && <Notice tone="info">The channel is disabled; the gateway may refuse test turns until it is enabled.</Notice>}
      <div class="messenger-frame">
        <ol class="transcript test-log" aria-label="Test conversation" data-testid="test-log" ref={logRef}>
          {log.length === 0 && <li class="muted empty-log">Say hello to start.</li>}
          {log.map((x) => (
            <li key={x.n} class="entry" data-testid="test-exchange">
              <div class="msg-customer">
                <span class="msg-author">You</span>
                <p class="bubble bubble-customer">
                  {x.sent.clicked && <span class="msg-clicked">Clicked</span>} {x.sent.text}
                </p>
              </div>
              {x.error && (
                <p class="marker marker-bad" data-testid="test-error">
                  {x.error}
                </p>
              )}
              {!x.answer && !x.error && <p class="muted">Waiting for the bot…</p>}
              {x.answer && (
                <>
                  <BotReplies replies={x.answer.response?.replyMessages ?? []} onAction={x === log.at(-1) && !ended ? onAction : undefined} />
                  <p class="entry-meta" data-testid="test-meta">
                    {x.answer.status !== undefined && <span>HTTP {x.answer.status}</span>}
                    <span>{formatMs(x.answer.ms)}</span>
                    {x.answer.response?.botState && <span>{x.answer.response.botState}</span>}
                    {x.answer.response?.intent && <span>intent {x.answer.response.intent}</span>}
                    {x.answer.response?.errorInfo && (
                      <span class="bad-text">
                        {x.answer.response.errorInfo.errorCode}: {x.answer.response.errorInfo.errorMessage}
                      </span>
                    )}
                  </p>
                  <details class="raw">
                    <summary>Request and response</summary>
                    <pre>{JSON.stringify({ request: x.answer.request, response: x.answer.response }, null, 2)}</pre>
                  </details>
                </>
              )}
            </li>
          ))}
        </ol>
        {ended && (
          <p class="marker marker-info" data-testid="test-ended">
            The bot left the conversation{last?.response?.intent ? ` with intent ${last.response.intent}` : ''}: in Genesys the flow now takes that path. Start a new session to test again.
          </p>
        )}
        <form
          class="composer"
          data-testid="test-form"
          onSubmit={(e) => {
            e.preventDefault();
            const t = text.trim();
            if (!t) return;
            setText('');
            void send({ text: t });
          }}
        >
          <label for="test-input" class="visually-hidden">
            Message to the bot
          </label>
          <input id="test-input" ref={inputRef} value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="Type a message, e.g. hi" autocomplete="off" maxLength={4000} data-testid="test-input" />
          <button type="submit" class="btn btn-primary" disabled={busy || !text.trim()} data-testid="test-send">
            Send
          </button>
        </form>
      </div>
    </section>
  );
}
