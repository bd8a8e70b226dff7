import { Module, type DynamicModule } from '@nestjs/common';
import { GenesysCloudEmulator } from './genesys-cloud-emulator.js';
import { OAuthEmulatorController } from './oauth-emulator.controller.js';

@Module({})
export class EmulatorModule {
  /** The emulator instance is created by the caller so tests keep a handle on its switches and call log. */
  static register(emulator: GenesysCloudEmulator): DynamicModule {
    return {
      module: EmulatorModule,
      controllers: [OAuthEmulatorController],
      providers: [{ provide: GenesysCloudEmulator, useValue: emulator }],
    };
  }
}
