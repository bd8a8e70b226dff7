import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { OAuthStateStore } from '@app/genesys-oauth';
import { RedisKeys } from '@app/queue';
import { REDIS_CLIENT } from '@app/redis';
import { SecretBox } from '@app/secrets';
import { AdminModule } from '../admin/admin.module.js';
import { GenesysOAuthController } from './genesys-oauth.controller.js';
import { GenesysOAuthService } from './genesys-oauth.service.js';

/** Connecting a channel to its Genesys org (authorization code flow); channel setup uses the service. */
@Module({
  imports: [AdminModule],
  controllers: [GenesysOAuthController],
  providers: [
    { provide: OAuthStateStore, useFactory: (redis: Redis, keys: RedisKeys, box: SecretBox) => new OAuthStateStore(redis, keys, box), inject: [REDIS_CLIENT, RedisKeys, SecretBox] },
    GenesysOAuthService,
  ],
  exports: [GenesysOAuthService],
})
export class OAuthModule {}
