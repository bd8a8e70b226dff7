import { Controller, Delete, Get, HttpCode, Param, Query, Req, UseGuards } from '@nestjs/common';
import { BOT_SESSION_ID_PATTERN, BOT_SESSION_ID_RULE, CHANNEL_ID_PATTERN, CHANNEL_ID_RULE, ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { GenesysLimits } from '@app/genesys';
import { SessionStore, TranscriptStore, sessionKeyOf } from '@app/store';
import { AdminAuthGuard, type AdminRequest } from '../admin/admin-auth.guard.js';
import { ConversationErasure } from './conversation-erasure.service.js';

const OUTCOMES = new Set(['reply', 'handoff', 'end', 'failed']);
/** Transcript pages: the default fits a normal conversation in one read; the ceiling is TRANSCRIPT_MAX_ENTRIES's default. */
const TRANSCRIPT_PAGE_DEFAULT = 100;
const TRANSCRIPT_PAGE_MAX = 500;
/** Genesys conversation ids are UUIDs: printable ASCII without spaces, up to the webhook's id limit, covers them and refuses junk. */
const GENESYS_ID_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${GenesysLimits.maxIdLength}}$`);

function checkSessionParams(botSessionId: string, channelId: string | undefined): void {
  if (!BOT_SESSION_ID_PATTERN.test(botSessionId)) throw new GatewayError('invalid_request', `botSessionId ${BOT_SESSION_ID_RULE}`);
  if (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('invalid_request', `channelId ${CHANNEL_ID_RULE}`);
}

/** Conversation tracking: the transcript of one bot session, turn by turn. */
@Controller('api/conversations')
@UseGuards(AdminAuthGuard)
export class ConversationsController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly transcripts: TranscriptStore,
    private readonly channels: ChannelRepository,
    private readonly erasure: ConversationErasure,
  ) {}

  /**
   * Conversations newest first, from the session index (score = last activity). Filtering by
   * outcome reads each candidate's last transcript entry, so pages are bounded by `limit`.
   */
  @Get()
  async list(
    @Query('channelId') channelId?: string,
    @Query('outcome') outcome?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ) {
    if (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId)) throw new GatewayError('invalid_request', 'channelId is not a channel id');
    if (outcome !== undefined && !OUTCOMES.has(outcome)) throw new GatewayError('invalid_request', `outcome must be one of ${[...OUTCOMES].join(', ')}`);
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 200) throw new GatewayError('invalid_request', 'limit must be 1-200');
    const time = (v: string | undefined, name: string) => {
      if (v === undefined) return undefined;
      const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
      if (!Number.isFinite(t)) throw new GatewayError('invalid_request', `${name} must be an ISO date or epoch ms`);
      return t;
    };
    const max = Math.min(time(to, 'to') ?? Number.MAX_SAFE_INTEGER, before !== undefined ? (time(before, 'before') ?? Infinity) - 1 : Number.MAX_SAFE_INTEGER);
    const min = time(from, 'from') ?? 0;
    const entities: unknown[] = [];
    let cursorMax = max;
    // Scan the index in pages until `limit` matches (or the range is exhausted): filters may skip many.
    for (let scanned = 0; entities.length < n && scanned < 5000; ) {
      const rows = await this.sessions.recent(cursorMax, min, 200);
      if (rows.length === 0) break;
      scanned += rows.length;
      const wanted = rows.filter((r) => channelId === undefined || r.sessionKey.startsWith(`${channelId}:`));
      const keys = wanted.map((r) => r.sessionKey);
      const [heads, statuses] = await Promise.all([this.transcripts.heads(keys), this.sessions.statuses(keys)]);
      wanted.forEach((r, i) => {
        if (entities.length >= n) return;
        const { last, count } = heads[i]!;
        if (outcome !== undefined && last?.outcome !== outcome) return;
        const sep = r.sessionKey.indexOf(':');
        entities.push({
          channelId: r.sessionKey.slice(0, sep),
          botSessionId: r.sessionKey.slice(sep + 1),
          genesysConversationId: last?.genesysConversationId,
          lastActivityAt: new Date(r.at).toISOString(),
          turns: count,
          outcome: last?.outcome,
          ...(last?.handoffReason ? { handoffReason: last.handoffReason } : {}),
          status: statuses[i],
        });
      });
      cursorMax = rows[rows.length - 1]!.at - 1;
    }
    const lastAt = (entities.at(-1) as { lastActivityAt?: string } | undefined)?.lastActivityAt;
    return { entities, ...(entities.length === n && lastAt ? { next: String(Date.parse(lastAt)) } : {}) };
  }

  /**
   * One page of a session's transcript, oldest first. The cursor is an entry's position among all
   * entries the session ever had (TranscriptStore), not its index in the list: trimming at the head
   * (TRANSCRIPT_MAX_ENTRIES) shifts every index, so an index cursor would skip or repeat entries
   * while the list is trimmed and appended to. A cursor whose entries were trimmed meanwhile reads
   * from the oldest one kept and says how many it missed (`skipped`).
   */
  @Get(':botSessionId')
  async transcript(@Param('botSessionId') botSessionId: string, @Query('channelId') channelId?: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    checkSessionParams(botSessionId, channelId);
    const n = limit === undefined ? TRANSCRIPT_PAGE_DEFAULT : Number(limit);
    if (!/^\d{1,4}$/.test(limit ?? '1') || n < 1 || n > TRANSCRIPT_PAGE_MAX) throw new GatewayError('invalid_request', `limit must be 1-${TRANSCRIPT_PAGE_MAX}`);
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new GatewayError('invalid_request', 'cursor must be the `next` of a previous page');
    const from = cursor === undefined ? undefined : Number(cursor);
    const candidates = channelId ? [channelId] : (await this.channels.list()).map((c) => c.id);
    for (const ch of candidates) {
      const key = sessionKeyOf(ch, botSessionId);
      const page = await this.transcripts.page(key, from, n);
      if (page.total === page.first) continue;
      const [[status], session] = await Promise.all([this.sessions.statuses([key]), this.sessions.get(key)]);
      const end = page.from + page.entries.length;
      return {
        channelId: ch,
        botSessionId,
        genesysConversationId: page.entries.find((t) => t.genesysConversationId)?.genesysConversationId ?? session?.genesysConversationId,
        status,
        turns: page.entries,
        /** Entries kept, and how many were trimmed before the oldest kept one. */
        kept: page.total - page.first,
        trimmed: page.first,
        ...(from !== undefined && page.from > from ? { skipped: page.from - from } : {}),
        ...(end < page.total ? { next: String(end) } : {}),
      };
    }
    throw new GatewayError('not_found', 'no transcript for that bot session');
  }

  /**
   * Deletes what the gateway keeps about one bot session (in `channelId`, or in every channel that
   * has it). Turns in flight are still answered but not recorded (SessionEraser). Any admin
   * credential may: there is one admin role, the one that edits channels (see docs/admin-api.md).
   */
  @Delete(':botSessionId')
  @HttpCode(204)
  async deleteSession(@Req() req: AdminRequest, @Param('botSessionId') botSessionId: string, @Query('channelId') channelId?: string): Promise<void> {
    checkSessionParams(botSessionId, channelId);
    await this.erasure.erase(req.actor!, { botSessionId, channelId });
  }

  /** Deletes every bot session of a Genesys conversation, found through the index the transcript writers keep. */
  @Delete()
  @HttpCode(204)
  async deleteConversation(@Req() req: AdminRequest, @Query('genesysConversationId') genesysConversationId?: unknown): Promise<void> {
    if (typeof genesysConversationId !== 'string' || !GENESYS_ID_PATTERN.test(genesysConversationId)) {
      throw new GatewayError('invalid_request', `genesysConversationId is required: 1-${GenesysLimits.maxIdLength} printable characters`);
    }
    await this.erasure.erase(req.actor!, { genesysConversationId });
  }
}
