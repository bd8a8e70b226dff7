import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { HttpModule } from '@nestjs/axios';
import { GenesysTokenStore, type GenesysTokenStoreOptions } from '@app/genesys-oauth';
import { OAuthTokenRecords } from '@app/store';
import { SecretBox } from '@app/secrets';
import { GENESYS_API_OPTIONS, GenesysApiClientFactory, type GenesysApiFactoryOptions } from './genesys-api-client.factory.js';

export interface GenesysApiModuleOptions extends GenesysApiFactoryOptions {
  /**
   * The process's SecretBox (SECRETS_KEY). When omitted, a `SecretBox` provider must be visible
   * to this module (a global module exporting it).
   */
  secretBox?: SecretBox;
  tokenStore?: GenesysTokenStoreOptions;
}

/**
 * Genesys API access for an app: provides and exports the process's one GenesysTokenStore and the
 * GenesysApiClientFactory. Needs the global StoreModule (OAuthTokenRecords).
 * An app that imports this must not declare its own GenesysTokenStore: two stores would keep two
 * in-process single-flight maps (Redis still serializes refreshes, but calls would double up).
 */
@Module({})
export class GenesysApiModule {
  static register(options: GenesysApiModuleOptions = {}): DynamicModule {
    const { secretBox, tokenStore, ...factoryOptions } = options;
    const providers: Provider[] = [
      { provide: GENESYS_API_OPTIONS, useValue: factoryOptions },
      {
        provide: GenesysTokenStore,
        useFactory: (records: OAuthTokenRecords) => new GenesysTokenStore(records, { logger: factoryOptions.logger, ...tokenStore }),
        inject: [OAuthTokenRecords],
      },
      GenesysApiClientFactory,
    ];
    if (secretBox) providers.push({ provide: SecretBox, useValue: secretBox });
    return {
      module: GenesysApiModule,
      // No redirects: a followed redirect would carry the bearer token to another host.
      imports: [HttpModule.register({ maxRedirects: 0 })],
      providers,
      exports: [GenesysTokenStore, GenesysApiClientFactory],
    };
  }
}
