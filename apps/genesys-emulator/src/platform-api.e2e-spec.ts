import axios from 'axios';
import { createEmulatorApp, DEFAULT_V1_INTEGRATION_ID, DEFAULT_V2_INTEGRATION_ID, type EmulatorApp } from './main.js';

/**
 * The Bot Connector related Platform API over real HTTP: bot list registration (v1), outgoing
 * messages (v2), conversations and participant data, agentless messages, IP ranges, and the
 * 429 / 5xx switches on those paths.
 */

const CLIENT = { id: 'gw', secret: 'gw-secret', redirectUris: [], scopes: [], grants: ['client_credentials' as const] };
const INACTIVE_V2 = 'inactive-dbc';

/** A frozen clock: session expiry is checked to the millisecond. */
const T0 = 1_800_000_000_000;
let clock = T0;
let emu: EmulatorApp;
let base: string;
let auth: { authorization: string };

const http = axios.create({ validateStatus: () => true });
const api = {
  put: (path: string, body: unknown, headers = auth) => http.put(`${base}${path}`, body, { headers }),
  get: (path: string, headers = auth) => http.get(`${base}${path}`, { headers }),
  post: (path: string, body: unknown, headers = auth) => http.post(`${base}${path}`, body, { headers }),
  patch: (path: string, body: unknown, headers = auth) => http.patch(`${base}${path}`, body, { headers }),
};

const BOTS = `/api/v2/integrations/botconnector/${DEFAULT_V1_INTEGRATION_ID}/bots`;
const OUTGOING = '/api/v2/integrations/botconnectors/outgoing/messages';

const validBotList = () => ({
  chatBots: [
    {
      id: 'demo-bot',
      name: 'Demo Bot',
      description: 'A demo',
      versions: [
        {
          version: '1.0',
          supportedLanguages: ['en-us', 'de-de'],
          intents: [{ name: 'AgentHandoff', slots: { queue: { name: 'queue', type: 'String' } } }, { name: 'EndConversation' }],
        },
      ],
    },
  ],
});

beforeAll(async () => {
  emu = await createEmulatorApp({
    clients: [CLIENT],
    now: () => clock,
    integrations: [
      { id: DEFAULT_V1_INTEGRATION_ID, name: 'v1', type: 'botconnector' },
      { id: DEFAULT_V2_INTEGRATION_ID, name: 'v2', type: 'digital-botconnector' },
      { id: INACTIVE_V2, name: 'off', type: 'digital-botconnector', active: false },
    ],
  });
  base = await emu.listen(0);
  const token = await http.post(`${base}/oauth/token`, 'grant_type=client_credentials', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
  });
  auth = { authorization: `Bearer ${token.data.access_token}` };
});
afterAll(() => emu.close());
beforeEach(() => {
  clock = T0;
  emu.emulator.clearCalls();
});

