import { defineLuaScript } from '@app/redis/lua-script.js';

export interface ClaimFallbackInput {
  keys: { claim: string; result: string; turn: string };
  ttlMs: number;
}

/**
 * `fallback`: the ingress answers with its fallback; `result`: the worker finished first; `lost`:
 * neither the turn nor a result exists (a Redis failover lost the accept), so nothing may be
 * acknowledged for it.
 */
export type ClaimFallbackReply = { won: 'fallback' } | { won: 'result'; resultJson: string } | { won: 'lost' };

/** The ingress's claim at its deadline: whoever claims a turn first answers Genesys. */
export const claimFallback = defineLuaScript<ClaimFallbackInput, ClaimFallbackReply>({
  name: 'gbgClaimFallback',
  lua: `
local claim, result, turn = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', turn) == 0 and redis.call('EXISTS', result) == 0 then return {'lost'} end
if redis.call('SET', claim, 'fallback', 'NX', 'PX', ARGV[1]) then return {'fallback'} end
-- Another delivery of the same turn already fell back: its result belongs to the late list.
if redis.call('GET', claim) == 'fallback' then return {'fallback'} end
local r = redis.call('GET', result)
if r then return {'result', r} end
return {'fallback'}
`,
  keys: ({ keys: k }) => [k.claim, k.result, k.turn],
  argv: (i) => [i.ttlMs],
  reply: (raw) => {
    const [kind, json] = raw as string[];
    if (kind === 'lost') return { won: 'lost' };
    return kind === 'result' && json ? { won: 'result', resultJson: json } : { won: 'fallback' };
  },
});
