import { FaqBotProvider } from '../../apps/example-gateway/src/faq/faq-bot.provider.js';
import { FaqFake } from '../fakes/faq.fake.js';
import { describeProviderKit } from './provider-kit.js';

// The example provider of docs/providers/writing-a-provider.md passes the same kit as the built-in ones.
describeProviderKit({
  name: 'faq',
  startFake: () => new FaqFake().start(),
  createProvider: (client) => new FaqBotProvider(client),
  config: (fake) => ({ url: fake.origin, apiKey: fake.apiKey }),
  requiredKeys: ['url', 'apiKey'],
  secrets: (config) => [String(config.apiKey)],
  refuseCredentials: (fake) => fake.refuseCredentials(),
  idempotencyKey: (req) => req.headers['idempotency-key'] as string | undefined,
  isMessageCall: (req) => req.path === '/answer',
});
