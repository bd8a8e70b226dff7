import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { BOT_SESSION_ID_PATTERN, CHANNEL_ID_PATTERN, ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { SessionStore, TranscriptStore, sessionKeyOf } from '@app/store';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';

const OUTCOMES = new Set(['reply', 'handoff', 'end', 'failed']);


/** Conversation tracking: the transcript of one bot session, turn by turn. */
@Controller('api/conversations')
@UseGuards(AdminAuthGuard)
export class ConversationsController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly transcripts: TranscriptStore,
    private readonly channels: ChannelRepository,
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

  @Get(':botSessionId')
  async transcript(@Param('botSessionId') botSessionId: string, @Query('channelId') channelId?: string) {
    if (!BOT_SESSION_ID_PATTERN.test(botSessionId) || (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId))) {
      throw new GatewayError('invalid_request', 'botSessionId and channelId must be 1-256 letters, digits, ".", "_" or "-"');
    }
    const candidates = channelId ? [channelId] : (await this.channels.list()).map((c) => c.id);
    for (const ch of candidates) {
      const key = sessionKeyOf(ch, botSessionId);
      const turns = await this.transcripts.all(key);
      if (turns.length === 0) continue;
      const [status] = await this.sessions.statuses([key]);
      return {
        channelId: ch,
        botSessionId,
        genesysConversationId: turns.find((t) => t.genesysConversationId)?.genesysConversationId,
        status,
        turns,
      };
    }
    throw new GatewayError('not_found', 'no transcript for that bot session');
  }
}
