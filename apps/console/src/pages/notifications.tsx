import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf, path } from '../api.js';
import { ErrorAlert, Field, announce, useAction, usePageTitle } from '../components/ui.js';
import { formatTime, newIdempotencyKey } from '../format.js';
import type { ChannelSummary, NotificationView } from '../types.js';

type Messenger = 'sms' | 'whatsapp' | 'open';
const TERMINAL = new Set(['sent', 'failed']);
const POLL_MS = 1500;

interface Param {
  key: number;
  id: string;
  value: string;
}

let paramSeq = 0;

export function NotificationsPage() {
  usePageTitle('Notifications');
  const [channels, setChannels] = useState<ChannelSummary[]>([]);
  const [channelId, setChannelId] = useState('');
  const [targetKind, setTargetKind] = useState<'session' | 'address'>('session');
  const [botSessionId, setBotSessionId] = useState('');
  const [messenger, setMessenger] = useState<Messenger>('sms');
  const [to, setTo] = useState('');
  const [from, setFrom] = useState('');
  const [useExisting, setUseExisting] = useState(false);
  const [text, setText] = useState('');
  const [responseId, setResponseId] = useState('');
  const [params, setParams] = useState<Param[]>([{ key: ++paramSeq, id: '1', value: '' }]);
  const [idemKey, setIdemKey] = useState(newIdempotencyKey);
  const [sent, setSent] = useState<NotificationView[]>([]);
  const [pollError, setPollError] = useState('');

  useEffect(() => {
    api.get<{ entities: ChannelSummary[] }>('/api/channels').then(
      (r) => {
        setChannels(r.entities);
        if (r.entities.length && !channelId) setChannelId(r.entities[0]!.id);
      },
      () => undefined,
    );
  }, []);

  const whatsapp = targetKind === 'address' && messenger === 'whatsapp';
  const send = useAction(async () => {
    const target = targetKind === 'session' ? { botSessionId: botSessionId.trim() } : { address: { messengerType: messenger, to: to.trim(), ...(from.trim() ? { from: from.trim() } : {}), ...(useExisting ? { useExistingActiveConversation: true } : {}) } };
    const body: Record<string, unknown> = { idempotencyKey: idemKey, target };
    if (text.trim()) body.text = text.trim();
    if (whatsapp) body.template = { responseId: responseId.trim(), bodyParameters: params.filter((p) => p.id.trim()).map((p) => ({ id: p.id.trim(), value: p.value })) };
    const n = await api.post<NotificationView>(path`/api/channels/${channelId}/notifications`, body);
    setSent((s) => [n, ...s.filter((x) => x.id !== n.id)]);
    announce(`Notification ${n.id} accepted: ${n.status}`);
    setIdemKey(newIdempotencyKey());
  });

  // Poll every notification that is not finished yet.
  const sentRef = useRef(sent);
  sentRef.current = sent;
  const pending = sent.filter((n) => !TERMINAL.has(n.status)).length;
  useEffect(() => {
    if (!pending) return;
    const id = setInterval(async () => {
      for (const n of sentRef.current.filter((x) => !TERMINAL.has(x.status))) {
        try {
          const fresh = await api.get<NotificationView>(path`/api/notifications/${n.id}`);
          setPollError('');
          if (fresh.status !== n.status) announce(`Notification ${n.id}: ${fresh.status}${fresh.error ? ` — ${fresh.error}` : ''}`);
          setSent((s) => s.map((x) => (x.id === fresh.id ? fresh : x)));
        } catch (e) {
          setPollError(messageOf(e));
        }
      }
    }, POLL_MS);
    return () => clearInterval(id);
  }, [pending]);

  return (
    <>
      <div class="page-head">
        <h1>Notifications</h1>
        <p class="lead">Send a test notification the way a business app would: into an open bot session (Digital Bot Connector), or to an address through Genesys’s agentless messaging.</p>
      </div>
      <section class="panel" aria-labelledby="notif-form-title">
        <h2 id="notif-form-title">Send a test notification</h2>
        <form
          class="form-grid"
          data-testid="notification-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send.run();
          }}
        >
          <Field id="n-channel" label="Channel">
            <select id="n-channel" required value={channelId} onChange={(e) => setChannelId(e.currentTarget.value)} data-testid="notification-channel">
              {channels.length === 0 && <option value="">No channels</option>}
              {channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.id})
                </option>
              ))}
            </select>
          </Field>
          <fieldset class="field">
            <legend>Send to</legend>
            <label class="choice">
              <input type="radio" name="n-target" checked={targetKind === 'session'} onChange={() => setTargetKind('session')} data-testid="notification-target-session" />
              An open bot session
            </label>
            <label class="choice">
              <input type="radio" name="n-target" checked={targetKind === 'address'} onChange={() => setTargetKind('address')} data-testid="notification-target-address" />
              An address (SMS, WhatsApp, Open Messaging)
            </label>
          </fieldset>
          {targetKind === 'session' ? (
            <Field id="n-session" label="Bot session id" hint="From Conversations; the session must be open on the Digital Bot Connector (v2).">
              <input id="n-session" required value={botSessionId} onInput={(e) => setBotSessionId(e.currentTarget.value)} aria-describedby="n-session-hint" autoCapitalize="none" spellcheck={false} data-testid="notification-session" />
            </Field>
          ) : (
            <>
              <Field id="n-messenger" label="Messenger">
                <select id="n-messenger" value={messenger} onChange={(e) => setMessenger(e.currentTarget.value as Messenger)} data-testid="notification-messenger">
                  <option value="sms">SMS</option>
                  <option value="whatsapp">WhatsApp</option>
                  <option value="open">Open Messaging</option>
                </select>
              </Field>
              <Field id="n-to" label={messenger === 'open' ? 'Recipient id' : 'Phone number (E.164, e.g. +353861234567)'}>
                <input id="n-to" required value={to} onInput={(e) => setTo(e.currentTarget.value)} autoCapitalize="none" spellcheck={false} autocomplete="off" data-testid="notification-to" />
              </Field>
              <Field id="n-from" label="From (optional)" hint={`Defaults to the channel’s ${messenger === 'sms' ? 'SMS number' : `${messenger === 'whatsapp' ? 'WhatsApp' : 'Open Messaging'} integration id`}.`}>
                <input id="n-from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} aria-describedby="n-from-hint" autoCapitalize="none" spellcheck={false} data-testid="notification-from" />
              </Field>
              <div class="field">
                <label class="choice">
                  <input type="checkbox" checked={useExisting} onChange={(e) => setUseExisting(e.currentTarget.checked)} data-testid="notification-use-existing" />
                  Use the customer’s active conversation, if any
                </label>
              </div>
            </>
          )}
          <Field id="n-text" label={whatsapp ? 'Text (optional with a template)' : 'Text'}>
            <textarea id="n-text" rows={3} required={!whatsapp} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="notification-text" />
          </Field>
          {whatsapp && (
            <fieldset class="field template" data-testid="notification-template">
              <legend>WhatsApp template (required by WhatsApp outside the 24-hour window)</legend>
              <Field id="n-template" label="Template response id">
                <input id="n-template" required value={responseId} onInput={(e) => setResponseId(e.currentTarget.value)} autoCapitalize="none" spellcheck={false} data-testid="notification-template-id" />
              </Field>
              <p class="sub-label">Body parameters</p>
              <ul class="param-list">
                {params.map((p, i) => (
                  <li key={p.key} class="param-row">
                    <label for={`n-param-id-${p.key}`}>Parameter {i + 1} id</label>
                    <input id={`n-param-id-${p.key}`} value={p.id} onInput={(e) => setParams(params.map((x) => (x.key === p.key ? { ...x, id: e.currentTarget.value } : x)))} data-testid="notification-param-id" />
                    <label for={`n-param-value-${p.key}`}>Value</label>
                    <input id={`n-param-value-${p.key}`} value={p.value} onInput={(e) => setParams(params.map((x) => (x.key === p.key ? { ...x, value: e.currentTarget.value } : x)))} data-testid="notification-param-value" />
                    <button type="button" class="btn btn-secondary btn-small" onClick={() => setParams(params.filter((x) => x.key !== p.key))} aria-label={`Remove parameter ${i + 1}`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
              <button type="button" class="btn btn-secondary btn-small" onClick={() => setParams([...params, { key: ++paramSeq, id: String(params.length + 1), value: '' }])} data-testid="notification-param-add">
                Add parameter
              </button>
            </fieldset>
          )}
          <Field id="n-key" label="Idempotency key" hint="Sending twice with the same key sends once. A new key is made after each send.">
            <div class="copy-row">
              <input id="n-key" required value={idemKey} onInput={(e) => setIdemKey(e.currentTarget.value)} aria-describedby="n-key-hint" autoCapitalize="none" spellcheck={false} data-testid="notification-key" />
              <button type="button" class="btn btn-secondary btn-small" onClick={() => setIdemKey(newIdempotencyKey())}>
                New key
              </button>
            </div>
          </Field>
          <ErrorAlert error={send.error} testid="notification-error" />
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={send.busy || !channelId} data-testid="notification-send">
              {send.busy ? 'Sending…' : 'Send notification'}
            </button>
          </div>
        </form>
      </section>
      <section class="panel" aria-labelledby="notif-sent-title">
        <h2 id="notif-sent-title">Sent from this page</h2>
        {pollError && <p class="bad-text">Could not refresh the status: {pollError}</p>}
        {sent.length === 0 ? (
          <p class="muted">Nothing sent yet.</p>
        ) : (
          <ul class="notif-list" data-testid="notification-list">
            {sent.map((n) => (
              <li key={n.id} data-testid="notification-item" data-status={n.status}>
                <p>
                  <span class={`badge badge-notif-${n.status}`} data-testid="notification-status">
                    {n.status}
                  </span>{' '}
                  <code>{n.id}</code> → {n.target.kind === 'session' ? `session ${n.target.botSessionId}` : `${n.target.messengerType} ${n.target.to}`} · {n.channelId} · attempts {n.attempts} · updated {formatTime(n.updatedAt)}
                </p>
                {n.error && <p class="bad-text">Error: {n.error}</p>}
                {n.genesys && (
                  <p class="muted small">
                    Genesys: {Object.entries(n.genesys)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(', ')}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
