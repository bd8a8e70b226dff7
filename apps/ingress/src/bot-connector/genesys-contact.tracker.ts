import { Injectable } from '@nestjs/common';
import { ChannelActivityStore } from '@app/store';

/** Writes per channel and process are at most this frequent: the console needs "when", not every call. */
const WRITE_EVERY_MS = 5000;

/** Remembers when Genesys last made an authenticated call to a channel (setup status, doctor). */
@Injectable()
export class GenesysContactTracker {
  private readonly lastWrite = new Map<string, number>();

  constructor(private readonly activity: ChannelActivityStore) {}

  /** Fire and forget: never delays or fails a turn. */
  seen(channelId: string): void {
    const now = Date.now();
    if (now - (this.lastWrite.get(channelId) ?? 0) < WRITE_EVERY_MS) return;
    if (this.lastWrite.size > 10_000) this.lastWrite.clear();
    this.lastWrite.set(channelId, now);
    // A lost write only ages the "last contact" shown in setup; the next turn after WRITE_EVERY_MS writes again.
    this.activity.recordGenesysContact(channelId, now).catch(() => undefined);
  }

  last(channelId: string): Promise<number | undefined> {
    return this.activity.lastGenesysContact(channelId);
  }
}
