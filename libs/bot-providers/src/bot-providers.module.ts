import { Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { BOT_PROVIDER_RULES } from '@app/channels';
import type { BotProvider } from './bot-provider.interface.js';
import { BotProviderRegistry } from './bot-provider.registry.js';
import { BackendClient, BOT_PROVIDERS_OPTIONS, type BotProvidersOptions } from './kit/backend-client.js';

export interface BotProvidersModuleOptions {
  /** Classes implementing BotProvider; each is instantiated by Nest, so it can inject anything (BackendClient included). */
  providers: Type<BotProvider>[];
  /** Modules the providers depend on (a developer's own bot module, for instance). */
  imports?: ModuleMetadata['imports'];
  /** Allow http:// and loopback/private backends (BOT_PROVIDERS_ALLOW_PRIVATE): development and tests only. */
  allowPrivateNetworks?: boolean;
  /** @deprecated the same as `allowPrivateNetworks`, kept for entry points written before it. */
  http?: BotProvidersOptions;
}

/** The providers an entry point gives the ingress and the workers (both must get the same set). */
export type BotProviderSet = Pick<BotProvidersModuleOptions, 'providers' | 'imports'>;

/**
 * Registers bot providers by name. A developer adds a bot by writing a class that implements
 * BotProvider and listing it here; the turn path is not edited. Global, because the channel store
 * (another module) judges provider configs with the registry (BOT_PROVIDER_RULES).
 *
 *   BotProvidersModule.forRoot({ providers: [...BUILT_IN_BOT_PROVIDERS, MyBotProvider], imports: [MyBotModule] })
 */
@Module({})
export class BotProvidersModule {
  static forRoot(options: BotProvidersModuleOptions): DynamicModule {
    const settings: BotProvidersOptions = { allowPrivateNetworks: options.allowPrivateNetworks ?? options.http?.allowPrivateNetworks ?? false };
    const registryProvider: Provider = {
      provide: BotProviderRegistry,
      useFactory: (...instances: BotProvider[]) => {
        const registry = new BotProviderRegistry(settings);
        for (const p of instances) registry.register(p);
        return registry;
      },
      inject: options.providers,
    };
    return {
      module: BotProvidersModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: BOT_PROVIDERS_OPTIONS, useValue: settings },
        BackendClient,
        ...options.providers,
        registryProvider,
        { provide: BOT_PROVIDER_RULES, useExisting: BotProviderRegistry },
      ],
      exports: [BotProviderRegistry, BOT_PROVIDER_RULES, BackendClient, BOT_PROVIDERS_OPTIONS],
    };
  }
}
