import { Module, type DynamicModule } from '@nestjs/common';
import { BotConnectorApiController } from './bot-connector-api.controller.js';
import { ConversationsApiController } from './conversations-api.controller.js';
import { DevApiController } from './dev-api.controller.js';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { OAuthEmulatorController } from './oauth-emulator.controller.js';
import { UtilitiesApiController } from './utilities-api.controller.js';

@Module({})
export class EmulatorModule {
  /** The emulator instance is created by the caller so tests keep a handle on its switches and call log. */
  static register(emulator: GenesysCloudEmulator): DynamicModule {
    return {
      module: EmulatorModule,
      controllers: [OAuthEmulatorController, BotConnectorApiController, ConversationsApiController, UtilitiesApiController, DevApiController],
      providers: [{ provide: GenesysCloudEmulator, useValue: emulator }],
    };
  }
}
