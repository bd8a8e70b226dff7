import { Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import type { BotProvider } from './bot-provider.interface.js';
import { BotProviderRegistry } from './bot-provider.registry.js';
import { HTTP_PROVIDER_OPTIONS, type HttpProviderOptions } from './http/http-bot.provider.js';

export interface BotProvidersModuleOptions {
  /** Classes implementing BotProvider; each is instantiated by Nest, so it can inject anything. */
  providers: Type<BotProvider>[];
  /** Modules the providers depend on (a developer's own bot module, for instance). */
  imports?: ModuleMetadata['imports'];
  /** Settings of the built-in http provider. */
  http?: HttpProviderOptions;
}

/**
 * Registers bot providers by name. A developer adds a bot by writing a class that implements
 * BotProvider and listing it here; the turn path is not edited.
 *
 *   BotProvidersModule.forRoot({ providers: [DemoBotProvider, HttpBotProvider, MyBotProvider], imports: [MyBotModule] })
 */
@Module({})
export class BotProvidersModule {
  static forRoot(options: BotProvidersModuleOptions): DynamicModule {
    const registryProvider: Provider = {
      provide: BotProviderRegistry,
      useFactory: (...instances: BotProvider[]) => {
        const registry = new BotProviderRegistry();
        for (const p of instances) registry.register(p);
        return registry;
      },
      inject: options.providers,
    };
    return {
      module: BotProvidersModule,
      imports: options.imports ?? [],
      providers: [
        { provide: HTTP_PROVIDER_OPTIONS, useValue: options.http ?? { allowPrivateNetworks: false } },
        ...options.providers,
        registryProvider,
      ],
      exports: [BotProviderRegistry],
    };
  }
}
