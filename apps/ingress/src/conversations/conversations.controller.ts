import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BOT_SESSION_ID_PATTERN, CHANNEL_ID_PATTERN, ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { RedisKeys, sessionKeyOf, type TranscriptEntry } from '@app/queue';
import { REDIS_CLIENT } from '@app/redis';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';

const OUTCOMES = new Set(['reply', 'handoff', 'end', 'failed']);


/** Conversation tracking: the transcript of one bot session, turn by turn. */
@Controller('api/conversations')
@UseGuards(AdminAuthGuard)
export class ConversationsController {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
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
      const page = await this.redis.zrevrangebyscore(this.keys.sessionIndex(), cursorMax, min, 'WITHSCORES', 'LIMIT', 0, 200);
      if (page.length === 0) break;
      const rows: { sessionKey: string; at: number }[] = [];
      for (let i = 0; i < page.length; i += 2) rows.push({ sessionKey: page[i]!, at: Number(page[i + 1]) });
      scanned += rows.length;
      const wanted = rows.filter((r) => channelId === undefined || r.sessionKey.startsWith(`${channelId}:`));
      const tx = this.redis.multi();
      for (const r of wanted) tx.lindex(this.keys.transcript(r.sessionKey), -1).llen(this.keys.transcript(r.sessionKey)).get(this.keys.session(r.sessionKey));
      const res = ((await tx.exec()) ?? []).map(([, v]) => v as string | number | null);
      wanted.forEach((r, i) => {
        if (entities.length >= n) return;
        const lastRaw = res[i * 3] as string | null;
        const last = lastRaw ? (JSON.parse(lastRaw) as TranscriptEntry) : undefined;
        if (outcome !== undefined && last?.outcome !== outcome) return;
        const sep = r.sessionKey.indexOf(':');
        const session = res[i * 3 + 2] as string | null;
        entities.push({
          channelId: r.sessionKey.slice(0, sep),
          botSessionId: r.sessionKey.slice(sep + 1),
          genesysConversationId: last?.genesysConversationId,
          lastActivityAt: new Date(r.at).toISOString(),
          turns: res[i * 3 + 1] as number,
          outcome: last?.outcome,
          ...(last?.handoffReason ? { handoffReason: last.handoffReason } : {}),
          status: session ? ((JSON.parse(session) as { closed?: string }).closed ? 'closed' : 'open') : 'expired',
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
      const raw = await this.redis.lrange(this.keys.transcript(key), 0, -1);
      if (raw.length === 0) continue;
      const session = await this.redis.get(this.keys.session(key));
      const turns = raw.map((r) => JSON.parse(r) as TranscriptEntry);
      return {
        channelId: ch,
        botSessionId,
        genesysConversationId: turns.find((t) => t.genesysConversationId)?.genesysConversationId,
        status: session ? ((JSON.parse(session) as { closed?: string }).closed ? 'closed' : 'open') : 'expired',
        turns,
      };
    }
    throw new GatewayError('not_found', 'no transcript for that bot session');
  }
}
