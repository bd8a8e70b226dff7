import type { ComponentChildren } from 'preact';
import { formatBytes, formatMs, formatTime, safeUrl } from '../format.js';
import type { Attachment, Card, CardAction, ListItem, ReplyContent, ReplyMessage, TranscriptEntry } from '../types.js';

/**
 * Renders Genesys reply messages and transcript entries the way a Messenger shows them: text
 * bubbles, quick-reply chips, cards, carousels, lists and attachments. Pure: the same props
 * always give the same markup. With `onAction`, chips and postback buttons are real buttons that
 * report the click (the Test panel); without it they are shown, not clickable (transcripts).
 */

export interface MessengerAction {
  text: string;
  payload: string;
}

type OnAction = ((action: MessengerAction) => void) | undefined;

const HANDOFF_REASONS: Record<string, string> = {
  customer_request: 'the customer asked for a person',
  bot_request: 'the bot asked for a handoff',
  repeated_fallback: 'the bot did not understand several times in a row',
  bot_error: 'the bot failed or was unavailable',
  deadline: 'the bot missed the reply deadline',
};

export function describeHandoffReason(reason: string): string {
  return HANDOFF_REASONS[reason] ? `${reason} (${HANDOFF_REASONS[reason]})` : reason;
}

function ActionButton({ action, onAction, className }: { action: CardAction; onAction: OnAction; className: string }) {
  const label = action.text || action.payload || 'Button';
  if (action.type === 'Link') {
    const url = safeUrl(action.url);
    if (!url) return <span class={`${className} is-static`}>{label} <span class="muted">(link not shown: {action.url ? 'not a web address' : 'no address'})</span></span>;
    return (
      <a class={className} href={url} target="_blank" rel="noopener noreferrer nofollow" data-testid="msg-link-button">
        {label}
        <span class="visually-hidden"> (opens in a new tab)</span> <span aria-hidden="true">↗</span>
      </a>
    );
  }
  if (onAction) {
    return (
      <button type="button" class={className} data-testid="msg-postback-button" onClick={() => onAction({ text: label, payload: action.payload ?? label })}>
        {label}
      </button>
    );
  }
  return (
    <span class={`${className} is-static`} data-testid="msg-postback-button" title={action.payload ? `payload: ${action.payload}` : undefined}>
      {label}
    </span>
  );
}

export function CardView({ card, onAction }: { card: Card; onAction?: OnAction }) {
  const image = safeUrl(card.image, 'image');
  const video = safeUrl(card.video);
  const actions = card.actions ?? [];
  return (
    <div class="msg-card" data-testid="msg-card">
      {image && <img class="msg-card-image" src={image} alt={card.title || 'Card image'} loading="lazy" referrerpolicy="no-referrer" />}
      <div class="msg-card-body">
        <p class="msg-card-title">{card.title}</p>
        {card.description && <p class="msg-card-description">{card.description}</p>}
        {video && (
          <p class="msg-card-description">
            <a href={video} target="_blank" rel="noopener noreferrer nofollow">
              Video<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </p>
        )}
        {card.defaultAction && (
          <p class="msg-card-default muted">
            Tapping the card: {card.defaultAction.type === 'Link' ? `opens ${card.defaultAction.url ?? 'a link'}` : `sends "${card.defaultAction.text || card.defaultAction.payload}"`}
          </p>
        )}
      </div>
      {actions.length > 0 && (
        <div class="msg-card-actions">
          {actions.map((a, i) => (
            <ActionButton key={i} action={a} onAction={onAction} className="msg-card-button" />
          ))}
        </div>
      )}
    </div>
  );
}

function AttachmentView({ attachment, caption }: { attachment: Attachment; caption?: string }) {
  const url = safeUrl(attachment.url);
  const name = attachment.filename || attachment.text || (url ? url.split('/').pop() : '') || 'attachment';
  const size = formatBytes(attachment.contentSizeBytes);
  if ((attachment.mediaType === 'Image' || attachment.mime?.startsWith('image/')) && safeUrl(attachment.url, 'image')) {
    return (
      <figure class="msg-attachment msg-image" data-testid="msg-attachment-image">
        <img src={safeUrl(attachment.url, 'image')} alt={caption || attachment.text || name} loading="lazy" referrerpolicy="no-referrer" />
        {url && (
          <figcaption>
            <a href={url} target="_blank" rel="noopener noreferrer nofollow">
              {name}
              <span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </figcaption>
        )}
      </figure>
    );
  }
  const kind = attachment.mediaType && attachment.mediaType !== 'File' ? attachment.mediaType.toLowerCase() : 'file';
  return (
    <p class="msg-attachment msg-file" data-testid="msg-attachment-file">
      <svg class="msg-file-icon" aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
        {kind === 'link' ? <path d="M6.5 9.5l3-3M7 4.5l1-1a2.5 2.5 0 013.5 3.5l-1 1M9 11.5l-1 1A2.5 2.5 0 014.5 9l1-1" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" /> : <path d="M4 1.5h5l3 3v10H4z M9 1.5v3h3" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round" />}
      </svg>{' '}
      {url ? (
        <a href={url} target="_blank" rel="noopener noreferrer nofollow">
          {name}
          <span class="visually-hidden"> ({kind}, opens in a new tab)</span>
        </a>
      ) : (
        <span>{name} (no address)</span>
      )}
      {(attachment.mime || size) && <span class="muted"> · {[attachment.mime, size].filter(Boolean).join(', ')}</span>}
    </p>
  );
}

