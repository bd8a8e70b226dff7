import type { Type } from '@nestjs/common';
import type { BotProvider } from './bot-provider.interface.js';
import { DemoBotProvider } from './demo/demo-bot.provider.js';
import { DialogflowCxProvider } from './dialogflow-cx/dialogflow-cx.provider.js';
import { HttpBotProvider } from './http/http-bot.provider.js';
import { LexV2Provider } from './lex-v2/lex-v2.provider.js';

/** Every provider this gateway ships, registered by both processes unless an entry point says otherwise. */
export const BUILT_IN_BOT_PROVIDERS: Type<BotProvider>[] = [DemoBotProvider, HttpBotProvider, DialogflowCxProvider, LexV2Provider];
