import type { Redis } from 'ioredis';
import type { EmulatorApp } from '../../apps/genesys-emulator/src/main.js';

/**
 * Small helpers for end-to-end tests of the gateway's Genesys Platform API features (bot list
 * publishing, notifications) against the in-process emulator.
 */

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Headers;
}

/** One admin API call (`Authorization: Bearer <admin token>`), JSON in and out. */
export async function adminCall(baseUrl: string, adminToken: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds; throws with the last value seen when it never does. */
export async function pollUntil<T>(read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await sleep(50);
    last = await read();
  }
  return last;
}

/**
 * Every access token the emulator has issued (and not revoked). The emulator keeps them in a
 * private map and never logs them; reading the map is the only way to know them without
 * intercepting `/oauth/token` responses.
 */
export function issuedAccessTokens(emu: EmulatorApp): string[] {
  const map = (emu.emulator as unknown as { accessTokens?: Map<string, unknown> }).accessTokens;
  if (!(map instanceof Map)) throw new Error('the emulator no longer keeps its access tokens in `accessTokens`; update issuedAccessTokens()');
  return [...map.keys()];
}

/** Every key under `${prefix}:*` with its value read according to its type, for leak checks. */
export async function dumpPrefix(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  for (const key of keys) {
    const type = await redis.type(key);
    let value: unknown;
    switch (type) {
      case 'string':
        value = await redis.get(key);
        break;
      case 'list':
        value = await redis.lrange(key, 0, -1);
        break;
      case 'hash':
        value = await redis.hgetall(key);
        break;
      case 'set':
        value = await redis.smembers(key);
        break;
      case 'zset':
        value = await redis.zrange(key, '0', '-1', 'WITHSCORES');
        break;
      case 'stream':
        value = await redis.xrange(key, '-', '+');
        break;
      case 'none':
        continue; // expired between SCAN and TYPE
      default:
        value = `<unread type ${type}>`;
    }
    out.set(key, `${key} ${JSON.stringify(value)}`);
  }
  return out;
}

/** Keys (with a short excerpt) whose name or value contains `needle`. */
export function keysContaining(dump: Map<string, string>, needle: string): string[] {
  const hits: string[] = [];
  for (const [key, text] of dump) {
    const at = text.indexOf(needle);
    if (at >= 0) hits.push(`${key}: …${text.slice(Math.max(0, at - 60), at + needle.length + 20)}…`);
  }
  return hits;
}
