import { BackendClient } from '../kit/backend-client.js';
import { isBackendCredentialsError } from '../bot-provider.interface.js';
import { providerConfigProblems } from '../kit/provider-config.js';
import { validateBotResult } from '../bot-result.validator.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { RasaFake } from '../../../../test/fakes/rasa.fake.js';
import { RasaBotProvider } from './rasa.provider.js';

const turn = (text: string, over: { sessionId?: string; payload?: string; state?: Record<string, unknown> } = {}): CanonicalTurn => ({
  turnId: `t-${Math.random().toString(36).slice(2)}`,
  channelId: 'c1',
  bot: { id: 'b1', name: 'Rasa', version: '1.0' },
  session: { id: over.sessionId ?? 'd6f1c2a4-5b7e-4c1d-9a8f-0e2b3c4d5e6f', genesysConversationId: 'conv-9', turnIndex: 0, state: over.state ?? {}, parameters: { customerTier: 'gold' } },
  language: 'en-us',
  input: over.payload ? { kind: 'button', text, payload: over.payload, attachments: [] } : { kind: 'text', text, attachments: [] },
  seq: 1,
});

describe('rasa provider against a Rasa REST channel fake', () => {
  let fake: RasaFake;
  const client = new BackendClient({ allowPrivateNetworks: true });
  const provider = new RasaBotProvider(client);
  let config: Record<string, unknown>;

  const run = async (t: CanonicalTurn, over: Record<string, unknown> = {}): Promise<BotResult> => {
    const result = await provider.handleTurn(t, { signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: { ...config, ...over } });
    return validateBotResult(result) && result;
  };
  const say = async (utterances: unknown[] | unknown) => {
    fake.answer('go', () => utterances as unknown[]);
    return run(turn('go'));
  };
  const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: Error & { transient?: boolean }) => e);

  beforeEach(async () => {
    fake = await new RasaFake().start();
    config = { url: `${fake.origin}/webhooks/rest/webhook`, headers: { Authorization: `Bearer ${fake.token}` } };
  });
  afterEach(() => fake.close());
  afterAll(() => client.close());

  describe('config and request', () => {
    it('requires url, takes optional headers (a secret), refuses unknown keys and bad headers', () => {
      const spec = provider.configSpec;
      expect(providerConfigProblems(spec, config, true)).toEqual([]);
      expect(providerConfigProblems(spec, { url: config.url }, true)).toEqual([]);
      expect(providerConfigProblems(spec, { ...config, headers: { 'Bad Header': 'x' } }, true).join()).toMatch(/headers/);
      expect(spec.secrets).toEqual(['headers']);
      expect(spec.urls).toEqual(['url']);
    });

    it('posts sender, message and the Genesys metadata; the same sender for a session, another for another session', async () => {
      await run(turn('hello'));
      await run(turn('again'));
      await run(turn('hi', { sessionId: 'other-session' }));
      const [a, b, c] = fake.messages;
      expect(a).toEqual({ sender: 'gc-d6f1c2a4-5b7e-4c1d-9a8f-0e2b3c4d5e6f', message: 'hello', metadata: { genesys: { conversationId: 'conv-9', language: 'en-us', parameters: { customerTier: 'gold' } } } });
      expect(b!.sender).toBe(a!.sender);
      expect(c!.sender).not.toBe(a!.sender);
      expect(fake.requests[0]!.headers['content-type']).toBe('application/json');
    });

    it('hashes a session id that is too long or has odd characters into a plain sender id', async () => {
      await run(turn('x', { sessionId: 'a'.repeat(300) }));
      await run(turn('x', { sessionId: 'with spaces/and slashes' }));
      for (const m of fake.messages) expect(m.sender).toMatch(/^gc-[0-9a-f]{64}$/);
      expect(fake.messages[0]!.sender).not.toBe(fake.messages[1]!.sender);
    });

    it('sends a click as its payload, verbatim (the usual /intent{"slot":"value"})', async () => {
      await run(turn('Premium plan', { payload: '/choose_plan{"plan":"premium"}' }));
      expect(fake.messages.at(-1)!.message).toBe('/choose_plan{"plan":"premium"}');
    });

    it('works with a token in the URL’s query string instead of a header', async () => {
      const r = await run(turn('hi'), { url: `${fake.origin}/webhooks/rest/webhook?token=${fake.token}`, headers: undefined });
      expect(r.messages).toEqual([{ type: 'text', text: 'echo: hi' }]);
      expect(fake.requests.at(-1)!.path).toBe(`/webhooks/rest/webhook?token=${fake.token}`);
    });

    it('keeps no state of its own: Rasa keeps the tracker', async () => {
      expect((await run(turn('hi'))).state).toBeUndefined();
    });
  });

  describe('mapping', () => {
    it('[] is a valid empty answer, not an error', async () => {
      expect(await say([])).toEqual({ messages: [] });
    });

    it('texts in order', async () => {
      expect((await say([{ recipient_id: 's', text: 'One' }, { recipient_id: 's', text: 'Two' }])).messages).toEqual([
        { type: 'text', text: 'One' },
        { type: 'text', text: 'Two' },
      ]);
    });

    it('text + buttons → quick replies; a url-only button makes it a buttons message; buttons without text still map', async () => {
      const r = await say([
        { recipient_id: 's', text: 'Which plan?', buttons: [{ title: 'Basic', payload: '/choose{"plan":"basic"}' }, { title: 'Premium', payload: '/choose{"plan":"premium"}' }] },
        { recipient_id: 's', text: 'More', buttons: [{ title: 'Prices', url: 'https://example.com/prices' }, { title: 'Talk to us', payload: '/human' }] },
        { recipient_id: 's', buttons: [{ title: 'Yes', payload: '/affirm' }, { payload: '/deny' }] },
      ]);
      expect(r.messages).toEqual([
        { type: 'quickReplies', text: 'Which plan?', replies: [{ title: 'Basic', payload: '/choose{"plan":"basic"}' }, { title: 'Premium', payload: '/choose{"plan":"premium"}' }] },
        { type: 'buttons', text: 'More', buttons: [{ type: 'url', title: 'Prices', url: 'https://example.com/prices' }, { type: 'postback', title: 'Talk to us', payload: '/human' }] },
        { type: 'quickReplies', text: '', replies: [{ title: 'Yes', payload: '/affirm' }, { title: '/deny', payload: '/deny' }] },
      ]);
    });

    it('over-limit buttons are clipped to 20, never a failed turn', async () => {
      const many = Array.from({ length: 25 }, (_, i) => ({ title: `Option ${i}`, payload: `/opt${i}` }));
      const r = await say([{ text: 'Pick', buttons: many }]);
      expect((r.messages[0] as { replies: unknown[] }).replies).toHaveLength(20);
    });

    it('image → image attachment; attachment as URL string or {type, payload:{src|url}}', async () => {
      const r = await say([
        { recipient_id: 's', image: 'https://cdn.example.com/map.png' },
        { recipient_id: 's', attachment: 'https://cdn.example.com/terms.pdf' },
        { recipient_id: 's', attachment: 'https://cdn.example.com/photo.jpg?size=l' },
        { recipient_id: 's', attachment: { type: 'video', payload: { src: 'https://cdn.example.com/howto.mp4' } } },
        { recipient_id: 's', attachment: { type: 'file', payload: { url: 'https://cdn.example.com/bill.pdf', name: 'bill.pdf' } } },
        { recipient_id: 's', attachment: { type: 'audio', payload: { url: 'javascript:alert(1)' } } },
      ]);
      expect(r.messages).toEqual([
        { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/map.png' } },
        { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.example.com/terms.pdf' } },
        { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/photo.jpg?size=l' } },
        { type: 'attachment', attachment: { kind: 'video', url: 'https://cdn.example.com/howto.mp4' } },
        { type: 'attachment', attachment: { kind: 'file', url: 'https://cdn.example.com/bill.pdf', filename: 'bill.pdf' } },
      ]);
    });

    it('text with an image keeps both, text first', async () => {
      expect((await say([{ text: 'Here is the map', image: 'https://cdn.example.com/map.png' }])).messages.map((m) => m.type)).toEqual(['text', 'attachment']);
    });

    it('other channels’ shapes: quick_replies → quick replies, elements → carousel (or a card for one)', async () => {
      const r = await say([
        { text: 'Choose', quick_replies: [{ content_type: 'text', title: 'Red', payload: '/red' }, { content_type: 'text', title: 'Blue', payload: '/blue' }] },
        {
          elements: [
            { title: 'Basic', subtitle: '5 € a month', image_url: 'https://cdn.example.com/basic.png', buttons: [{ type: 'postback', title: 'Choose', payload: '/basic' }, { type: 'web_url', title: 'Details', url: 'https://example.com/basic' }] },
            { title: 'Premium', subtitle: '9 € a month', default_action: { type: 'web_url', url: 'https://example.com/premium' } },
          ],
        },
        { attachment: { type: 'template', payload: { template_type: 'generic', elements: [{ title: 'Only one' }] } } },
      ]);
      expect(r.messages).toEqual([
        { type: 'quickReplies', text: 'Choose', replies: [{ title: 'Red', payload: '/red' }, { title: 'Blue', payload: '/blue' }] },
        {
          type: 'carousel',
          cards: [
            { title: 'Basic', subtitle: '5 € a month', imageUrl: 'https://cdn.example.com/basic.png', buttons: [{ type: 'postback', title: 'Choose', payload: '/basic' }, { type: 'url', title: 'Details', url: 'https://example.com/basic' }] },
            { title: 'Premium', subtitle: '9 € a month', defaultAction: { type: 'url', title: 'https://example.com/premium', url: 'https://example.com/premium' } },
          ],
        },
        { type: 'card', card: { title: 'Only one' } },
      ]);
    });

    it('custom: handoff with queue, reason and summary; end; fallback; messages', async () => {
      expect(await say([{ text: 'Let me get a colleague.' }, { custom: { handoff: { queue: 'Billing', reason: 'invoice dispute', summary: 'Invoice 42 is wrong.' } } }])).toEqual({
        messages: [{ type: 'text', text: 'Let me get a colleague.' }],
        handoff: { queue: 'Billing', reason: 'invoice dispute', summary: 'Invoice 42 is wrong.' },
      });
      expect(await say([{ text: 'Bye!' }, { custom: { end: true } }])).toEqual({ messages: [{ type: 'text', text: 'Bye!' }], end: {} });
      expect(await say([{ text: 'Sorry, I did not get that.' }, { custom: { fallback: true } }])).toEqual({ messages: [{ type: 'text', text: 'Sorry, I did not get that.' }], fallback: true });
      const r = await say([{ custom: { messages: [{ type: 'list', title: 'Hours', items: ['Mon-Fri 8-20'] }] } }]);
      expect(r.messages).toEqual([{ type: 'list', title: 'Hours', items: ['Mon-Fri 8-20'] }]);
    });

    it('a custom handoff summary longer than the worker accepts is clipped, not a failed turn', async () => {
      const r = await say([{ custom: { handoff: { summary: 's'.repeat(5000), queue: 'q'.repeat(300) } } }]);
      expect(r.handoff!.summary!.length).toBeLessThanOrEqual(2000);
      expect(r.handoff!.queue!.length).toBeLessThanOrEqual(200);
    });

    it('custom: intent, confidence and parameters for Architect', async () => {
      const r = await say([{ text: 'Done.', custom: { intent: 'PayBill', confidence: 0.87, parameters: { orderId: '1042', vip: true, tries: 2, bad: { x: 1 } } } }]);
      expect(r).toMatchObject({ intent: 'PayBill', confidence: 0.87, parameters: { orderId: '1042', vip: true, tries: 2 } });
      expect(r.parameters).not.toHaveProperty('bad');
    });

    it('custom without handoff/end/fallback/messages is not shown (it is for another channel)', async () => {
      const r = await say([{ text: 'Hi' }, { custom: { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Slack only*' } }] } }, { custom: 'a string' }]);
      expect(r).toEqual({ messages: [{ type: 'text', text: 'Hi' }] });
    });

    it('invalid custom messages are a permanent error, not raw JSON to the customer', async () => {
      const e = await failure(say([{ custom: { messages: [{ type: 'hologram' }] } }]));
      expect(e.transient).toBe(false);
    });

    it('garbage inside the array degrades or is skipped; a body that is not an array is a permanent error', async () => {
      const r = await say([null, 7, 'plain words', { recipient_id: 's' }, { title: 'A title only' }, { text: { nested: true } }]);
      expect(r.messages).toEqual([{ type: 'text', text: 'plain words' }, { type: 'text', text: 'A title only' }]);
      for (const body of [{ text: 'not a list' }, 'text']) {
        fake.fail({ kind: 'status', status: 200, body });
        expect((await failure(run(turn('x')))).transient).toBe(false);
      }
      expect(JSON.stringify(r)).not.toContain('nested');
    });
  });

  describe('errors', () => {
    it('4xx is permanent; 401/403 are credentials errors', async () => {
      const e = await failure(run(turn('x'), { headers: { Authorization: 'Bearer wrong' } }));
      expect(isBackendCredentialsError(e)).toBe(true);
      fake.fail({ kind: 'status', status: 403 });
      expect(isBackendCredentialsError(await failure(run(turn('x'))))).toBe(true);
      const bad = await failure(run(turn('x'), { url: `${fake.origin}/webhooks/nope/webhook` }));
      expect(bad.transient).toBe(false);
      expect(isBackendCredentialsError(bad)).toBe(false);
      fake.fail({ kind: 'status', status: 400, body: { version: '3.6.20', status: 'failure', message: 'bad', reason: 'BadRequest', code: 400 } });
      expect((await failure(run(turn('x')))).transient).toBe(false);
    });

    it('500/502/503/504 and timeouts are transient', async () => {
      for (const status of [500, 502, 503, 504]) {
        fake.fail({ kind: 'status', status, body: { version: '3.6.20', status: 'failure', message: 'boom', reason: 'ServerError', code: status } });
        expect((await failure(run(turn('x')))).transient).toBe(true);
      }
      fake.fail({ kind: 'delay', ms: 1500 });
      expect((await failure(provider.handleTurn(turn('x'), { signal: AbortSignal.timeout(3000), timeoutMs: 300, config }))).transient).toBe(true);
    });

    it('never puts the URL’s token in an error', async () => {
      const url = `${fake.origin}/webhooks/rest/webhook?token=${fake.token}`;
      fake.fail({ kind: 'status', status: 502 });
      const e = await failure(run(turn('x'), { url, headers: undefined }));
      expect(`${e.message}${e.stack}`).not.toContain(fake.token);
    });
  });

  describe('probe', () => {
    const probe = (over: Record<string, unknown> = {}) => provider.probe({ signal: AbortSignal.timeout(2000), timeoutMs: 2000, config: { ...config, ...over } });

    it('greets through GET / with the headers, runs no conversation', async () => {
      const report = await probe();
      expect(report).toEqual({ detail: expect.stringContaining('Hello from Rasa: 3.6.20') });
      expect(fake.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/']]);
      expect(fake.messages).toHaveLength(0);
    });

    it('keeps the URL’s token and a path prefix, and refuses wrong credentials', async () => {
      await probe({ url: `${fake.origin}/webhooks/rest/webhook?token=${fake.token}`, headers: undefined });
      expect(fake.requests.at(-1)!.path).toBe(`/?token=${fake.token}`);
      // The fake serves Rasa at the root, so under /rasa/ it is the proxy's 404: reachable, credentials unchecked.
      const prefixed = await probe({ url: `${fake.origin}/rasa/webhooks/rest/webhook/` });
      expect(fake.requests.at(-1)!.path).toBe('/rasa/');
      expect(prefixed.warnings).toEqual([{ problem: expect.stringContaining('HTTP 404'), fix: expect.stringContaining('GET /') }]);
      expect(isBackendCredentialsError(await failure(probe({ headers: { Authorization: 'Bearer nope' } })))).toBe(true);
    });

    it('warns with the fix when the URL is not the REST channel’s', async () => {
      const report = await probe({ url: `${fake.origin}/webhooks/callback/webhook` });
      expect(report.warnings).toEqual([{ problem: expect.stringContaining('/webhooks/rest/webhook'), fix: expect.stringContaining('credentials.yml') }]);
    });
  });
});
