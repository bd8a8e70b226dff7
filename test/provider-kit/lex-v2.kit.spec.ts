import { LexV2Provider } from '@app/bot-providers';
import { LexV2Fake } from '../fakes/lex-v2.fake.js';
import { describeProviderKit } from './provider-kit.js';

describeProviderKit({
  name: 'lex-v2',
  startFake: () => new LexV2Fake().start(),
  createProvider: (client) => new LexV2Provider(client),
  config: (fake) => fake.config(),
  requiredKeys: ['region', 'botId', 'botAliasId', 'credentials'],
  secrets: (config) => {
    const c = config.credentials as Record<string, string>;
    return [c.accessKeyId!, c.secretAccessKey!];
  },
  refuseCredentials: (fake) => fake.refuseCredentials(),
  isMessageCall: (req) => req.method === 'POST' && req.path.endsWith('/text'),
});
