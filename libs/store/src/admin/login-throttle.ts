import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys.js';
import { throttleAddress } from '@app/admin-auth/client-address.js';
import { beginLogin, loginSucceeded } from './lua/login-throttle.lua.js';

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

/**
 * Console login throttling in Redis, shared by every ingress process. An attempt is counted before
 * its password is checked, so a burst cannot outrun the limit; a right password gives its count
 * back. Failed logins go to their own short stream, not the audit log: they are written by
 * unauthenticated callers, who must not be able to push real history out of a capped stream.
 * Not on @nestjs/throttler: its guard runs before the password is checked and its storage can only
 * increment one key at a time, so it could neither give a right password's attempt back nor refuse
 * without counting on both the user and the address at once.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly limits: LoginLimits = LOGIN_LIMITS,
  ) {}

  private counters(username: string, ip: string): { userCounter: string; addressCounter: string } {
    return {
      userCounter: this.keys.adminLoginFailures(`user:${username.toLowerCase().slice(0, 64)}`),
      addressCounter: this.keys.adminLoginFailures(`ip:${throttleAddress(ip)}`),
    };
  }

  /** Counts an attempt; refused (with the wait until its window ends) when a limit is reached. */
  async begin(username: string, ip: string): Promise<{ admitted: true } | { admitted: false; retryAfterMs: number }> {
    const { windowMs, perUser, perAddress } = this.limits;
    const wait = await beginLogin(this.redis, { keys: this.counters(username, ip), windowMs, perUser, perAddress });
    return wait > 0 ? { admitted: false, retryAfterMs: wait } : { admitted: true };
  }

  async succeeded(username: string, ip: string): Promise<void> {
    await loginSucceeded(this.redis, { keys: this.counters(username, ip) });
  }

  /** Keeps the failure for people to see; it was counted when it began. */
  async failed(username: string, ip: string): Promise<void> {
    await this.redis.xadd(this.keys.adminFailedLogins(), 'MAXLEN', '~', FAILED_LOGINS_KEPT, '*', 'username', username.slice(0, 64), 'address', ip.slice(0, 64));
  }
}
