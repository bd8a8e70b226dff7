import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { BotReplies, ReplyMessageView, TranscriptView } from './messenger.js';
import { entries, replies } from './messenger.fixtures.js';

const html = (vnode: preact.VNode) => renderToString(vnode);
const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('ReplyMessageView', () => {
  it('renders text as a bubble, keeping line breaks for CSS', () => {
    const out = html(<ReplyMessageView message={replies.text} />);
    expect(out).toContain('data-testid="msg-text"');
    expect(out).toContain('Hello!\nHow can I help?');
  });

  it('renders quick replies as chips: shown in transcripts, real buttons when clickable', () => {
    const shown = html(<ReplyMessageView message={replies.quickReplies} />);
    expect(shown).toContain('What would you like to do?');
    expect(count(shown, 'data-testid="msg-quick-reply"')).toBe(2);
    expect(shown).not.toContain('<button');
    expect(shown).toContain('role="group" aria-label="Quick replies"');

    const clickable = html(<ReplyMessageView message={replies.quickReplies} onAction={() => undefined} />);
    expect(count(clickable, '<button type="button" class="msg-chip"')).toBe(2);
  });

  it('renders a card with image, title, description, postback and link buttons', () => {
    const out = html(<ReplyMessageView message={replies.card} onAction={() => undefined} />);
    expect(out).toContain('src="https://cdn.example.com/shoe.png"');
    expect(out).toContain('alt="Trail runner"');
    expect(out).toContain('Light shoe\n€89');
    expect(out).toMatch(/<button[^>]*data-testid="msg-postback-button"[^>]*>Buy now<\/button>/);
    expect(out).toContain('href="https://example.com/shoe" target="_blank" rel="noopener noreferrer nofollow"');
    expect(out).toContain('(opens in a new tab)');
    expect(out).toContain('Tapping the card: opens https://example.com/shoe');
  });

  it('renders buttons (a card without image) ', () => {
    const out = html(<ReplyMessageView message={replies.buttons} />);
    expect(out).toContain('How can I help with your order?');
    expect(count(out, 'data-testid="msg-postback-button"')).toBe(2);
    expect(out).not.toContain('<img');
  });

  it('renders a carousel as a keyboard-scrollable group of cards', () => {
    const out = html(<ReplyMessageView message={replies.carousel} />);
    expect(out).toContain('role="group" aria-label="Carousel of 3 cards" tabindex="0"');
    expect(count(out, 'data-testid="msg-card"')).toBe(3);
  });

  it('renders image attachments as previews (caption as alt) and files as links with size', () => {
    const image = html(<ReplyMessageView message={replies.imageAttachment} />);
    expect(image).toContain('data-testid="msg-attachment-image"');
    expect(image).toContain('alt="Our store map"');
    const file = html(<ReplyMessageView message={replies.fileAttachment} />);
    expect(file).toContain('data-testid="msg-attachment-file"');
    expect(file).toContain('href="https://cdn.example.com/terms.pdf"');
    expect(file).toContain('terms.pdf');
    expect(file).toContain('application/pdf, 2.0 KB');
  });

  it('renders lists and list pickers', () => {
    const list = html(<ReplyMessageView message={replies.list} />);
    expect(list).toContain('Sizes');
    expect(list).toContain('EU 40');
    expect(list).toContain('3 left');
    const picker = html(<ReplyMessageView message={replies.listPicker} />);
    expect(picker).toContain('Dublin');
  });

  it('says when a content type is not shown instead of dropping it', () => {
    expect(html(<ReplyMessageView message={replies.unknown} />)).toContain('Content of type “DatePicker”');
  });

  it('never renders script URLs as links or images, and escapes text', () => {
    const out = html(<ReplyMessageView message={replies.hostile} onAction={() => undefined} />);
    expect(out).not.toContain('javascript:');
    expect(out).not.toContain('src="data:');
    expect(out).not.toContain('<img src=x');
    expect(out).toContain('&lt;img src=x onerror=alert(1)>');
    expect(out).toContain('link not shown');
  });
});

describe('TranscriptView', () => {
  const all = Object.values(entries);
  const out = html(<TranscriptView entries={all} />);

  it('renders one entry per turn, notification and failed outgoing message', () => {
    expect(count(out, 'data-testid="transcript-entry"')).toBe(all.length);
    expect(out).toContain('data-kind="notification"');
    expect(out).toContain('data-kind="outgoing_failed"');
  });

  it('shows customer input: typed text, clicked buttons with payload, attachments', () => {
    expect(out).toContain('>hi</p>');
    expect(out).toMatch(/Clicked<\/span> Track order/);
    expect(out).toContain('(payload track)');
    expect(out).toContain('Sent 2 attachments');
  });

  it('marks handoffs with the reason explained', () => {
    expect(out).toContain('data-testid="marker-handoff"');
    expect(out).toContain('customer_request (the customer asked for a person)');
  });

  it('marks late replies, replies delivered late, degradations, notifications and delivery failures', () => {
    expect(out).toContain('data-testid="marker-late"');
    expect(out).toContain('Starts with a late reply of an earlier turn.');
    expect(out).toContain('carousel → card: carousels are off for this profile');
    expect(out).toContain('data-testid="marker-notification"');
    expect(out).toContain('Genesys did not take this reply: 409 session closed');
  });

  it('shows errors and the end of a conversation', () => {
    expect(out).toContain('Error: bot timed out');
    expect(out).toContain('The bot ended the conversation.');
  });

  it('says so when there is nothing yet', () => {
    expect(html(<TranscriptView entries={[]} />)).toContain('No turns yet.');
  });
});

describe('BotReplies', () => {
  it('renders nothing for an empty answer', () => {
    expect(html(<BotReplies replies={[]} />)).toBe('');
  });
});
