import { Module, type DynamicModule } from '@nestjs/common';
import { SecretBox } from '@app/secrets';
import { ChannelRepository } from './channel.repository.js';

/** Needs the global StoreModule (ChannelRecords); seals app secrets with the given box. */
@Module({})
export class ChannelsModule {
  static register(box: SecretBox): DynamicModule {
    return {
      module: ChannelsModule,
      providers: [{ provide: SecretBox, useValue: box }, ChannelRepository],
      exports: [ChannelRepository],
    };
  }
}
