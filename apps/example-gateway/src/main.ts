import 'reflect-metadata';
import { BUILT_IN_BOT_PROVIDERS, type BotProviderSet } from '@app/bot-providers';
import { startIngress } from '../../ingress/src/main.js';
import { startWorker } from '../../worker/src/main.js';
import { FaqBotProvider } from './faq/faq-bot.provider.js';

/**
 * A developer's own entry point (docs/providers/writing-a-provider.md): the gateway with one more
 * bot provider. The ingress and the workers get the same set: the ingress validates channel configs
 * and runs the setup doctor's probe with it, the workers run the turns.
 *
 *   node dist/apps/example-gateway/apps/example-gateway/src/main.js ingress|worker
 */
const botProviders: BotProviderSet = { providers: [...BUILT_IN_BOT_PROVIDERS, FaqBotProvider] };

const role = process.argv[2];
if (role === 'ingress') void startIngress({ botProviders });
else if (role === 'worker') void startWorker({ botProviders });
else {
  process.stderr.write('usage: main.js ingress|worker\n');
  process.exit(2);
}
