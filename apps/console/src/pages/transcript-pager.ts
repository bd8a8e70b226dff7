import { api, path, query } from '../api.js';
import type { Transcript, TranscriptEntry } from '../types.js';

/** Entries asked for per read: one screenful of a long conversation, a whole short one. */
export const TRANSCRIPT_PAGE_SIZE = 100;

/** A transcript as far as the console has read it. */
export interface PagedTranscript {
  meta: Omit<Transcript, 'turns' | 'next' | 'skipped'>;
  entries: TranscriptEntry[];
  /** Where the next read starts: the API's `next`, or the end of what exists when there is none. */
  cursor: string;
  /** More entries exist past the cursor right now (another page to load). */
  more: boolean;
  /** Entries dropped between two reads before the console saw them (a very fast session). */
  missed: number;
}

export interface SessionRef {
  botSessionId: string;
  channelId?: string;
}

function urlOf(ref: SessionRef, cursor?: string, limit = TRANSCRIPT_PAGE_SIZE): string {
  return path`/api/conversations/${ref.botSessionId}` + query({ channelId: ref.channelId, limit, cursor });
}

function merge(prev: PagedTranscript | undefined, page: Transcript): PagedTranscript {
  const { turns, next, skipped, ...meta } = page;
  return {
    meta,
    entries: prev ? [...prev.entries, ...turns] : turns,
    // Positions count every entry the session ever had, so "the end" is trimmed + kept.
    cursor: next ?? String(page.trimmed + page.kept),
    more: next !== undefined,
    missed: (prev?.missed ?? 0) + (skipped ?? 0),
  };
}

/** The first page (from the oldest entry kept). */
export async function loadTranscript(ref: SessionRef): Promise<PagedTranscript> {
  return merge(undefined, await api.get<Transcript>(urlOf(ref)));
}

/**
 * Entries after what was read: the next page of a long transcript, or new entries of a live one.
 * The cursor is a position, not a list index, so entries dropped at the head meanwhile shift nothing.
 */
export async function loadMore(ref: SessionRef, prev: PagedTranscript): Promise<PagedTranscript> {
  return merge(prev, await api.get<Transcript>(urlOf(ref, prev.cursor)));
}

/** Deletes everything the gateway keeps about the session (DELETE, with the session's CSRF token). */
export function deleteTranscript(ref: Required<SessionRef>): Promise<void> {
  return api.del<void>(path`/api/conversations/${ref.botSessionId}` + query({ channelId: ref.channelId }));
}
