import { Module } from '@nestjs/common';
import { ChannelRepository } from './channel.repository.js';

/** Needs REDIS_CLIENT (RedisModule.forRoot) and a RedisKeys provider from the app root. */
@Module({ providers: [ChannelRepository], exports: [ChannelRepository] })
export class ChannelsModule {}
