/**
 * Lua shared by every script that appends to a transcript (the turn completion and
 * TranscriptStore.append), so both trim, count and index the same way.
 *
 * appendTranscript: pushes one entry, keeps the newest `maxEntries` (LTRIM in the same script, so
 * no reader sees the list over the limit), and counts every entry ever appended. The count gives
 * each entry a position (count - LLEN + index) that trimming at the head and appending at the tail
 * never change: the admin read's cursor is that position. A transcript written before the count
 * existed starts it at its length. The conversation set (deletion by Genesys conversation id)
 * gets the session and expires with the transcript.
 */
export const APPEND_TRANSCRIPT_LUA = `
local function appendTranscript(transcript, count, conversation, entry, ttlMs, maxEntries, sessionKey)
  local len = redis.call('RPUSH', transcript, entry)
  local n = redis.call('INCR', count)
  if n < len then n = len; redis.call('SET', count, n) end
  if len > maxEntries then redis.call('LTRIM', transcript, -maxEntries, -1) end
  redis.call('PEXPIRE', transcript, ttlMs); redis.call('PEXPIRE', count, ttlMs)
  if conversation then redis.call('SADD', conversation, sessionKey); redis.call('PEXPIRE', conversation, ttlMs) end
end
`;
