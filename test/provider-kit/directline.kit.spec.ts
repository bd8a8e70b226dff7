import { DirectLineBotProvider } from '@app/bot-providers';
import { DirectLineFake } from '../fakes/directline.fake.js';
import { describeProviderKit } from './provider-kit.js';

describeProviderKit({
  name: 'directline',
  startFake: () => new DirectLineFake().start(),
  createProvider: (client) => new DirectLineBotProvider(client),
  config: (fake) => ({ secret: fake.secret, baseUrl: fake.origin, quietMs: 300, pollIntervalMs: 100 }),
  requiredKeys: ['secret'],
  secrets: (config) => [config.secret as string],
  refuseCredentials: (fake) => fake.refuseCredentials(),
  // Direct Line takes no idempotency key (bot-backends §2): nothing to compare.
  isMessageCall: (req) => req.method === 'POST' && /\/activities$/.test(req.path),
});
