import { Inject, Injectable, Optional } from '@nestjs/common';
import type { BotProviderRules } from '@app/channels';
import type { BotProvider } from './bot-provider.interface.js';
import { BOT_PROVIDERS_OPTIONS, type BotProvidersOptions } from './kit/backend-client.js';
import { providerConfigProblems } from './kit/provider-config.js';
import type { ProviderDescription } from './provider-catalog.js';

/**
 * Looks bot providers up by the name a channel's bot refers to, and judges their config for the
 * channel store (BotProviderRules): both processes hold one, so a channel is refused at load by
 * the same rules that will run its turns.
 */
@Injectable()
export class BotProviderRegistry implements BotProviderRules {
  private readonly byName = new Map<string, BotProvider>();
  private readonly allowPrivate: boolean;

  constructor(@Optional() @Inject(BOT_PROVIDERS_OPTIONS) options?: BotProvidersOptions) {
    this.allowPrivate = options?.allowPrivateNetworks ?? false;
  }

  register(provider: BotProvider): void {
    if (!provider.name || typeof provider.handleTurn !== 'function') {
      throw new Error('A bot provider needs a name and a handleTurn method');
    }
    if (this.byName.has(provider.name)) throw new Error(`Two bot providers are named "${provider.name}"`);
    this.byName.set(provider.name, provider);
  }

  get(name: string): BotProvider | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  describe(): ProviderDescription[] {
    return this.names().map((name) => {
      const spec = this.byName.get(name)!.configSpec;
      return { name, title: spec?.title ?? name, ...(spec?.docs ? { docs: spec.docs } : {}), fields: spec?.fields ?? [], secrets: spec?.secrets ?? [] };
    });
  }

  configProblems(name: string, config: Record<string, unknown>): string[] | undefined {
    const provider = this.byName.get(name);
    if (!provider) return undefined;
    return provider.configSpec ? providerConfigProblems(provider.configSpec, config, this.allowPrivate) : [];
  }

  /** The spec's secrets, and `headers` for every provider: headers carry backends' credentials wherever they appear. */
  secretPaths(name: string): readonly string[] {
    const paths = this.byName.get(name)?.configSpec?.secrets ?? [];
    return paths.includes('headers') ? paths : [...paths, 'headers'];
  }
}
