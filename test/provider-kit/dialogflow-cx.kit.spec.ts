import { DialogflowCxProvider } from '@app/bot-providers';
import { DialogflowCxFake } from '../fakes/dialogflow-cx.fake.js';
import { describeProviderKit } from './provider-kit.js';

describeProviderKit({
  name: 'dialogflow-cx',
  startFake: () => new DialogflowCxFake().start(),
  createProvider: (client) => new DialogflowCxProvider(client),
  config: (fake) => fake.config(),
  requiredKeys: ['projectId', 'location', 'agentId', 'credentials'],
  secrets: (config) => {
    const c = config.credentials as Record<string, string>;
    // The key's base64 body: a PEM header alone would be a weak check.
    return [c.private_key!, c.private_key!.split('\n')[1]!, c.client_email!];
  },
  refuseCredentials: (fake) => fake.refuseCredentials(),
  isMessageCall: (req) => req.path.endsWith(':detectIntent'),
});
