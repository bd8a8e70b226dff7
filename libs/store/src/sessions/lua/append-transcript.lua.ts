import { defineLuaScript } from '@app/redis/lua-script.js';
import { APPEND_TRANSCRIPT_LUA } from './transcript-lua.js';

export interface AppendTranscriptInput {
  keys: { transcript: string; count: string; conversation: string; erased: string };
  entryJson: string;
  sessionKey: string;
  ttlMs: number;
  maxEntries: number;
  /** False when the record names no Genesys conversation: the conversation key is then left alone. */
  indexConversation: boolean;
}

/**
 * Appends a record written outside a turn (expired turn, refused v2 reply, notification). Skipped
 * (false) while the session's erase marker is there: the session was deleted with turns in flight,
 * and what they leave behind is not recorded (see eraseSession).
 */
export const appendTranscript = defineLuaScript<AppendTranscriptInput, boolean>({
  name: 'gbgAppendTranscript',
  lua: `${APPEND_TRANSCRIPT_LUA}
local transcript, count, conversation, erased = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('EXISTS', erased) == 1 then return 0 end
if ARGV[5] ~= '1' then conversation = nil end
appendTranscript(transcript, count, conversation, ARGV[1], ARGV[3], tonumber(ARGV[4]), ARGV[2])
return 1
`,
  keys: ({ keys: k }) => [k.transcript, k.count, k.conversation, k.erased],
  argv: (i) => [i.entryJson, i.sessionKey, i.ttlMs, i.maxEntries, i.indexConversation ? '1' : '0'],
  reply: (raw) => raw === 1,
});

export interface TranscriptPageInput {
  keys: { transcript: string; count: string };
  /** Position of the first entry wanted; below the oldest kept entry reads from there. */
  from: number;
  limit: number;
}

export interface TranscriptPageReply {
  /** Position of the oldest entry still kept. */
  first: number;
  /** Entries ever appended (the position the next one will get). */
  total: number;
  entriesJson: string[];
}

/** One page of a transcript by position, with the count and length read in the same instant. */
export const transcriptPage = defineLuaScript<TranscriptPageInput, TranscriptPageReply>({
  name: 'gbgTranscriptPage',
  lua: `
local len = redis.call('LLEN', KEYS[1])
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
if total < len then total = len end
local first = total - len
local from = math.max(tonumber(ARGV[1]), first)
local entries = redis.call('LRANGE', KEYS[1], from - first, from - first + tonumber(ARGV[2]) - 1)
local out = {tostring(first), tostring(total)}
for _, e in ipairs(entries) do out[#out + 1] = e end
return out
`,
  keys: ({ keys: k }) => [k.transcript, k.count],
  argv: (i) => [i.from, i.limit],
  reply: (raw) => {
    const [first, total, ...entriesJson] = raw as string[];
    return { first: Number(first), total: Number(total), entriesJson };
  },
});
