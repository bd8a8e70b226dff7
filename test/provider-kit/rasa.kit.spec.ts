import { RasaBotProvider } from '@app/bot-providers';
import { RasaFake } from '../fakes/rasa.fake.js';
import { describeProviderKit } from './provider-kit.js';

describeProviderKit({
  name: 'rasa',
  startFake: () => new RasaFake().start(),
  createProvider: (client) => new RasaBotProvider(client),
  config: (fake) => ({ url: `${fake.origin}/webhooks/rest/webhook`, headers: { Authorization: `Bearer ${fake.token}` } }),
  requiredKeys: ['url'],
  secrets: (config) => [(config.headers as Record<string, string>).Authorization!],
  refuseCredentials: (fake) => fake.refuseCredentials(),
  isMessageCall: (req) => req.method === 'POST' && req.path.startsWith('/webhooks/rest/webhook'),
});