describe('authentication', () => {
  it.each([
    ['PUT', BOTS],
    ['GET', BOTS],
    ['POST', OUTGOING],
    ['GET', '/api/v2/conversations/messages/x'],
    ['PATCH', '/api/v2/conversations/messages/x/participants/y/attributes'],
    ['POST', '/api/v2/conversations/messages/agentless'],
  ])('%s %s without a valid token → 401 bad.credentials', async (method, path) => {
    const res = await http.request({ method, url: `${base}${path}`, data: {}, headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(401);
    expect(res.data).toMatchObject({ message: 'Invalid login credentials.', code: 'bad.credentials', status: 401 });
  });
});

describe('framework-level errors in the Genesys shape', () => {
  it('400 for a body that is not JSON, 415 for another content type, 404 for an unknown route', async () => {
    const badJson = await http.put(`${base}${BOTS}`, '{bad', { headers: { ...auth, 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.data).toMatchObject({ code: 'bad.request', status: 400, contextId: expect.any(String) });
    const text = await http.put(`${base}${BOTS}`, 'chatBots', { headers: { ...auth, 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.data).toMatchObject({ code: 'unsupported.media.type', status: 415 });
    const unknown = await api.get('/api/v2/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.data).toMatchObject({ code: 'not.found', status: 404 });
  });
});

describe('bot list (v1 registration)', () => {
  it('stores a valid list (204, empty body), reads it back and keeps every PUT in the history', async () => {
    expect((await api.get(BOTS)).data).toEqual({ chatBots: [] });
    const put = await api.put(BOTS, validBotList());
    expect(put.status).toBe(204);
    expect(put.data).toBe('');
    const got = await api.get(BOTS);
    expect(got.status).toBe(200);
    expect(got.data).toEqual(validBotList());
    await api.put(BOTS, { chatBots: [{ id: 'x' }] });
    const history = await http.get(`${base}/emulator/bot-lists/${DEFAULT_V1_INTEGRATION_ID}/history`);
    expect(history.data.entities.map((e: { status: number }) => e.status).slice(-2)).toEqual([204, 400]);
    // A rejected PUT leaves the stored list alone.
    expect((await api.get(BOTS)).data).toEqual(validBotList());
  });

  it('rejects with the exact field path of every problem', async () => {
    const list = validBotList();
    const v = list.chatBots[0]!.versions[0]!;
    (v.intents as unknown[]).push({ name: 'ok' }, { name: ' padded' }, { name: 'x'.repeat(101) });
    (v as Record<string, unknown>).supportedLanguages = ['en-US'];
    list.chatBots.push({ ...validBotList().chatBots[0]!, name: 'Copy' });
    (list.chatBots[0]!.versions as unknown[]).push({ version: '1.0', supportedLanguages: ['en-us'], intents: [] });
    (v.intents[0] as Record<string, unknown>).slots = { queue: { name: 'queue', type: 'text' } };
    const res = await api.put(BOTS, list);
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ code: 'bad.request', status: 400, contextId: expect.any(String) });
    const byField = Object.fromEntries((res.data.details as { fieldName: string; errorCode: string }[]).map((d) => [d.fieldName, d.errorCode]));
    expect(byField).toEqual({
      'chatBots[0].versions[0].supportedLanguages[0]': 'invalid.language',
      'chatBots[0].versions[0].intents[0].slots.queue.type': 'invalid.slot.type',
      'chatBots[0].versions[0].intents[3].name': 'whitespace',
      'chatBots[0].versions[0].intents[4].name': 'max.length',
      'chatBots[0].versions[1].version': 'duplicate',
      'chatBots[1].id': 'duplicate',
    });
    expect(res.data.message).toMatch(/^Bot list is invalid: chatBots\[0\]\.versions\[0\]\.supportedLanguages\[0\]/);
  });

  it.each([
    ['missing chatBots', {}, 'chatBots', 'required'],
    ['51 bots', { chatBots: Array.from({ length: 51 }, (_, i) => ({ ...validBotList().chatBots[0], id: `b${i}` })) }, 'chatBots', 'max.items'],
    ['no versions', { chatBots: [{ id: 'b', name: 'B', versions: [] }] }, 'chatBots[0].versions', 'required'],
    ['missing bot name', { chatBots: [{ id: 'b', versions: validBotList().chatBots[0]!.versions }] }, 'chatBots[0].name', 'required'],
    ['long description', { chatBots: [{ ...validBotList().chatBots[0], description: 'd'.repeat(257) }] }, 'chatBots[0].description', 'max.length'],
    ['version > 100', { chatBots: [{ id: 'b', name: 'B', versions: [{ version: 'v'.repeat(101), supportedLanguages: ['en'], intents: [] }] }] }, 'chatBots[0].versions[0].version', 'max.length'],
    ['slots as an array', { chatBots: [{ id: 'b', name: 'B', versions: [{ version: '1', supportedLanguages: ['en'], intents: [{ name: 'I', slots: [{ name: 's', type: 'string' }] }] }] }] }, 'chatBots[0].versions[0].intents[0].slots', 'invalid.type'],
    ['v2 entities on an intent', { chatBots: [{ id: 'b', name: 'B', versions: [{ version: '1', supportedLanguages: ['en'], intents: [{ name: 'I', entities: [] }] }] }] }, 'chatBots[0].versions[0].intents[0].entities', 'unknown.property'],
    ['control character in a name', { chatBots: [{ id: 'b', name: 'B\u0007', versions: [{ version: '1', supportedLanguages: ['en'], intents: [] }] }] }, 'chatBots[0].name', 'not.displayable'],
    ['51 intents', { chatBots: [{ id: 'b', name: 'B', versions: [{ version: '1', supportedLanguages: ['en'], intents: Array.from({ length: 51 }, (_, i) => ({ name: `i${i}` })) }] }] }, 'chatBots[0].versions[0].intents', 'max.items'],
  ])('rejects %s', async (_label, body, fieldName, errorCode) => {
    const res = await api.put(BOTS, body);
    expect(res.status).toBe(400);
    expect(res.data.details).toContainEqual(expect.objectContaining({ fieldName, errorCode }));
  });

  it('accepts collection slot types in any case, and answers 404 not.found for unknown or v2 integrations', async () => {
    const list = validBotList();
    list.chatBots[0]!.versions[0]!.intents[0]!.slots = { queue: { name: 'queue', type: 'DateTimeCollection' } };
    expect((await api.put(BOTS, list)).status).toBe(204);
    const unknown = await api.put('/api/v2/integrations/botconnector/nope/bots', validBotList());
    expect(unknown.status).toBe(404);
    expect(unknown.data).toMatchObject({ code: 'not.found', status: 404 });
    expect((await api.put(`/api/v2/integrations/botconnector/${DEFAULT_V2_INTEGRATION_ID}/bots`, validBotList())).status).toBe(404);
  });
});

describe('outgoing messages (v2)', () => {
  const msg = (session: { botSessionId: string }, extra: Record<string, unknown> = {}) => ({
    botId: 'b1',
    botVersion: '1',
    botSessionId: session.botSessionId,
    languageCode: 'en-us',
    botState: 'MoreData',
    replyMessages: [{ type: 'Text', text: 'still working' }],
    ...extra,
  });

  it('lands in the transcript in order; Complete closes the session, later messages are session.already.closed', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    const first = await api.post(OUTGOING, msg(s));
    expect(first.status).toBe(200);
    expect(first.data).toEqual({ messageId: expect.any(String) });
    expect((await api.post(OUTGOING, msg(s, { replyMessages: [{ type: 'Text', text: 'done' }], botState: 'Complete', intent: 'Done' }))).status).toBe(200);
    const view = emu.emulator.conversationView(s.conversationId)!;
    expect(view.messages.map((m) => [m.via, m.text])).toEqual([
      ['outgoing', 'still working'],
      ['outgoing', 'done'],
    ]);
    expect(view).toMatchObject({ state: 'ended', intent: 'Done' });
    const late = await api.post(OUTGOING, msg(s));
    expect(late.status).toBe(409);
    expect(late.data).toMatchObject({ code: 'session.already.closed', status: 409 });
  });

  it('Failed closes the session on the failure path; errorInfo may use either key pair', async () => {
    for (const errorInfo of [{ errorCode: 'E1', errorMessage: 'spec keys' }, { code: 'E2', message: 'sdk keys' }]) {
      const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
      expect((await api.post(OUTGOING, msg(s, { botState: 'Failed', errorInfo, replyMessages: [] }))).status).toBe(200);
      expect(emu.emulator.conversationView(s.conversationId)).toMatchObject({ state: 'failed', failure: { errorType: 'ServiceProviderErrorResponse', errorMessage: Object.values(errorInfo)[1] } });
      expect((await api.post(OUTGOING, msg(s))).data.code).toBe('session.already.closed');
    }
  });

  it('answers each 409 code', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    const code = async (body: unknown) => {
      const res = await api.post(OUTGOING, body);
      expect(res.status).toBe(409);
      return res.data.code;
    };
    expect(await code(msg({ botSessionId: 'no-such-session' }))).toBe('session.not.found');
    expect(await code(msg(s, { botId: 'other' }))).toBe('session.bot.id.mismatch');
    expect(await code(msg(s, { botVersion: '2' }))).toBe('session.bot.version.mismatch');
    const off = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1', integrationId: INACTIVE_V2 });
    expect(await code(msg(off))).toBe('integration.not.active');
    // The session itself was fine: the mismatches did not close it.
    expect((await api.post(OUTGOING, msg(s))).status).toBe(200);
  });

  it('expires the session after botSessionTimeout minutes on the injected clock', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1', botSessionTimeoutMinutes: 10 });
    clock = T0 + 10 * 60_000 - 1;
    expect((await api.post(OUTGOING, msg(s))).status).toBe(200);
    clock = T0 + 10 * 60_000;
    const res = await api.post(OUTGOING, msg(s));
    expect(res.status).toBe(409);
    expect(res.data.code).toBe('session.already.closed');
    expect(emu.emulator.conversationView(s.conversationId)).toMatchObject({ state: 'failed', failure: { errorType: 'ServiceProviderTimeout' } });
  });

  it.each([
    ['missing botSessionId', { botSessionId: undefined }, 'botSessionId'],
    ['missing languageCode', { languageCode: undefined }, 'languageCode'],
    ['upper-case botState', { botState: 'COMPLETE' }, 'botState'],
    ['Complete without intent', { botState: 'Complete' }, 'intent'],
    ['a non-string parameter', { parameters: { n: 1 } }, 'parameters.n'],
    ['a Text message without text', { replyMessages: [{ type: 'Text' }] }, 'replyMessages[0].text'],
    ['a quick reply on a Text message', { replyMessages: [{ type: 'Text', text: 't', content: [{ contentType: 'QuickReply', quickReply: { text: 'a', payload: 'a' } }] }] }, 'replyMessages[0].content[0].contentType'],
    ['a quick reply without payload', { replyMessages: [{ type: 'Structured', content: [{ contentType: 'QuickReply', quickReply: { text: 'a' } }] }] }, 'replyMessages[0].content[0].quickReply.payload'],
    ['11 carousel cards', { replyMessages: [{ type: 'Structured', content: [{ contentType: 'Carousel', carousel: { cards: Array.from({ length: 11 }, (_, i) => ({ title: `c${i}`, actions: [] })) } }] }] }, 'replyMessages[0].content[0].carousel.cards'],
    ['duplicate postback buttons in a card', { replyMessages: [{ type: 'Structured', content: [{ contentType: 'Card', card: { title: 't', actions: [{ type: 'Postback', text: 'a', payload: 'p' }, { type: 'Postback', text: 'a', payload: 'p' }] } }] }] }, 'replyMessages[0].content[0].card.actions[1]'],
  ])('400 on %s', async (_label, extra, fieldName) => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    const res = await api.post(OUTGOING, msg(s, extra));
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ code: 'bad.request', status: 400 });
    expect(res.data.details.map((d: { fieldName: string }) => d.fieldName)).toContain(fieldName);
  });

  it('accepts attachments, cards and carousels in the documented shapes', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    const card = { title: 'T', actions: [{ type: 'Link', text: 'Open', url: 'https://example.com' }, { type: 'Postback', text: 'Pick', payload: 'p1' }] };
    const res = await api.post(
      OUTGOING,
      msg(s, {
        replyMessages: [
          { type: 'Text', text: 'caption', content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://example.com/a.png' } }] },
          { type: 'Structured', text: 'Pick one', content: [{ contentType: 'Card', card }] },
          { type: 'Structured', content: [{ contentType: 'Carousel', carousel: { cards: [card, { ...card, actions: [{ type: 'Postback', text: 'Pick', payload: 'p2' }] }] } }] },
        ],
      }),
    );
    expect(res.status).toBe(200);
  });
});

