import type { Redis } from 'ioredis';
import type { RedisKeys } from '@app/queue/redis-keys.js';
import { throttleAddress } from './client-address.js';

export interface LoginLimits {
  /** Attempts on one username (guessing one account). */
  perUser: number;
  /** Attempts from one client address, over all usernames (spraying many; an office NAT shares one address). */
  perAddress: number;
  /** Window, from the first attempt counted. */
  windowMs: number;
}

export const LOGIN_LIMITS: LoginLimits = { perUser: 10, perAddress: 50, windowMs: 15 * 60_000 };

/** Failed logins kept for people to look at (approximately; Redis trims whole nodes). */
const FAILED_LOGINS_KEPT = 1000;

/*
 * KEYS: userCounter, addressCounter   ARGV: windowMs, perUser, perAddress
 * Either counter at its limit: nothing is counted, and the answer is the ms until the fuller one
 * (the longest wait) expires. Else both are counted, and a counter without an expiry gets the
 * window. One script, so a parallel burst cannot read the same count and all go through.
 */
const BEGIN = `
local limits = { tonumber(ARGV[2]), tonumber(ARGV[3]) }
local wait = 0
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= limits[i] then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then
      redis.call('PEXPIRE', KEYS[i], ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return 0
`;

/*
 * KEYS: userCounter, addressCounter
 * A right password clears its user's count, and gives its own attempt back to the address (never
 * below zero, never making a counter without expiry): other users behind that address keep theirs.
 */
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`;

type ThrottleRedis = Redis & {
  gbgLoginBegin(userKey: string, addressKey: string, windowMs: number, perUser: number, perAddress: number): Promise<number>;
  gbgLoginSucceeded(userKey: string, addressKey: string): Promise<number>;
};

/**
 * Console login throttling in Redis, shared by every ingress process. An attempt is counted before
 * its password is checked, so a burst cannot outrun the limit; a right password gives its count
 * back. Failed logins go to their own short stream, not the audit log: they are written by
 * unauthenticated callers, who must not be able to push real history out of a capped stream.
 */
export class LoginThrottle {
  private readonly redis: ThrottleRedis;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly limits: LoginLimits = LOGIN_LIMITS,
  ) {
    this.redis = redis as ThrottleRedis;
    if (typeof this.redis.gbgLoginBegin !== 'function') {
      redis.defineCommand('gbgLoginBegin', { numberOfKeys: 2, lua: BEGIN });
      redis.defineCommand('gbgLoginSucceeded', { numberOfKeys: 2, lua: SUCCEEDED });
    }
  }

  private counters(username: string, ip: string): [string, string] {
    return [this.keys.adminLoginFailures(`user:${username.toLowerCase().slice(0, 64)}`), this.keys.adminLoginFailures(`ip:${throttleAddress(ip)}`)];
  }

  /** Counts an attempt; refused (with the wait until its window ends) when a limit is reached. */
  async begin(username: string, ip: string): Promise<{ admitted: true } | { admitted: false; retryAfterMs: number }> {
    const [user, address] = this.counters(username, ip);
    const wait = await this.redis.gbgLoginBegin(user, address, this.limits.windowMs, this.limits.perUser, this.limits.perAddress);
    return wait > 0 ? { admitted: false, retryAfterMs: wait } : { admitted: true };
  }

  async succeeded(username: string, ip: string): Promise<void> {
    const [user, address] = this.counters(username, ip);
    await this.redis.gbgLoginSucceeded(user, address);
  }

  /** Keeps the failure for people to see; it was counted when it began. */
  async failed(username: string, ip: string): Promise<void> {
    await this.redis.xadd(this.keys.adminFailedLogins(), 'MAXLEN', '~', FAILED_LOGINS_KEPT, '*', 'username', username.slice(0, 64), 'address', ip.slice(0, 64));
  }
}
