import { HttpBotProvider } from '@app/bot-providers';
import { CanonicalBotFake } from '../fakes/canonical-bot.fake.js';
import { describeProviderKit } from './provider-kit.js';

describeProviderKit({
  name: 'http',
  startFake: () => new CanonicalBotFake().start(),
  createProvider: (client) => new HttpBotProvider(client),
  config: (fake) => ({ url: `${fake.origin}/turn`, headers: { Authorization: `Bearer ${fake.apiKey}` } }),
  requiredKeys: ['url'],
  secrets: (config) => [(config.headers as Record<string, string>).Authorization!],
  refuseCredentials: (fake) => fake.refuseCredentials(),
  idempotencyKey: (req) => req.headers['idempotency-key'] as string | undefined,
  isMessageCall: (req) => req.path === '/turn',
});