describe('conversations and participant data', () => {
  it('lists participants and merges attributes (202, empty body)', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    const conv = await api.get(`/api/v2/conversations/messages/${s.conversationId}`);
    expect(conv.status).toBe(200);
    expect(conv.data.id).toBe(s.conversationId);
    expect(conv.data.participants.map((p: { purpose: string; state: string }) => [p.purpose, p.state])).toEqual([
      ['customer', 'connected'],
      ['workflow', 'connected'],
    ]);
    const customer = conv.data.participants[0].id as string;
    const path = `/api/v2/conversations/messages/${s.conversationId}/participants/${customer}/attributes`;
    const first = await api.patch(path, { attributes: { a: '1', b: '2' } });
    expect(first.status).toBe(202);
    expect(first.data).toBe('');
    expect((await api.patch(path, { attributes: { b: 'two', c: '3' } })).status).toBe(202);
    const after = await api.get(`/api/v2/conversations/messages/${s.conversationId}`);
    expect(after.data.participants[0].attributes).toEqual({ a: '1', b: 'two', c: '3' });
    expect(emu.emulator.conversationView(s.conversationId)!.participantAttributes).toEqual({ a: '1', b: 'two', c: '3' });
  });

  it('400 on non-string or too long values, 404 on unknown ids', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    const customer = (await api.get(`/api/v2/conversations/messages/${s.conversationId}`)).data.participants[0].id as string;
    const path = `/api/v2/conversations/messages/${s.conversationId}/participants/${customer}/attributes`;
    const bad = await api.patch(path, { attributes: { n: 5, long: 'x'.repeat(257) } });
    expect(bad.status).toBe(400);
    expect(bad.data.details.map((d: { fieldName: string; errorCode: string }) => [d.fieldName, d.errorCode])).toEqual([
      ['attributes.n', 'invalid.type'],
      ['attributes.long', 'max.length'],
    ]);
    expect((await api.patch(path, { nope: {} })).status).toBe(400);
    expect((await api.get('/api/v2/conversations/messages/unknown')).data).toMatchObject({ status: 404, code: 'not.found' });
    expect((await api.patch(`/api/v2/conversations/messages/${s.conversationId}/participants/unknown/attributes`, { attributes: {} })).status).toBe(404);
    // Nothing was merged by the rejected call.
    expect(emu.emulator.conversationView(s.conversationId)!.participantAttributes).toEqual({});
  });
});

