import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createEmulatorApp, DEFAULT_V1_INTEGRATION_ID, DEFAULT_V2_INTEGRATION_ID, type ArchitectFlowDefinition, type EmulatorApp } from './main.js';

/**
 * The Architect flow driver against a small fake gateway: the emulator calls the bot connector
 * the way Genesys does and follows the answers onto the intent and failure paths.
 */

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}
type Answer = { status?: number; body?: unknown; raw?: string; delayMs?: number; headers?: Record<string, string> };

/** A node:http gateway whose answers are queued by the test, one per request. */
class FakeGateway {
  readonly seen: Seen[] = [];
  private answers: Answer[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        this.seen.push({ path: req.url ?? '', headers: req.headers, body: data ? JSON.parse(data) : {} });
        const a = this.answers.shift() ?? { status: 500, raw: 'no answer queued' };
        const reply = () => {
          if (res.destroyed) return;
          res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
          res.end(a.raw ?? JSON.stringify(a.body));
        };
        if (a.delayMs) setTimeout(reply, a.delayMs);
        else reply();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  queue(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  reset(): void {
    this.seen.length = 0;
    this.answers = [];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const CLIENT = { id: 'gw', secret: 'gw-secret', redirectUris: [], scopes: [], grants: ['client_credentials' as const] };
const gateway = new FakeGateway();
let clockOffset = 0;
let emu: EmulatorApp;
let base: string;
let bearer: string;
const http = axios.create({ validateStatus: () => true });

const text = (t: string) => ({ type: 'Text', text: t });
const paths = {
  intentPaths: { AgentHandoff: { action: 'transfer', queue: 'General Support', queueParameter: 'handoffQueue' }, EndConversation: { action: 'end' } },
  failurePath: { action: 'end' },
} as const;

function v1Flow(over: Partial<ArchitectFlowDefinition> = {}): ArchitectFlowDefinition {
  return {
    id: 'v1',
    protocol: 'v1',
    url: `${gateway.url}/genesys/demo/botconnector`,
    headers: { Authorization: 'bearer test.jwt.value' },
    integrationId: DEFAULT_V1_INTEGRATION_ID,
    botId: 'demo-bot',
    botName: 'Demo Bot',
    botVersion: '1.0',
    languageCode: 'en-us',
    retryBackoffMs: 5,
    parameters: { customerTier: 'gold' },
    ...paths,
    ...over,
  } as ArchitectFlowDefinition;
}

const start = async (flowId: string, body: Record<string, unknown> = {}) => {
  const res = await http.post(`${base}/emulator/conversations`, { flowId, ...body });
  expect(res.status).toBe(201);
  return res.data;
};
const say = async (id: string, body: unknown) => http.post(`${base}/emulator/conversations/${id}/messages`, body);

beforeAll(async () => {
  await gateway.start();
  emu = await createEmulatorApp({ clients: [CLIENT], now: () => Date.now() + clockOffset });
  base = await emu.listen(0);
  const token = await http.post(`${base}/oauth/token`, 'grant_type=client_credentials', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
  });
  bearer = `Bearer ${token.data.access_token}`;
});
afterAll(async () => {
  await emu.close();
  await gateway.stop();
});
beforeEach(async () => {
  clockOffset = 0;
  gateway.reset();
  emu.emulator.clearCalls();
  expect((await http.post(`${base}/emulator/flows`, v1Flow())).status).toBe(200);
});

describe('v1 (synchronous)', () => {
  it('MoreData then Complete AgentHandoff → agent state on the queue from the parameters', async () => {
    // First answer in the casing some connectors use: Genesys reads it case-insensitively.
    gateway.queue(
      { body: { botstate: 'MOREDATA', replymessages: [{ type: 'Structured', text: 'Pick one', content: [{ contentType: 'QuickReply', quickReply: { text: 'Agent', payload: 'agent' } }] }] } },
      { body: { botState: 'Complete', intent: 'AgentHandoff', replyMessages: [text('Connecting you…')], parameters: { handoffQueue: 'Billing', reason: 'asked' } } },
    );
    const started = await start('v1', { text: 'hi' });
    expect(started).toMatchObject({ state: 'bot', protocol: 'v1', flowId: 'v1' });
    const done = await say(started.id, { quickReply: { text: 'Agent', payload: 'agent' } });
    expect(done.status).toBe(200);
    expect(done.data).toMatchObject({ state: 'agent', queue: 'Billing', intent: 'AgentHandoff', parameters: { handoffQueue: 'Billing', reason: 'asked' } });
    expect(done.data.failure).toBeUndefined();
    expect(done.data.messages.map((m: { from: string; via?: string; text?: string }) => [m.from, m.via, m.text])).toEqual([
      ['customer', undefined, 'hi'],
      ['bot', 'response', 'Pick one'],
      ['customer', undefined, 'Agent'],
      ['bot', 'response', 'Connecting you…'],
    ]);

    const [t1, t2] = gateway.seen;
    expect(t1!.path).toBe('/genesys/demo/botconnector');
    expect(t1!.headers.authorization).toBe('bearer test.jwt.value');
    expect(t1!.body).toEqual({
      botId: 'Demo Bot',
      botVersion: '1.0',
      botSessionId: started.botSessionId,
      messageId: expect.any(String),
      inputMessage: { type: 'Text', text: 'hi' },
      languageCode: 'en-us',
      botSessionTimeout: 4320,
      genesysConversationId: started.id,
      parameters: { customerTier: 'gold' },
      chatBot: { id: 'demo-bot', name: 'Demo Bot' },
    });
    expect(t2!.body).toMatchObject({
      botSessionId: started.botSessionId,
      inputMessage: { type: 'Structured', text: 'Agent', content: [{ contentType: 'ButtonResponse', buttonResponse: { type: 'QuickReply', text: 'Agent', payload: 'agent' } }] },
    });
    expect(t2!.body.messageId).not.toBe(t1!.body.messageId);
    expect(t2!.body).not.toHaveProperty('parameters');
    expect(emu.emulator.flowCalls.map((c) => [c.status, c.botState, c.outcome])).toEqual([
      [200, 'MoreData', 'ok'],
      [200, 'Complete', 'ok'],
    ]);

    // The customer now talks to the agent: no more calls to the bot.
    const after = await say(started.id, { text: 'hello agent' });
    expect(after.data.messages.at(-1)).toMatchObject({ from: 'customer', text: 'hello agent' });
    expect(gateway.seen).toHaveLength(2);
  });

  it('Complete EndConversation → ended; a later message is 409', async () => {
    gateway.queue({ body: { botState: 'Complete', intent: 'EndConversation', replyMessages: [text('Bye')] } });
    const conv = await start('v1', { text: 'bye' });
    expect(conv).toMatchObject({ state: 'ended', intent: 'EndConversation' });
    const late = await say(conv.id, { text: 'wait' });
    expect(late.status).toBe(409);
    expect(late.data.code).toBe('conversation.ended');
  });

  it('Failed → failure path with ServiceProviderErrorResponse and the errorInfo message', async () => {
    await http.post(`${base}/emulator/flows`, v1Flow({ failurePath: { action: 'transfer', queue: 'Fallback' } }));
    gateway.queue({ body: { botState: 'Failed', replyMessages: [], errorInfo: { errorCode: 'E42', errorMessage: 'provider down' } } });
    const conv = await start('v1', { text: 'hi' });
    expect(conv).toMatchObject({ state: 'agent', queue: 'Fallback', failure: { errorType: 'ServiceProviderErrorResponse', errorMessage: 'provider down' } });
  });

  it('retries a 5xx, then succeeds', async () => {
    gateway.queue({ status: 503, body: { error: 'busy' } }, { status: 502, raw: 'bad gateway' }, { body: { botState: 'MoreData', replyMessages: [text('Hello')] } });
    const conv = await start('v1', { text: 'hi' });
    expect(conv.state).toBe('bot');
    expect(conv.messages.at(-1)).toMatchObject({ from: 'bot', text: 'Hello' });
    expect(emu.emulator.flowCalls.map((c) => [c.attempt, c.status, c.outcome])).toEqual([
      [1, 503, 'http-error'],
      [2, 502, 'http-error'],
      [3, 200, 'ok'],
    ]);
    // A retry re-sends the same turn: same messageId.
    expect(new Set(gateway.seen.map((s) => s.body.messageId)).size).toBe(1);
  });

  it('gives up after retries5xx and takes the failure path', async () => {
    await http.post(`${base}/emulator/flows`, v1Flow({ retries5xx: 1 }));
    gateway.queue({ status: 500, body: {} }, { status: 500, body: {} }, { body: { botState: 'MoreData' } });
    const conv = await start('v1', { text: 'hi' });
    expect(conv).toMatchObject({ state: 'failed', failure: { errorType: 'ServiceProviderErrorResponse', errorMessage: 'HTTP 500 after 2 attempts' } });
    expect(gateway.seen).toHaveLength(2);
  });

  it('does not retry a 4xx', async () => {
    gateway.queue({ status: 403, body: { message: 'forbidden' } }, { body: { botState: 'MoreData' } });
    const conv = await start('v1', { text: 'hi' });
    expect(conv.failure).toEqual({ errorType: 'ServiceProviderErrorResponse', errorMessage: expect.stringMatching(/^HTTP 403/) });
    expect(gateway.seen).toHaveLength(1);
  });

  it('does not follow redirects: a 3xx is an error response', async () => {
    gateway.queue({ status: 307, headers: { location: `${gateway.url}/elsewhere` }, body: {} }, { body: { botState: 'MoreData' } });
    const conv = await start('v1', { text: 'hi' });
    expect(conv.failure).toEqual({ errorType: 'ServiceProviderErrorResponse', errorMessage: expect.stringMatching(/^HTTP 307/) });
    expect(gateway.seen.map((s) => s.path)).toEqual(['/genesys/demo/botconnector']);
  });

  it('times out → ServiceProviderTimeout', async () => {
    await http.post(`${base}/emulator/flows`, v1Flow({ botResponseTimeoutMs: 150 }));
    gateway.queue({ delayMs: 1000, body: { botState: 'MoreData' } });
    const t0 = Date.now();
    const conv = await start('v1', { text: 'hi' });
    expect(Date.now() - t0).toBeLessThan(900);
    expect(conv).toMatchObject({ state: 'failed', failure: { errorType: 'ServiceProviderTimeout' } });
    expect(emu.emulator.flowCalls[0]).toMatchObject({ status: 0, outcome: 'timeout' });
  });

  it.each([
    ['a body that is not JSON', { raw: '<html>oops</html>' }],
    ['no botState', { body: { replyMessages: [] } }],
    ['a non-string parameter', { body: { botState: 'MoreData', parameters: { count: 3 } } }],
    ['a Structured message without content', { body: { botState: 'MoreData', replyMessages: [{ type: 'Structured', text: 'x' }] } }],
  ])('%s → ServiceProviderInvalidResponse', async (_label, answer) => {
    gateway.queue(answer);
    const conv = await start('v1', { text: 'hi' });
    expect(conv).toMatchObject({ state: 'failed', failure: { errorType: 'ServiceProviderInvalidResponse' } });
    expect(conv.messages.filter((m: { from: string }) => m.from === 'bot')).toEqual([]);
  });

  it('an intent without a path, or not in the registered bot list, is a no-match on the failure path', async () => {
    gateway.queue({ body: { botState: 'Complete', intent: 'Unknown' } });
    expect(await start('v1', { text: 'hi' })).toMatchObject({ state: 'failed', intent: 'Unknown', failure: { errorType: 'NoMatchError' } });

    // Registered list without EndConversation: Architect could not have a path for it.
    const list = { chatBots: [{ id: 'demo-bot', name: 'Demo Bot', versions: [{ version: '1.0', supportedLanguages: ['en-us'], intents: [{ name: 'AgentHandoff' }] }] }] };
    expect((await http.put(`${base}/api/v2/integrations/botconnector/${DEFAULT_V1_INTEGRATION_ID}/bots`, list, { headers: { authorization: bearer } })).status).toBe(204);
    gateway.queue({ body: { botState: 'Complete', intent: 'EndConversation' } });
    const conv = await start('v1', { text: 'bye' });
    expect(conv).toMatchObject({ state: 'failed', failure: { errorType: 'NoMatchError', errorMessage: expect.stringContaining('not registered') } });
    await http.put(`${base}/api/v2/integrations/botconnector/${DEFAULT_V1_INTEGRATION_ID}/bots`, { chatBots: [] }, { headers: { authorization: bearer } });
  });

  it('an expired bot session ends on the failure path at the next customer message', async () => {
    await http.post(`${base}/emulator/flows`, v1Flow({ botSessionTimeoutMinutes: 5 }));
    gateway.queue({ body: { botState: 'MoreData', replyMessages: [text('Hi')] } });
    const conv = await start('v1', { text: 'hi' });
    clockOffset = 5 * 60_000;
    const res = await say(conv.id, { text: 'still there?' });
    expect(res.data).toMatchObject({ state: 'failed', failure: { errorType: 'ServiceProviderTimeout' } });
    expect(gateway.seen).toHaveLength(1);
  });
});

describe('v2 (asynchronous)', () => {
  const v2Flow = (): ArchitectFlowDefinition => ({
    id: 'v2',
    protocol: 'v2',
    url: `${gateway.url}/genesys/demo/dbc/`,
    headers: { 'X-Connection-Secret': 'dbc-secret' },
    integrationId: DEFAULT_V2_INTEGRATION_ID,
    botId: 'demo-bot',
    botVersion: '1.0',
    languageCode: 'en-us',
    ...paths,
  } as ArchitectFlowDefinition);
  const outgoing = (botSessionId: string, extra: Record<string, unknown>) =>
    http.post(`${base}/api/v2/integrations/botconnectors/outgoing/messages`, { botId: 'demo-bot', botVersion: '1.0', botSessionId, languageCode: 'en-us', ...extra }, { headers: { authorization: bearer } });

  it('MoreData with no messages, then outgoing messages in order, then an outgoing Complete', async () => {
    expect((await http.post(`${base}/emulator/flows`, v2Flow())).status).toBe(200);
    gateway.queue({ body: { botState: 'MoreData', replyMessages: [] } });
    const conv = await start('v2', { text: 'what is my balance?' });
    expect(conv).toMatchObject({ state: 'bot', protocol: 'v2', messages: [{ from: 'customer', text: 'what is my balance?' }] });
    const seen = gateway.seen[0]!;
    expect(seen.path).toBe('/genesys/demo/dbc/messages');
    expect(seen.headers['x-connection-secret']).toBe('dbc-secret');
    expect(seen.body).toEqual({
      botId: 'demo-bot',
      botVersion: '1.0',
      botSessionId: conv.botSessionId,
      messageId: expect.any(String),
      inputMessage: { type: 'Text', text: 'what is my balance?' },
      languageCode: 'en-us',
      botSessionTimeout: 720,
      genesysConversationId: conv.id,
    });

    for (const t of ['One moment…', 'Your balance is 42.']) expect((await outgoing(conv.botSessionId, { botState: 'MoreData', replyMessages: [text(t)] })).status).toBe(200);
    const fin = await outgoing(conv.botSessionId, { botState: 'Complete', intent: 'AgentHandoff', replyMessages: [text('Transferring.')], parameters: { handoffQueue: 'Accounts' } });
    expect(fin.status).toBe(200);

    const view = (await http.get(`${base}/emulator/conversations/${conv.id}`)).data;
    expect(view).toMatchObject({ state: 'agent', queue: 'Accounts', intent: 'AgentHandoff' });
    expect(view.messages.map((m: { from: string; via?: string; text?: string }) => [m.from, m.via, m.text])).toEqual([
      ['customer', undefined, 'what is my balance?'],
      ['bot', 'outgoing', 'One moment…'],
      ['bot', 'outgoing', 'Your balance is 42.'],
      ['bot', 'outgoing', 'Transferring.'],
    ]);
    expect((await outgoing(conv.botSessionId, { botState: 'MoreData' })).data.code).toBe('session.already.closed');

    const apiConv = await http.get(`${base}/api/v2/conversations/messages/${conv.id}`, { headers: { authorization: bearer } });
    expect(apiConv.data.participants.map((p: { purpose: string; state: string; name?: string }) => [p.purpose, p.state])).toEqual([
      ['customer', 'connected'],
      ['workflow', 'disconnected'],
      ['acd', 'connected'],
    ]);
  });

  it('an outgoing Complete that overtakes the webhook answer ends the action; the late answer is dropped', async () => {
    await http.post(`${base}/emulator/flows`, v2Flow());
    gateway.queue({ delayMs: 300, body: { botState: 'MoreData', replyMessages: [text('too late')] } });
    const conv = await start('v2');
    expect(conv).toMatchObject({ state: 'bot', messages: [] });
    const pending = say(conv.id, { text: 'hi' });
    while (gateway.seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect((await outgoing(conv.botSessionId, { botState: 'Complete', intent: 'EndConversation', replyMessages: [text('Bye')] })).status).toBe(200);
    const view = (await pending).data;
    expect(view).toMatchObject({ state: 'ended', intent: 'EndConversation' });
    expect(view.messages.map((m: { text?: string }) => m.text)).toEqual(['hi', 'Bye']);
    expect(emu.emulator.flowCalls.map((c) => [c.status, c.outcome])).toEqual([[200, 'late']]);
  });

  it('a v1 session is unknown to the outgoing API', async () => {
    gateway.queue({ body: { botState: 'MoreData', replyMessages: [text('Hi')] } });
    const conv = await start('v1', { text: 'hi' });
    const res = await outgoing(conv.botSessionId, { botState: 'MoreData' });
    expect(res.status).toBe(409);
    expect(res.data.code).toBe('session.not.found');
  });
});

describe('dev API', () => {
  it('validates flows and lists them with credentials redacted', async () => {
    const bad = await http.post(`${base}/emulator/flows`, { id: 'x y', protocol: 'v3', url: 'nope', integrationId: DEFAULT_V2_INTEGRATION_ID, intentPaths: { A: { action: 'jump' } } });
    expect(bad.status).toBe(400);
    expect(bad.data.details.map((d: { fieldName: string }) => d.fieldName)).toEqual(expect.arrayContaining(['id', 'protocol', 'url', 'botId', 'intentPaths.A.action', 'failurePath']));
    const wrongType = await http.post(`${base}/emulator/flows`, v1Flow({ integrationId: DEFAULT_V2_INTEGRATION_ID }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.data.details[0]).toMatchObject({ fieldName: 'integrationId' });
    const list = await http.get(`${base}/emulator/flows`);
    const v1 = list.data.entities.find((f: { id: string }) => f.id === 'v1');
    expect(v1.headers.Authorization).not.toContain('jwt.value');
    expect(v1).toMatchObject({ retries5xx: 2, botResponseTimeoutMs: 10_000, botSessionTimeoutMinutes: 4320 });
  });

  it('lists conversations and gateway calls, and clears the calls', async () => {
    gateway.queue({ body: { botState: 'MoreData', replyMessages: [text('Hi')] } });
    const conv = await start('v1', { text: 'hi' });
    expect((await http.get(`${base}/emulator/conversations`)).data.entities.map((c: { id: string }) => c.id)).toContain(conv.id);
    const calls = await http.get(`${base}/emulator/calls`);
    expect(calls.data.flowCalls).toEqual([expect.objectContaining({ flowId: 'v1', conversationId: conv.id, method: 'POST', status: 200, botState: 'MoreData', ms: expect.any(Number) })]);
    expect(JSON.stringify(calls.data)).not.toContain('jwt.value');
    expect((await http.delete(`${base}/emulator/calls`)).status).toBe(204);
    expect((await http.get(`${base}/emulator/calls`)).data).toEqual({ calls: [], flowCalls: [] });
    expect((await http.get(`${base}/emulator/conversations/nope`)).status).toBe(404);
    expect((await http.post(`${base}/emulator/conversations`, { flowId: 'nope' })).status).toBe(404);
    expect((await say(conv.id, { unknown: true })).status).toBe(400);
  });
});
