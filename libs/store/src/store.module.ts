import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@app/redis';
import type { SecretBox } from '@app/secrets';
import { ChannelRecords } from './channels/channel-records.js';
import { AdminSessionsStore } from './admin/admin-sessions.store.js';
import { AdminUsersStore } from './admin/admin-users.store.js';
import { AuditLog } from './admin/audit-log.js';
import { LoginThrottle } from './admin/login-throttle.js';
import { NotificationStore } from './notifications/notification-store.js';
import { SendRateStore } from './notifications/send-rate.store.js';
import { OAuthStateStore } from './oauth/oauth-state.store.js';
import { OAuthTokenRecords } from './oauth/oauth-token.records.js';
import { ChannelActivityStore } from './ops/channel-activity.store.js';
import { IpRangesStore } from './ops/ip-ranges.store.js';
import { TurnStatsStore } from './ops/turn-stats.store.js';
import { WorkerRegistry } from './ops/worker-registry.js';
import { OutboxStore } from './outbox/outbox-store.js';
import { RedisKeys } from './redis-keys.js';
import { SessionStore } from './sessions/session-store.js';
import { SessionEraser } from './sessions/session-eraser.js';
import { TranscriptStore } from './sessions/transcript-store.js';
import { TurnStore } from './turns/turn-store.js';

export interface StoreModuleOptions {
  /** REDIS_PREFIX: every key of this deployment starts with it. */
  prefix: string;
  /** Seals OAuth tokens and PKCE verifiers (SECRETS_KEY); without it the OAuth stores are not provided (the admin CLI). */
  secretBox?: SecretBox;
  turnRetentionMs: number;
  transcriptRetentionMs: number;
  /** TRANSCRIPT_MAX_ENTRIES: both transcript writers (the completion script and TranscriptStore.append) trim to it. */
  transcriptMaxEntries: number;
  notificationRetentionMs: number;
  /** Console session lifetime (the ingress); a process that only ends sessions may leave the default. */
  adminSessionMs?: number;
}

/**
 * The Redis data model: the key builder and every store, each made once per process over the
 * shared command connection (RedisModule) and injected where it is used. Stores are plain classes
 * (tests build them with `new` on a connection of their own); only this module wires them.
 */
@Global()
@Module({})
export class StoreModule {
  static forRoot(options: StoreModuleOptions): DynamicModule {
    const keys = new RedisKeys(options.prefix);
    const store = <T>(provide: new (...a: never[]) => T, make: (redis: Redis) => T): Provider => ({ provide, useFactory: make, inject: [REDIS_CLIENT] });
    const providers: Provider[] = [
      { provide: RedisKeys, useValue: keys },
      store(ChannelRecords, (r) => new ChannelRecords(r, keys)),
      store(TurnStore, (r) => new TurnStore(r, keys, options.turnRetentionMs)),
      store(SessionStore, (r) => new SessionStore(r, keys)),
      store(SessionEraser, (r) => new SessionEraser(r, keys, options.turnRetentionMs)),
      store(TranscriptStore, (r) => new TranscriptStore(r, keys, { retentionMs: options.transcriptRetentionMs, maxEntries: options.transcriptMaxEntries })),
      store(OutboxStore, (r) => new OutboxStore(r, keys)),
      store(NotificationStore, (r) => new NotificationStore(r, keys, options.notificationRetentionMs)),
      store(SendRateStore, (r) => new SendRateStore(r, keys)),
      store(AdminUsersStore, (r) => new AdminUsersStore(r, keys)),
      store(AdminSessionsStore, (r) => new AdminSessionsStore(r, keys, options.adminSessionMs ?? 60_000)),
      store(AuditLog, (r) => new AuditLog(r, keys)),
      store(LoginThrottle, (r) => new LoginThrottle(r, keys)),
      store(WorkerRegistry, (r) => new WorkerRegistry(r, keys)),
      store(ChannelActivityStore, (r) => new ChannelActivityStore(r, keys)),
      store(TurnStatsStore, (r) => new TurnStatsStore(r, keys)),
      store(IpRangesStore, (r) => new IpRangesStore(r, keys)),
    ];
    const box = options.secretBox;
    if (box) providers.push(store(OAuthStateStore, (r) => new OAuthStateStore(r, keys, box)), store(OAuthTokenRecords, (r) => new OAuthTokenRecords(r, keys, box)));
    return { module: StoreModule, providers, exports: providers.map((p) => (p as { provide: unknown }).provide as never) };
  }
}

/** The retention settings every process shares, as StoreModule options. */
export function storeOptionsFrom(
  config: { REDIS_PREFIX: string; TURN_RETENTION_SECONDS: number; TRANSCRIPT_RETENTION_DAYS: number; TRANSCRIPT_MAX_ENTRIES: number; NOTIFICATION_RETENTION_DAYS: number; ADMIN_SESSION_MINUTES?: number },
  secretBox?: SecretBox,
): StoreModuleOptions {
  return {
    prefix: config.REDIS_PREFIX,
    secretBox,
    turnRetentionMs: config.TURN_RETENTION_SECONDS * 1000,
    transcriptRetentionMs: config.TRANSCRIPT_RETENTION_DAYS * 86_400_000,
    transcriptMaxEntries: config.TRANSCRIPT_MAX_ENTRIES,
    notificationRetentionMs: config.NOTIFICATION_RETENTION_DAYS * 86_400_000,
    adminSessionMs: config.ADMIN_SESSION_MINUTES === undefined ? undefined : config.ADMIN_SESSION_MINUTES * 60_000,
  };
}
