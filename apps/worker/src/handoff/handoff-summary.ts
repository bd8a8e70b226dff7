import { Injectable } from '@nestjs/common';
import type { ReplyMessage } from '@app/genesys';
import { TranscriptStore, type TranscriptEntry } from '@app/store';

/** A few lines an agent can read at a glance: the last turns of a session, newest last. */
@Injectable()
export class HandoffSummarizer {
  constructor(private readonly transcripts: TranscriptStore) {}

  /** `turns` earlier turns from the transcript, then what the customer just said. */
  async summarize(sessionKey: string, turns: number, currentText: string): Promise<string> {
    if (turns <= 0) return '';
    // The summary is a courtesy to the agent: without the transcript the handoff still goes ahead.
    const entries = await this.transcripts.last(sessionKey, turns).catch(() => [] as TranscriptEntry[]);
    const lines: string[] = [];
    for (const e of entries) {
      if (e.kind === 'outgoing_failed') continue;
      if (e.input?.text) lines.push(`Customer: ${e.input.text}`);
      // Late replies of an earlier turn were already summarized with that turn.
      const botText = e.replies.slice(e.deliveredLate).map(describeReply).filter(Boolean).join(' / ');
      if (botText) lines.push(`Bot: ${botText}`);
    }
    if (currentText) lines.push(`Customer: ${currentText}`);
    return lines.join('\n').slice(-1000);
  }
}

/** A reply as an agent would want it in one line: its text, or what a card or carousel showed. */
function describeReply(m: ReplyMessage): string {
  if (m.text?.trim()) return m.text.trim();
  const titles = (m.content ?? []).flatMap((c) =>
    c.contentType === 'Card' ? [c.card.title] : c.contentType === 'Carousel' ? c.carousel.cards.map((k) => k.title) : c.contentType === 'Attachment' ? [c.attachment.filename ?? c.attachment.mediaType] : [],
  );
  return titles.length ? `[${titles.join(', ')}]` : '';
}
