import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaArg = string | number;

/**
 * One Lua script as a typed function: `keys` names, in KEYS order, every key the script touches
 * (nothing is built inside Lua, so Redis Cluster can route it), `argv` turns the named input into
 * ARGV, `reply` types what comes back. Runs as EVALSHA, and as EVAL when Redis does not know the
 * script yet (NOSCRIPT: first call, or after a restart or SCRIPT FLUSH). Plain EVALSHA rather than
 * ioredis `defineCommand`: a command defined after an auto-pipeline was opened is missing from it.
 */
export interface LuaScriptSpec<I, R> {
  /** What the script is called in docs and tests. */
  name: string;
  lua: string;
  keys(input: I): string[];
  argv(input: I): LuaArg[];
  reply(raw: unknown, input: I): R;
}

export type LuaScript<I, R> = ((redis: Redis, input: I) => Promise<R>) & { readonly spec: LuaScriptSpec<I, R> };

export function defineLuaScript<I, R>(spec: LuaScriptSpec<I, R>): LuaScript<I, R> {
  const sha = createHash('sha1').update(spec.lua).digest('hex');
  const run = async (redis: Redis, input: I): Promise<R> => {
    const keys = spec.keys(input);
    const argv = spec.argv(input);
    let raw: unknown;
    try {
      raw = await redis.evalsha(sha, keys.length, ...keys, ...argv);
    } catch (e) {
      if (!(e instanceof Error && e.message.startsWith('NOSCRIPT'))) throw e;
      raw = await redis.eval(spec.lua, keys.length, ...keys, ...argv);
    }
    return spec.reply(raw, input);
  };
  return Object.assign(run, { spec });
}
