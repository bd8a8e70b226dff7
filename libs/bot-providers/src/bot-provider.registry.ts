import { Injectable } from '@nestjs/common';
import type { BotProvider } from './bot-provider.interface.js';

/** Looks bot providers up by the name a channel's bot refers to. */
@Injectable()
export class BotProviderRegistry {
  private readonly byName = new Map<string, BotProvider>();

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
}
