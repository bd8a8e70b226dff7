import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BotProvidersModule,
  DemoBotProvider,
  type BotCallContext,
  type BotProvider,
  type BotResult,
  type CanonicalTurn,
} from '@app/bot-providers';
import { loadWorkerConfig } from '@app/config';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { GatewayHarness, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

/** Something a developer's bot would depend on: injected by Nest into their provider. */
@Injectable()
class WeatherService {
  forecast(city: string): string {
    return `Sunny in ${city}`;
  }
}

@Module({ providers: [WeatherService], exports: [WeatherService] })
class WeatherModule {}

@Injectable()
class WeatherBotProvider implements BotProvider {
  readonly name = 'weather';
  constructor(private readonly weather: WeatherService) {}

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const city = String(ctx.config.city ?? 'Dublin');
    return {
      intent: 'Weather',
      messages: [
        { type: 'text', text: `${this.weather.forecast(city)} (turn ${turn.session.turnIndex}, you said "${turn.input.text}")` },
        { type: 'quickReplies', text: 'Anything else?', replies: [{ title: 'No thanks', payload: 'bye' }] },
      ],
      ...(turn.input.payload === 'bye' ? { end: {} } : {}),
    };
  }
}

const channel = testChannel('custom1', {
  bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Weather' }], provider: { name: 'weather', config: { city: 'Cork' } } }],
});

describe('a developer’s own bot provider, injected as a Nest module', () => {
  const gw = new GatewayHarness('custom', [channel]);
  let worker: INestApplicationContext;

  beforeAll(async () => {
    await gw.startIngress();
    const config = loadWorkerConfig(gw.env() as NodeJS.ProcessEnv);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.register(config, {
        botProviders: BotProvidersModule.forRoot({ providers: [DemoBotProvider, WeatherBotProvider], imports: [WeatherModule] }),
      }),
      { logger: false },
    );
    await worker.init();
  });
  afterAll(async () => {
    await worker?.close();
    await gw.stop();
  });

  it('answers turns through the real ingress and queue without any change to the gateway', async () => {
    const body = newSessionBody('weather please');
    const first = await gw.turn(channel, body);
    expect(first.body).toMatchObject({
      botState: 'MoreData',
      intent: 'Weather',
      replyMessages: [{ type: 'Text', text: 'Sunny in Cork (turn 0, you said "weather please")' }, { type: 'Structured', content: [{ contentType: 'QuickReply' }] }],
    });
    const done = await gw.turn(channel, { ...nextTurn(body, 'No thanks'), inputMessage: { type: 'Structured', text: 'No thanks', content: [{ contentType: 'ButtonResponse', buttonResponse: { type: 'QuickReply', text: 'No thanks', payload: 'bye' } }] } });
    expect(done.body).toMatchObject({ botState: 'Complete', intent: 'EndConversation' });
  });

  it('refuses two providers with the same name at start', async () => {
    @Injectable()
    class AnotherDemo extends DemoBotProvider {}
    await expect(
      NestFactory.createApplicationContext(BotProvidersModule.forRoot({ providers: [DemoBotProvider, AnotherDemo] }), { logger: false, abortOnError: false }),
    ).rejects.toThrow('Two bot providers are named "demo"');
  });
});
