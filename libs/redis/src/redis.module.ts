import { Global, Inject, Injectable, Module, type OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '@app/queue/redis-keys.js';
import { createRedis } from './redis-connection.js';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const REDIS_OPTIONS = Symbol('REDIS_OPTIONS');

export interface RedisModuleOptions {
  url: string;
  prefix: string;
  name: string;
  failFast?: boolean;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The root opens the one shared Redis connection; features inject it with `@Inject(REDIS_CLIENT)`. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS_OPTIONS, useValue: options },
        {
          provide: REDIS_CLIENT,
          useFactory: () => {
            const client = createRedis({ url: options.url, name: options.name, failFast: options.failFast, autoPipelining: true });
            // Connection errors are reported through health checks; without a listener ioredis
            // would print every reconnect attempt as an unhandled error.
            client.on('error', () => undefined);
            return client;
          },
        },
        { provide: RedisKeys, useValue: new RedisKeys(options.prefix) },
        RedisCloser,
      ],
      exports: [REDIS_CLIENT, REDIS_OPTIONS, RedisKeys],
    };
  }
}
