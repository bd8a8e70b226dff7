import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BotProvidersModule, DemoBotProvider } from '@app/bot-providers';
import { FaqFake } from '../fakes/faq.fake.js';
import { EXAMPLE_GATEWAY_ENTRY, GatewayHarness, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

/**
 * A developer's own provider in their own entry point (apps/example-gateway, the one
 * docs/providers/writing-a-provider.md walks through): real ingress and worker processes of that
 * entry point, the real queue and Redis, the FAQ service as a local fake over HTTP.
 */
describe('a developer’s own bot provider, in their own entry point', () => {
  const faq = new FaqFake();
  let channel: ReturnType<typeof testChannel>;
  let gw: GatewayHarness;

  beforeAll(async () => {
    await faq.start();
    channel = testChannel('custom1', {
      bots: [{ id: 'bot1', name: 'FAQ Bot', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'faq', config: { url: faq.origin, apiKey: faq.apiKey } } }],
    });
    gw = new GatewayHarness('custom', [channel]);
    gw.entries = { ingress: [EXAMPLE_GATEWAY_ENTRY, 'ingress'], worker: [EXAMPLE_GATEWAY_ENTRY, 'worker'] };
    await gw.startIngress();
    await gw.startWorker();
  });
  afterAll(async () => {
    await gw?.stop();
    await faq.close();
  });

  it('answers turns through the real ingress and queue without any change to the gateway', async () => {
    const body = newSessionBody('what are your hours?');
    const first = await gw.turn(channel, body);
    expect(first.body).toMatchObject({
      botState: 'MoreData',
      replyMessages: [{ type: 'Structured', text: 'We are open 9 to 5.', content: [{ contentType: 'QuickReply', quickReply: { text: 'Weekend hours' } }, { contentType: 'QuickReply' }] }],
    });
    const second = await gw.turn(channel, nextTurn(body, 'I want an agent'));
    expect(second.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', replyMessages: [{ type: 'Text', text: 'Let me get someone for you.' }, { type: 'Text', text: 'Connecting you to an agent, one moment please.' }] });
    const call = faq.requests.find((r) => r.path === '/answer');
    expect(call?.headers['idempotency-key']).toEqual(expect.any(String));
  });

  it('stores its secret sealed and never shows it back', async () => {
    const stored = await gw.redis.get(`${gw.prefix}:channel:custom1`);
    expect(stored).not.toContain(faq.apiKey);
    const view = await gw.admin('/api/channels/custom1');
    expect(JSON.stringify(view.body)).not.toContain(faq.apiKey);
    expect(view.body.bots[0].provider).toMatchObject({ name: 'faq', config: { url: faq.origin }, secretsSet: ['apiKey'] });
  });

  it('the stock ingress, which does not know the provider, refuses the channel at load and names the field', async () => {
    const stock = new GatewayHarness('custom-stock', [channel]);
    try {
      await expect(stock.startIngress()).rejects.toThrow('channel custom1: bots[0].provider.name: no bot provider named "faq" (known: demo, dialogflow-cx, directline, http, kore, lex-v2, openai, rasa)');
    } finally {
      await stock.stop();
    }
  });

  it('a bad provider config is refused at load with its path', async () => {
    const bad = testChannel('custom2', { bots: [{ ...(channel.raw.bots as Record<string, unknown>[])[0], provider: { name: 'faq', config: { url: 'not a url', apiKey: 'short' } } }] });
    const other = new GatewayHarness('custom-bad', [bad]);
    other.entries = gw.entries;
    try {
      await expect(other.startIngress()).rejects.toThrow(/bots\[0\]\.provider\.config\.apiKey[^\n]*\n[\s\S]*bots\[0\]\.provider\.config\.url|bots\[0\]\.provider\.config\.url[\s\S]*bots\[0\]\.provider\.config\.apiKey/);
    } finally {
      await other.stop();
    }
  });

  it('refuses two providers with the same name at start', async () => {
    @Injectable()
    class AnotherDemo extends DemoBotProvider {}
    await expect(
      NestFactory.createApplicationContext(BotProvidersModule.forRoot({ providers: [DemoBotProvider, AnotherDemo] }), { logger: false, abortOnError: false }),
    ).rejects.toThrow('Two bot providers are named "demo"');
  });
});
