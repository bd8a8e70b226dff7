import { OpenAiBotProvider } from '@app/bot-providers';
import { OpenAiFake } from '../fakes/openai.fake.js';
import { describeProviderKit } from './provider-kit.js';

describeProviderKit({
  name: 'openai',
  startFake: () => new OpenAiFake().start(),
  createProvider: (client) => new OpenAiBotProvider(client),
  config: (fake) => ({ baseUrl: `${fake.origin}/v1`, apiKey: fake.apiKey, model: 'gpt-fake-mini' }),
  requiredKeys: ['baseUrl', 'apiKey', 'model'],
  secrets: (config) => [config.apiKey as string],
  refuseCredentials: (fake) => fake.refuseCredentials(),
  isMessageCall: (req) => req.method === 'POST' && req.path === '/v1/chat/completions',
});