describe('agentless messages', () => {
  const AGENTLESS = '/api/v2/conversations/messages/agentless';

  it('sends an SMS (202) and records it', async () => {
    const before = emu.emulator.agentlessMessages.length;
    const res = await api.post(AGENTLESS, { fromAddress: '+13175550000', toAddress: '+13175555555', toAddressMessengerType: 'sms', textBody: 'Your order shipped' });
    expect(res.status).toBe(202);
    expect(res.data).toMatchObject({ id: expect.any(String), conversationId: expect.any(String), fromAddress: '+13175550000', toAddress: '+13175555555', messengerType: 'sms', textBody: 'Your order shipped', timestamp: expect.any(String) });
    expect(emu.emulator.agentlessMessages).toHaveLength(before + 1);
    const again = await api.post(AGENTLESS, { fromAddress: '+13175550000', toAddress: '+13175555555', toAddressMessengerType: 'sms', textBody: 'again', useExistingActiveConversation: true });
    expect(again.data.conversationId).toBe(res.data.conversationId);
    expect((await http.get(`${base}/emulator/agentless`)).data.entities).toHaveLength(before + 2);
  });

  it.each([
    ['an unknown messenger type', { toAddressMessengerType: 'webmessaging' }, 'toAddressMessengerType'],
    ['an SMS number without +', { toAddress: '13175555555' }, 'toAddress'],
    ['an SMS without text', { textBody: undefined }, 'textBody'],
    ['an SMS over 765 characters', { textBody: 'x'.repeat(766) }, 'textBody'],
    ['a WhatsApp id with +', { toAddressMessengerType: 'whatsapp', toAddress: '+13175555555' }, 'toAddress'],
    ['a WhatsApp text over 2000 characters', { toAddressMessengerType: 'whatsapp', toAddress: '13175555555', textBody: 'x'.repeat(2001) }, 'textBody'],
    ['no fromAddress', { fromAddress: '' }, 'fromAddress'],
  ])('400 on %s', async (_label, extra, fieldName) => {
    const before = emu.emulator.agentlessMessages.length;
    const res = await api.post(AGENTLESS, { fromAddress: '+13175550000', toAddress: '+13175555555', toAddressMessengerType: 'sms', textBody: 'hi', ...extra });
    expect(res.status).toBe(400);
    expect(res.data.message).toContain(fieldName);
    expect(res.data.details[0].fieldName).toBe(fieldName);
    expect(emu.emulator.agentlessMessages).toHaveLength(before);
  });

  it('accepts 2000 characters on open messaging', async () => {
    const res = await api.post(AGENTLESS, { fromAddress: 'open-integration-id', toAddress: 'user@example.com', toAddressMessengerType: 'open', textBody: 'x'.repeat(2000) });
    expect(res.status).toBe(202);
  });
});