function ListView({ title, description, items, testid }: { title?: string; description?: string; items: ListItem[]; testid: string }) {
  return (
    <div class="msg-list" data-testid={testid}>
      {title && <p class="msg-list-title">{title}</p>}
      {description && <p class="muted">{description}</p>}
      <ul>
        {items.map((item, i) => {
          const img = safeUrl(item.imageUrl ?? item.image, 'image');
          return (
            <li key={item.id ?? i}>
              {img && <img src={img} alt="" loading="lazy" referrerpolicy="no-referrer" />}
              <span>
                <span class="msg-list-item-title">{item.title}</span>
                {(item.subtitle || item.description) && <span class="msg-list-item-sub">{item.subtitle ?? item.description}</span>}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function ContentView({ content, onAction, caption }: { content: ReplyContent; onAction: OnAction; caption?: string }) {
  const c = content as ReplyContent & Record<string, unknown>;
  switch (c.contentType) {
    case 'Card':
      return c.card ? <CardView card={c.card as Card} onAction={onAction} /> : null;
    case 'Carousel': {
      const cards = ((c.carousel as { cards?: Card[] } | undefined)?.cards ?? []) as Card[];
      return (
        // Scrollable, so it must be reachable by keyboard to scroll.
        <div class="msg-carousel" role="group" aria-label={`Carousel of ${cards.length} cards`} tabIndex={0} data-testid="msg-carousel">
          {cards.map((card, i) => (
            <CardView key={i} card={card} onAction={onAction} />
          ))}
        </div>
      );
    }
    case 'Attachment':
      return c.attachment ? <AttachmentView attachment={c.attachment as Attachment} caption={caption} /> : null;
    case 'List': {
      const list = (c.list ?? {}) as { title?: string; description?: string; items?: ListItem[] };
      return <ListView title={list.title} description={list.description} items={list.items ?? []} testid="msg-list" />;
    }
    case 'ListPicker': {
      const sections = ((c.listPicker as { sections?: { title?: string; items?: ListItem[] }[] } | undefined)?.sections ?? []);
      return (
        <>
          {sections.map((s, i) => (
            <ListView key={i} title={s.title} items={s.items ?? []} testid="msg-list" />
          ))}
        </>
      );
    }
    case 'ButtonResponse': {
      const b = (c.buttonResponse ?? {}) as { text?: string; payload?: string };
      return <p class="msg-note">Button response: {b.text ?? b.payload}</p>;
    }
    default:
      return (
        <p class="msg-note" data-testid="msg-unsupported">
          Content of type “{String(c.contentType)}” (not shown by this preview)
        </p>
      );
  }
}

function QuickReplies({ replies, onAction }: { replies: { text: string; payload: string; image?: string }[]; onAction: OnAction }) {
  return (
    <div class="msg-chips" role="group" aria-label="Quick replies" data-testid="msg-quick-replies">
      {replies.map((q, i) =>
        onAction ? (
          <button key={i} type="button" class="msg-chip" data-testid="msg-quick-reply" onClick={() => onAction({ text: q.text, payload: q.payload })}>
            {q.text}
          </button>
        ) : (
          <span key={i} class="msg-chip is-static" data-testid="msg-quick-reply" title={`payload: ${q.payload}`}>
            {q.text}
          </span>
        ),
      )}
    </div>
  );
}

/** One Genesys ReplyMessage. */
export function ReplyMessageView({ message, onAction }: { message: ReplyMessage; onAction?: OnAction }) {
  const content = message.content ?? [];
  const hasAttachment = content.some((c) => c.contentType === 'Attachment');
  const parts: ComponentChildren[] = [];
  let chips: { text: string; payload: string }[] = [];
  const flushChips = () => {
    if (chips.length) {
      parts.push(<QuickReplies key={`qr${parts.length}`} replies={chips} onAction={onAction} />);
      chips = [];
    }
  };
  content.forEach((c, i) => {
    if (c.contentType === 'QuickReply') {
      const q = (c as { quickReply?: { text: string; payload: string } }).quickReply;
      if (q) chips.push(q);
      return;
    }
    flushChips();
    parts.push(<ContentView key={i} content={c} onAction={onAction} caption={hasAttachment ? message.text : undefined} />);
  });
  flushChips();
  return (
    <div class="msg-reply" data-testid="msg-reply" data-type={message.type}>
      {message.text && (
        <p class="bubble bubble-bot" data-testid="msg-text">
          {message.text}
        </p>
      )}
      {parts}
    </div>
  );
}

export function BotReplies({ replies, onAction }: { replies: ReplyMessage[]; onAction?: OnAction }) {
  if (!replies.length) return null;
  return (
    <div class="msg-bot" data-testid="msg-bot">
      <span class="msg-author">Bot</span>
      {replies.map((m, i) => (
        <ReplyMessageView key={i} message={m} onAction={onAction} />
      ))}
    </div>
  );
}

export function CustomerInput({ input }: { input: NonNullable<TranscriptEntry['input']> }) {
  const attachments = input.attachments ?? 0;
  return (
    <div class="msg-customer" data-testid="msg-customer">
      <span class="msg-author">Customer</span>
      {input.kind === 'button' ? (
        <p class="bubble bubble-customer">
          <span class="msg-clicked">Clicked</span> {input.text}
          {input.payload && input.payload !== input.text && <span class="muted"> (payload {input.payload})</span>}
        </p>
      ) : input.text ? (
        <p class="bubble bubble-customer">{input.text}</p>
      ) : input.kind === 'empty' ? (
        <p class="bubble bubble-customer muted">(empty message)</p>
      ) : null}
      {attachments > 0 && <p class="msg-note">Sent {attachments === 1 ? 'an attachment' : `${attachments} attachments`}</p>}
    </div>
  );
}

const OUTCOME_LABEL: Record<string, string> = { reply: 'Reply', handoff: 'Handoff', end: 'End', failed: 'Failed' };

function Marker({ tone, children, testid }: { tone: 'info' | 'warn' | 'bad' | 'ok'; children: ComponentChildren; testid: string }) {
  return (
    <p class={`marker marker-${tone}`} data-testid={testid}>
      {children}
    </p>
  );
}

/** One transcript entry: a turn, a notification pushed into the session, or a reply Genesys did not take. */
export function TranscriptEntryView({ entry }: { entry: TranscriptEntry }) {
  const kind = entry.kind ?? 'turn';
  const label = kind === 'notification' ? 'Notification' : kind === 'outgoing_failed' ? 'Outgoing message not delivered' : `Turn ${entry.seq ?? ''}`.trim();
  return (
    <li class={`entry entry-${kind}`} data-testid="transcript-entry" data-kind={kind} data-outcome={entry.outcome ?? ''}>
      <div class="entry-meta">
        <span class="entry-label">{label}</span>
        <time dateTime={entry.at}>{formatTime(entry.at)}</time>
        {entry.outcome && kind === 'turn' && <span class={`badge badge-outcome-${entry.outcome}`}>{OUTCOME_LABEL[entry.outcome] ?? entry.outcome}</span>}
        {entry.intent && <span class="muted">intent {entry.intent}</span>}
        {entry.botState && <span class="muted">{entry.botState}</span>}
        {entry.timings?.totalMs !== undefined && (
          <span class="muted">
            {formatMs(entry.timings.totalMs)} total{entry.timings.botMs !== undefined ? `, bot ${formatMs(entry.timings.botMs)}` : ''}
          </span>
        )}
      </div>
      {kind === 'notification' && <Marker tone="info" testid="marker-notification">Outgoing: a notification sent into this session, not a reply to the customer.</Marker>}
      {entry.input && kind === 'turn' && <CustomerInput input={entry.input} />}
      {(entry.deliveredLate ?? 0) > 0 && (
        <Marker tone="info" testid="marker-delivered-late">
          Starts with {entry.deliveredLate === 1 ? 'a late reply' : `${entry.deliveredLate} late replies`} of an earlier turn.
        </Marker>
      )}
      <BotReplies replies={entry.replies ?? []} />
      {entry.late && (
        <Marker tone="warn" testid="marker-late">
          Late: the bot answered after the reply deadline, so Genesys got the fallback first; this answer went out with the next response.
        </Marker>
      )}
      {entry.outcome === 'handoff' && (
        <Marker tone="info" testid="marker-handoff">
          Handed off to an agent{entry.handoffReason ? <>: {describeHandoffReason(entry.handoffReason)}</> : null}.
        </Marker>
      )}
      {entry.outcome === 'end' && <Marker tone="ok" testid="marker-end">The bot ended the conversation.</Marker>}
      {(entry.degradations?.length ?? 0) > 0 && (
        <div class="marker marker-warn" data-testid="marker-degradations">
          <p>Changed for this messenger:</p>
          <ul>
            {entry.degradations!.map((d, i) => (
              <li key={i}>
                {d.from} → {d.to}: {d.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {kind === 'outgoing_failed' && (
        <Marker tone="bad" testid="marker-outgoing-failed">
          Genesys did not take this reply{entry.error ? `: ${entry.error}` : '.'}
        </Marker>
      )}
      {entry.error && kind !== 'outgoing_failed' && (
        <Marker tone="bad" testid="marker-error">
          Error: {entry.error}
        </Marker>
      )}
    </li>
  );
}

export function TranscriptView({ entries, label = 'Transcript' }: { entries: TranscriptEntry[]; label?: string }) {
  if (!entries.length) return <p class="muted">No turns yet.</p>;
  return (
    <ol class="transcript" aria-label={label} data-testid="transcript">
      {entries.map((e) => (
        <TranscriptEntryView key={`${e.kind ?? 'turn'}-${e.turnId}-${e.seq ?? ''}`} entry={e} />
      ))}
    </ol>
  );
}
