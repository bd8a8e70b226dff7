import type { Type } from '@nestjs/common';
import type { BotProvider } from './bot-provider.interface.js';
import { DemoBotProvider } from './demo/demo-bot.provider.js';
import { DialogflowCxProvider } from './dialogflow-cx/dialogflow-cx.provider.js';
import { DirectLineBotProvider } from './directline/directline.provider.js';
import { HttpBotProvider } from './http/http-bot.provider.js';
import { KoreBotProvider } from './kore/kore.provider.js';
import { LexV2Provider } from './lex-v2/lex-v2.provider.js';
import { OpenAiBotProvider } from './openai/openai.provider.js';
import { RasaBotProvider } from './rasa/rasa.provider.js';

/** Every provider this gateway ships, registered by both processes unless an entry point says otherwise. */
export const BUILT_IN_BOT_PROVIDERS: Type<BotProvider>[] = [
  DemoBotProvider,
  HttpBotProvider,
  KoreBotProvider,
  DirectLineBotProvider,
  OpenAiBotProvider,
  DialogflowCxProvider,
  LexV2Provider,
  RasaBotProvider,
];