describe('ip ranges', () => {
  it('lists bot-connector loopback ranges without a token', async () => {
    const res = await http.get(`${base}/api/v2/ipranges`);
    expect(res.status).toBe(200);
    const bc = res.data.entities.filter((e: { service: string }) => e.service === 'bot-connector').map((e: { cidr: string }) => e.cidr);
    expect(bc).toEqual(['127.0.0.0/8', '::1/128']);
    expect(new Set(res.data.entities.map((e: { service: string }) => e.service)).size).toBeGreaterThan(2);
  });

  it('can demand a token and serve a configured list', async () => {
    const other = await createEmulatorApp({ clients: [CLIENT], ipRangesRequireAuth: true, ipRanges: [{ cidr: '10.0.0.0/8', service: 'bot-connector', region: 'x' }] });
    const url = await other.listen(0);
    try {
      expect((await http.get(`${url}/api/v2/ipranges`)).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('fault switches on the Bot Connector paths', () => {
  it('429 with Retry-After on the outgoing API, then recovers; the call log shows both', async () => {
    const s = emu.emulator.openBotSession({ botId: 'b1', botVersion: '1' });
    emu.emulator.rateLimitNext(1, 3, OUTGOING);
    const body = { botId: 'b1', botVersion: '1', botSessionId: s.botSessionId, languageCode: 'en-us', botState: 'MoreData' };
    const limited = await api.post(OUTGOING, body);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.data).toMatchObject({ code: 'too.many.requests', status: 429 });
    expect((await api.post(OUTGOING, body)).status).toBe(200);
    expect(emu.emulator.callsTo(OUTGOING).map((c) => c.status)).toEqual([429, 200]);
  });

  it('failNext answers N 5xx to matching paths only, then recovers', async () => {
    emu.emulator.failNext(2, 503, '/api/v2/integrations/botconnector/');
    expect((await api.get('/api/v2/ipranges')).status).toBe(200);
    const r1 = await api.put(BOTS, validBotList());
    expect(r1.status).toBe(503);
    expect(r1.data).toMatchObject({ code: 'service.unavailable', status: 503 });
    expect((await api.get(BOTS)).status).toBe(503);
    expect((await api.put(BOTS, validBotList())).status).toBe(204);
  });

  it('the dev API switches and never affects /emulator/*', async () => {
    expect((await http.post(`${base}/emulator/fail-next`, { count: 1, status: 500 })).status).toBe(204);
    expect((await http.get(`${base}/emulator/flows`)).status).toBe(200);
    const failed = await api.post('/api/v2/conversations/messages/agentless', {});
    expect(failed.status).toBe(500);
    expect(failed.data.code).toBe('internal.server.error');
    expect((await http.post(`${base}/emulator/rate-limit`, { count: 1, retryAfterSeconds: 2, pathPrefix: '/api/v2/conversations' })).status).toBe(204);
    const limited = await api.get('/api/v2/conversations/messages/x');
    expect([limited.status, limited.headers['retry-after']]).toEqual([429, '2']);
    expect((await http.post(`${base}/emulator/fail-next`, { count: 1, status: 404 })).status).toBe(400);
  });

  it('a switch on "/" skips the dev API and fires on the next Genesys path', async () => {
    emu.emulator.rateLimitNext(1, 1, '/');
    expect((await http.get(`${base}/emulator/agentless`)).status).toBe(200);
    expect((await http.get(`${base}/emulator/calls`)).data.calls).toEqual([]);
    expect((await api.get('/api/v2/ipranges')).status).toBe(429);
    expect((await api.get('/api/v2/ipranges')).status).toBe(200);
  });
});
