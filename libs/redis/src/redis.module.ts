import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedis } from './redis-connection.js';
import type { RedisTopology } from './redis-topology.js';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
const REDIS_MODULE_OPTIONS = Symbol('REDIS_MODULE_OPTIONS');

export interface RedisModuleOptions {
  /** Where Redis is (config.redisTopology); a plain URL for one server. */
  topology?: RedisTopology;
  url?: string;
  /** Names every connection (CLIENT LIST shows `<name>-<purpose>`). */
  name: string;
  /** The shared command client fails fast while Redis is away (a webhook answers 503 at once). */
  failFast?: boolean;
}

/**
 * Every Redis connection of a process is made here and closed here, once nothing uses it:
 * `command` is the shared, auto-pipelined client stores use; `blocking` and `producer` give a
 * feature a connection of its own (a BullMQ worker or a stream reader blocks its socket; a queue
 * producer must not wait behind them). Closing runs in onApplicationShutdown, the last hook, after
 * every consumer and queue closed in the earlier ones.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  readonly command: Redis;
  private readonly dedicated = new Set<Redis>();
  private readonly errors = new Map<string, number>();

  constructor(@Inject(REDIS_MODULE_OPTIONS) private readonly options: RedisModuleOptions) {
    this.command = this.open(options.name, 'command', { failFast: options.failFast, autoPipelining: true });
  }

  /**
   * A connection that may block (BullMQ Worker, XREAD BLOCK): never shared. `instance` only names
   * it in CLIENT LIST (one per process, say); errors are counted under the purpose.
   */
  blocking(purpose: string, instance?: string): Redis {
    return this.track(this.open(`${this.options.name}-${purpose}${instance ? `-${instance}` : ''}`, purpose, { blocking: true }));
  }

  /** A connection for a BullMQ Queue; `failFast` for producers that answer a caller while Redis is away. */
  producer(purpose: string, opts: { failFast?: boolean } = {}): Redis {
    return this.track(this.open(`${this.options.name}-${purpose}`, purpose, { failFast: opts.failFast ?? this.options.failFast }));
  }

  /**
   * Connection errors (refused, reset, timed out, READONLY…) since start, by purpose (`command`
   * for the shared client): the metric SREs alert on. Purposes are fixed in code, so the set stays small.
   */
  get errorCounts(): ReadonlyMap<string, number> {
    return this.errors;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of this.dedicated) c.disconnect();
    this.dedicated.clear();
    // QUIT lets replies in flight arrive; a Redis already gone leaves only the socket to drop.
    await this.command.quit().catch(() => this.command.disconnect());
  }

  private open(name: string, purpose: string, opts: { failFast?: boolean; blocking?: boolean; autoPipelining?: boolean }): Redis {
    return this.counted(createRedis({ url: this.options.url, topology: this.options.topology, name, ...opts }), name, purpose);
  }

  /**
   * Counts the client's errors under `purpose`, and those of its duplicates too: a BullMQ Worker
   * runs its blocking fetch on a duplicate of the connection it is given, which would otherwise
   * fail unseen by the metric while Redis is away.
   */
  private counted(client: Redis, name: string, purpose: string): Redis {
    // Reconnects are reported by the health checks; without a listener ioredis prints every attempt.
    client.on('error', (e: Error) => {
      this.errors.set(purpose, (this.errors.get(purpose) ?? 0) + 1);
      this.logger.debug({ connection: name, error: e.message }, 'redis connection error');
    });
    const duplicate = client.duplicate.bind(client) as (...args: unknown[]) => Redis;
    client.duplicate = ((...args: unknown[]) => this.counted(duplicate(...args), `${name}-duplicate`, purpose)) as Redis['duplicate'];
    return client;
  }

  private track(client: Redis): Redis {
    this.dedicated.add(client);
    return client;
  }
}

/** The root makes the process's connections; features inject `RedisConnections` or the shared `REDIS_CLIENT`. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS_MODULE_OPTIONS, useValue: options },
        RedisConnections,
        { provide: REDIS_CLIENT, useFactory: (c: RedisConnections) => c.command, inject: [RedisConnections] },
      ],
      exports: [REDIS_CLIENT, RedisConnections],
    };
  }
}
