import { KoreBotProvider } from '@app/bot-providers';
import { KoreFake } from '../fakes/kore.fake.js';
import { describeProviderKit } from './provider-kit.js';

// Kore's webhook takes no idempotency key (bot-backends §0 Duplicates): none is checked.
describeProviderKit({
  name: 'kore',
  startFake: () => new KoreFake().start(),
  createProvider: (client) => new KoreBotProvider(client),
  config: (fake) => ({ webhookUrl: fake.webhookUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, handoff: { taskNames: ['Talk to agent'] } }),
  requiredKeys: ['webhookUrl', 'clientId', 'clientSecret'],
  secrets: (config) => [config.clientSecret as string],
  refuseCredentials: (fake) => fake.refuseCredentials(),
  isMessageCall: (req) => req.method === 'POST' && (req.body as { message?: { type?: string } })?.message?.type === 'text',
});
