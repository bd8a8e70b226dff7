import { defineLuaScript } from '@app/redis/lua-script.js';

export interface ClaimFallbackInput {
  keys: { claim: string; result: string };
  ttlMs: number;
}

/** `fallback`: the ingress answers with its fallback; `result`: the worker finished first. */
export type ClaimFallbackReply = { won: 'fallback' } | { won: 'result'; resultJson: string };

/** The ingress's claim at its deadline: whoever claims a turn first answers Genesys. */
export const claimFallback = defineLuaScript<ClaimFallbackInput, ClaimFallbackReply>({
  name: 'gbgClaimFallback',
  lua: `
local claim, result = KEYS[1], KEYS[2]
if redis.call('SET', claim, 'fallback', 'NX', 'PX', ARGV[1]) then return {'fallback'} end
-- Another delivery of the same turn already fell back: its result belongs to the late list.
if redis.call('GET', claim) == 'fallback' then return {'fallback'} end
local r = redis.call('GET', result)
if r then return {'result', r} end
return {'fallback'}
`,
  keys: ({ keys: k }) => [k.claim, k.result],
  argv: (i) => [i.ttlMs],
  reply: (raw) => {
    const [kind, json] = raw as string[];
    return kind === 'result' && json ? { won: 'result', resultJson: json } : { won: 'fallback' };
  },
});
