import { GatewayHarness, buttonTurn, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

const demo = testChannel('demo1', {
  handoff: { maxConsecutiveFallbacks: 2, defaultQueue: 'General', summaryTurns: 3, phrases: { en: ['talk to a human'], de: ['mitarbeiter'] }, farewell: { default: 'Connecting you now.', de: 'Ich verbinde Sie.' } },
  bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us', 'de-de'], intents: [{ name: 'Help' }], provider: { name: 'demo', retries: 0, config: {} } }],
});

describe('Bot Connector v1 through ingress → queue → worker → demo bot', () => {
  const gw = new GatewayHarness('templates', [demo]);

  beforeAll(async () => {
    await gw.startIngress();
    await gw.startWorker();
  });
  afterAll(() => gw.stop());

  const start = async (text = 'hi', extra = {}) => {
    const body = newSessionBody(text, extra);
    return { body, res: await gw.turn(demo, body) };
  };

  it('welcomes with quick replies, MoreData and a registered intent', async () => {
    const { res } = await start();
    expect(res.status).toBe(200);
    expect(res.body.botState).toBe('MoreData');
    expect(res.body.intent).toBe('Help');
    const [text, qr] = res.body.replyMessages;
    expect(text).toEqual({ type: 'Text', text: expect.stringContaining('demo bot') });
    expect(qr.type).toBe('Structured');
    expect(qr.content.map((c: any) => c.contentType)).toEqual(Array(8).fill('QuickReply'));
    expect(qr.content[1].quickReply).toEqual({ text: 'Show a carousel', payload: 'carousel' });
  });

  it('renders a card with postback and link actions after a quick-reply click', async () => {
    const { body } = await start();
    const res = await gw.turn(demo, buttonTurn(body, 'Show a card', 'card'));
    const card = res.body.replyMessages[0].content[0];
    expect(card.contentType).toBe('Card');
    expect(card.card.title).toBe('Order #1042');
    expect(card.card.actions).toEqual([
      { type: 'Postback', text: 'Track order', payload: 'track' },
      { type: 'Link', text: 'Open order page', url: 'https://example.com/orders/1042' },
    ]);
  });

  it('renders a carousel, a bullet list, an attachment and buttons', async () => {
    const { body } = await start();
    const carousel = await gw.turn(demo, nextTurn(body, 'carousel'));
    const c = carousel.body.replyMessages.find((m: any) => m.content?.[0]?.contentType === 'Carousel');
    expect(c.content[0].carousel.cards).toHaveLength(3);
    const payloads = c.content[0].carousel.cards.flatMap((k: any) => k.actions.map((a: any) => `${a.text}|${a.payload ?? a.url}`));
    expect(new Set(payloads).size).toBe(payloads.length);

    const list = await gw.turn(demo, nextTurn(body, 'list'));
    expect(list.body.replyMessages[0]).toEqual({ type: 'Text', text: 'Opening hours\n• Mon-Fri: 8:00-20:00\n• Sat: 9:00-14:00\n• Sun: closed' });

    const att = await gw.turn(demo, nextTurn(body, 'attachment'));
    expect(att.body.replyMessages[0]).toMatchObject({
      type: 'Text',
      text: 'Your receipt',
      content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: expect.stringMatching(/^https:/), filename: 'receipt.jpg', mime: 'image/jpeg' } }],
    });

    const buttons = await gw.turn(demo, nextTurn(body, 'buttons'));
    expect(buttons.body.replyMessages[0].content[0].card.actions.map((a: any) => a.type)).toEqual(['Postback', 'Postback', 'Link']);
  });

  it('hands off when the customer asks for a human, in their language, with a farewell', async () => {
    const { body } = await start('hallo', { languageCode: 'de_DE' });
    const res = await gw.turn(demo, nextTurn(body, 'Ich will einen Mitarbeiter!', { languageCode: 'de_DE' }));
    expect(res.body).toMatchObject({
      botState: 'Complete',
      intent: 'AgentHandoff',
      replyMessages: [{ type: 'Text', text: 'Ich verbinde Sie.' }],
      parameters: { handoffReason: 'customer_request', handoffQueue: 'General', language: 'de-de', lastUtterance: 'Ich will einen Mitarbeiter!' },
    });
    for (const v of Object.values(res.body.parameters)) expect(typeof v).toBe('string');
  });

  it('hands off when the bot asks, with the bot’s queue and its own reply before the farewell', async () => {
    const { body } = await start();
    const res = await gw.turn(demo, nextTurn(body, 'agent'));
    expect(res.body.botState).toBe('Complete');
    expect(res.body.intent).toBe('AgentHandoff');
    expect(res.body.parameters).toMatchObject({ handoffReason: 'bot_request', handoffQueue: 'General Support' });
    expect(res.body.replyMessages.map((m: any) => m.text)).toEqual(['Sure, let me find someone for you.', 'Connecting you now.']);
    expect(res.body.parameters.handoffSummary).toContain('Customer: agent');
  });

  it('hands off after repeated fallbacks, not before', async () => {
    const { body } = await start();
    const first = await gw.turn(demo, nextTurn(body, 'qwertz'));
    expect(first.body.botState).toBe('MoreData');
    const second = await gw.turn(demo, nextTurn(body, 'asdfgh'));
    expect(second.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'repeated_fallback' } });
  });

  it('hands off on a bot error', async () => {
    const { body } = await start();
    const res = await gw.turn(demo, nextTurn(body, 'fail'));
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'bot_error' } });
  });

  it('ends the conversation with the end intent, and refuses further turns of that session', async () => {
    const { body } = await start();
    const res = await gw.turn(demo, nextTurn(body, 'bye'));
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'EndConversation', replyMessages: [{ type: 'Text', text: 'Goodbye, have a nice day!' }] });
    const after = await gw.turn(demo, nextTurn(body, 'hi again'));
    expect(after.body).toMatchObject({ botState: 'Failed', errorInfo: { errorCode: 'session_closed' } });
  });

  it('keeps a transcript with the correlation id, readable with the admin token only', async () => {
    const { body } = await start('hi', {});
    await gw.turn(demo, nextTurn(body, 'list'), { headers: { 'inin-correlation-id': 'corr-123' } });
    expect((await gw.admin(`/api/conversations/${body.botSessionId}`, null)).status).toBe(401);
    expect((await gw.admin(`/api/conversations/${body.botSessionId}`, 'wrong-token-wrong-token-xx')).status).toBe(401);
    const t = await gw.admin(`/api/conversations/${body.botSessionId}?channelId=${demo.id}`);
    expect(t.status).toBe(200);
    expect(t.body.turns).toHaveLength(2);
    expect(t.body.turns[1]).toMatchObject({ seq: 2, correlationId: 'corr-123', input: { text: 'list' }, outcome: 'reply', botState: 'MoreData' });
    expect(t.body.turns[1].timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(t.body.genesysConversationId).toBe(body.genesysConversationId);
  });

  it('exports Prometheus metrics', async () => {
    const res = await fetch(`${gw.metricsUrl}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/gbg_turns_total\{[^}]*channel="demo1"[^}]*outcome="handoff"[^}]*\} \d+/);
    expect(text).toContain('gbg_turn_stage_seconds_bucket');
    expect(text).toMatch(/gbg_handoffs_total\{[^}]*reason="customer_request"/);
    expect(text).toMatch(/gbg_workers_online\{[^}]*\} 1/);
  });
});
