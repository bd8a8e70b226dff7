import { defineLuaScript } from '@app/redis/lua-script.js';

export interface DropHeadInput {
  keys: { inbox: string };
  turnId: string;
}

/** Removes the session's head turn if it is still `turnId`; true when it did. */
export const dropHead = defineLuaScript<DropHeadInput, boolean>({
  name: 'gbgDropHead',
  lua: `
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]); return 1 end
return 0
`,
  keys: ({ keys: k }) => [k.inbox],
  argv: (i) => [i.turnId],
  reply: (raw) => raw === 1,
});
