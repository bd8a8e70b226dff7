import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import axios from 'axios';
import { HttpService } from '@nestjs/axios';
import { GenesysApiClient, GenesysApiError, botConnectorIpRanges, serializeErrorInfo, type GenesysApiClientOptions } from './index.js';

/**
 * The client against a real local HTTP server whose answers each test scripts, so retries,
 * waits, timeouts and headers are what goes over the wire.
 */

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: http.ServerResponse) => void;

const TOKEN_1 = 'tok1-SECRET-aaaaaaaaaaaaaaaaaaaaaaaa';
const TOKEN_2 = 'tok2-SECRET-bbbbbbbbbbbbbbbbbbbbbbbb';

let server: http.Server;
let base: string;
let script: Handler[] = [];
let fallback: Handler;
let seen: Seen[] = [];
let logs: Array<{ obj: Record<string, unknown>; msg: string }> = [];
let refreshes: string[] = [];

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const never: Handler = () => undefined;
const genesysError = (status: number, code: string, message = `error ${code}`) => json(status, { message, code, status, contextId: 'ctx-123', details: [], errors: [] });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      (script.shift() ?? fallback)(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  script = [];
  fallback = json(500, { message: 'unscripted request', code: 'test.unscripted' });
  seen = [];
  logs = [];
  refreshes = [];
});

afterEach(async () => {
  // Requests a test left hanging (the timeout cases) must not leak into the next test; the pause
  // lets the client's keep-alive pool see the closed sockets before the next test reuses one.
  server.closeAllConnections();
  await new Promise((r) => setTimeout(r, 30));
});

function client(over: Partial<GenesysApiClientOptions> = {}): GenesysApiClient {
  let current = TOKEN_1;
  return new GenesysApiClient({
    apiBaseUrl: base,
    tokens: {
      getAccessToken: async () => current,
      refreshAfterUnauthorized: async (rejected) => {
        refreshes.push(rejected);
        current = TOKEN_2;
        return current;
      },
    },
    logger: { warn: (obj, msg) => logs.push({ obj, msg }) },
    timeoutMs: 2000,
    backoffBaseMs: 10,
    ...over,
  });
}

async function failure(p: Promise<unknown>): Promise<GenesysApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GenesysApiError);
    return e as GenesysApiError;
  }
  throw new Error('expected a GenesysApiError');
}

const LIST = { chatBots: [{ id: 'b', name: 'B', versions: [{ version: '1', supportedLanguages: ['en-us'], intents: [{ name: 'Done' }] }] }] };

describe('authentication', () => {
  it('sends the bearer token and JSON headers', async () => {
    script = [json(200, LIST)];
    await expect(client().getBotList('int-1')).resolves.toEqual(LIST);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/v2/integrations/botconnector/int-1/bots' });
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN_1}`);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers.accept).toBe('application/json');
  });

  it('401 then 200: refreshes exactly once and retries with the new token', async () => {
    script = [genesysError(401, 'bad.credentials'), json(200, LIST)];
    await expect(client().getBotList('int-1')).resolves.toEqual(LIST);
    expect(refreshes).toEqual([TOKEN_1]);
    expect(seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN_1}`, `Bearer ${TOKEN_2}`]);
  });

  it('401 after the refresh: fails, without a second refresh', async () => {
    fallback = genesysError(401, 'bad.credentials', 'Invalid login credentials.');
    const err = await failure(client().getBotList('int-1'));
    expect(err).toMatchObject({ status: 401, code: 'bad.credentials', transient: false, attempts: 2, message: 'Invalid login credentials.' });
    expect(refreshes).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('a 401 retry does not use up the retry budget', async () => {
    script = [genesysError(401, 'bad.credentials'), genesysError(503, 'service.unavailable'), json(200, LIST)];
    await expect(client({ maxAttempts: 2 }).getBotList('int-1')).resolves.toEqual(LIST);
    expect(seen).toHaveLength(3);
  });
});

describe('rate limits', () => {
  it('429 with Retry-After 1: waits about a second, then succeeds', async () => {
    script = [genesysError(429, 'too.many.requests'), json(200, LIST)];
    script[0] = json(429, { code: 'too.many.requests', message: 'Rate limit exceeded' }, { 'retry-after': '1' });
    const started = Date.now();
    await expect(client().getBotList('int-1')).resolves.toEqual(LIST);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen).toHaveLength(2);
    expect(logs[0]!.obj).toMatchObject({ status: 429, code: 'too.many.requests', attempt: 1, retryInMs: 1000 });
  });

  it('Retry-After beyond the cap: fails fast with the wait it asked for', async () => {
    fallback = json(429, { code: 'too.many.requests', message: 'Rate limit exceeded' }, { 'retry-after': '120' });
    const started = Date.now();
    const err = await failure(client({ maxRetryAfterMs: 30_000 }).getBotList('int-1'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toMatchObject({ status: 429, code: 'too.many.requests', retryAfterMs: 120_000, transient: true, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('429 on every attempt: gives up after maxAttempts with retryAfterMs', async () => {
    fallback = json(429, { code: 'too.many.requests' }, { 'retry-after': '0' });
    const err = await failure(client({ maxAttempts: 3 }).getBotList('int-1'));
    expect(err).toMatchObject({ status: 429, retryAfterMs: 0, transient: true, attempts: 3 });
    expect(seen).toHaveLength(3);
  });
});

describe('server errors and timeouts', () => {
  it('503 twice then 200: three attempts, each failure logged', async () => {
    script = [genesysError(503, 'service.unavailable'), genesysError(503, 'service.unavailable'), json(200, LIST)];
    await expect(client().getBotList('int-1')).resolves.toEqual(LIST);
    expect(seen).toHaveLength(3);
    expect(logs.map((l) => [l.obj.status, l.obj.attempt, l.obj.code])).toEqual([
      [503, 1, 'service.unavailable'],
      [503, 2, 'service.unavailable'],
    ]);
  });

  it('503 forever: gives up after maxAttempts with a transient error', async () => {
    fallback = genesysError(503, 'service.unavailable');
    const err = await failure(client({ maxAttempts: 4 }).getBotList('int-1'));
    expect(err).toMatchObject({ status: 503, code: 'service.unavailable', transient: true, attempts: 4, method: 'GET', path: '/api/v2/integrations/botconnector/int-1/bots', contextId: 'ctx-123' });
    expect(seen).toHaveLength(4);
  });

  it('backs off between 5xx attempts (exponential, capped)', async () => {
    fallback = genesysError(502, 'bad.gateway');
    const started = Date.now();
    await failure(client({ maxAttempts: 4, backoffBaseMs: 5000, backoffCapMs: 40 }).getBotList('int-1'));
    // Three waits of at most the 40 ms cap, not 5 s, 10 s, 20 s.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(logs.every((l, i) => i === 3 || ((l.obj.retryInMs as number) >= 0 && (l.obj.retryInMs as number) < 40))).toBe(true);
  });

  it('409 session.not.found: no retry, the Genesys code surfaced', async () => {
    fallback = genesysError(409, 'session.not.found', 'The bot session was not found.');
    const err = await failure(client().sendOutgoingMessage({ botId: 'b', botVersion: '1', botSessionId: 's', botState: 'MoreData', languageCode: 'en-us' }));
    expect(err).toMatchObject({ status: 409, code: 'session.not.found', message: 'The bot session was not found.', transient: false, attempts: 1, method: 'POST', path: '/api/v2/integrations/botconnectors/outgoing/messages' });
    expect(seen).toHaveLength(1);
  });

  it('a server that never answers: fails within timeout × attempts', async () => {
    fallback = never;
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 300, maxAttempts: 3 }).getBotList('int-1'));
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ status: 0, code: 'timeout', transient: true, attempts: 3 });
    expect(elapsed).toBeGreaterThanOrEqual(3 * 300 - 50);
    expect(elapsed).toBeLessThan(3 * 300 + 700);
    expect(seen).toHaveLength(3);
  });

  it('a server that trickles its answer is cut off at the timeout, not kept alive by each byte', async () => {
    fallback = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"chatBots":[');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 300, maxAttempts: 2 }).getBotList('int-1'));
    expect(err).toMatchObject({ code: 'timeout', transient: true, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(2 * 300 + 700);
  });

  it('a POST whose outcome is unknown (timeout, 500) is not resent; a 503 POST is', async () => {
    const body = { fromAddress: '+1317', toAddress: '+1317555', toAddressMessengerType: 'sms', textBody: 'hi' };
    fallback = never;
    const timedOut = await failure(client({ timeoutMs: 200 }).sendAgentlessMessage(body));
    expect(timedOut).toMatchObject({ code: 'timeout', transient: true, outcomeUnknown: true, attempts: 1 });
    expect(seen).toHaveLength(1);

    seen = [];
    fallback = genesysError(500, 'internal.server.error');
    expect(await failure(client().sendAgentlessMessage(body))).toMatchObject({ status: 500, outcomeUnknown: true, attempts: 1 });
    expect(seen).toHaveLength(1);

    seen = [];
    script = [genesysError(503, 'service.unavailable'), json(202, { id: 'm1', conversationId: 'c1' })];
    await expect(client().sendAgentlessMessage(body)).resolves.toEqual({ id: 'm1', conversationId: 'c1' });
    expect(seen).toHaveLength(2);

    seen = [];
    script = [genesysError(500, 'internal.server.error'), json(202, { id: 'm2' })];
    await expect(client({ retryNonIdempotent: true }).sendAgentlessMessage(body)).resolves.toEqual({ id: 'm2' });
    expect(seen).toHaveLength(2);
  });

  it('an unreachable host: network error, retried, transient', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await failure(client({ apiBaseUrl: `http://127.0.0.1:${port}`, maxAttempts: 2 }).getIpRanges());
    expect(err).toMatchObject({ status: 0, code: 'network_error', transient: true, attempts: 2 });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('does not follow redirects (the token would go along)', async () => {
    script = [(_req, res) => {
      res.writeHead(302, { location: `${base}/elsewhere` });
      res.end();
    }];
    const err = await failure(client().getIpRanges());
    expect(err).toMatchObject({ status: 302, code: 'redirect_refused', transient: false });
    expect(seen.map((s) => s.url)).toEqual(['/api/v2/ipranges']);
  });

  it('a 2xx without a JSON object where one is expected is a bad_response', async () => {
    script = [(_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy login</html>');
    }];
    expect(await failure(client().getMessageConversation('c1'))).toMatchObject({ status: 200, code: 'bad_response', transient: false });
  });

  it('trims a long Genesys message to 300 characters and names non-JSON errors by status', async () => {
    script = [genesysError(400, 'bad.request', 'x'.repeat(1000))];
    const err = await failure(client().getIpRanges());
    expect(err.message).toHaveLength(300);
    script = [(_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('nope');
    }];
    expect(await failure(client().getIpRanges())).toMatchObject({ status: 400, code: 'http_400' });
  });
});

describe('requests', () => {
  it('putBotList sends the list and resolves on 204', async () => {
    script = [(_req, res) => {
      res.writeHead(204);
      res.end();
    }];
    await expect(client().putBotList('int-1', LIST)).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'PUT', url: '/api/v2/integrations/botconnector/int-1/bots' });
    expect(JSON.parse(seen[0]!.body)).toEqual(LIST);
  });

  it('sendOutgoingMessage returns the messageId and sends errorInfo with all four keys', async () => {
    script = [json(200, { messageId: 'msg-1' })];
    const res = await client().sendOutgoingMessage({
      botId: 'b',
      botVersion: '1',
      botSessionId: 's',
      botState: 'Failed',
      languageCode: 'en-us',
      errorInfo: { errorCode: 'BotError', errorMessage: 'The bot failed' },
      replyMessages: [{ type: 'Text', text: 'Sorry' }],
    });
    expect(res).toEqual({ messageId: 'msg-1' });
    expect(JSON.parse(seen[0]!.body).errorInfo).toEqual({ code: 'BotError', message: 'The bot failed', errorCode: 'BotError', errorMessage: 'The bot failed' });
    expect(serializeErrorInfo({ code: 'c', message: 'm' })).toEqual({ code: 'c', message: 'm', errorCode: 'c', errorMessage: 'm' });
  });

  it('URL-encodes path parameters and sends participant attributes as {attributes}', async () => {
    script = [json(200, { id: 'a/b c' }), json(200, { attributes: { k: 'v' } })];
    await client().getMessageConversation('a/b c?d#e%');
    await client().patchParticipantAttributes('conv 1', 'part/2', { k: 'v' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v2/conversations/messages/a%2Fb%20c%3Fd%23e%25',
      'PATCH /api/v2/conversations/messages/conv%201/participants/part%2F2/attributes',
    ]);
    expect(JSON.parse(seen[1]!.body)).toEqual({ attributes: { k: 'v' } });
  });

  it.each([
    ['empty', ''],
    ['dot-dot', '..'],
    ['dot', '.'],
    ['over 200 characters', 'x'.repeat(201)],
  ])('refuses a %s path parameter before sending anything', async (_name, id) => {
    await expect(client().getMessageConversation(id)).rejects.toThrow(TypeError);
    await expect(client().patchParticipantAttributes('c', id, {})).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(0);
  });

  it('accepts a 200-character path parameter', async () => {
    script = [json(200, { id: 'x' })];
    await client().getMessageConversation('x'.repeat(200));
    expect(seen[0]!.url).toBe(`/api/v2/conversations/messages/${'x'.repeat(200)}`);
  });

  it('refuses non-string participant attribute values', async () => {
    await expect(client().patchParticipantAttributes('c', 'p', { n: 1 as unknown as string })).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(0);
  });

  it('sends the correlation id header only when one is given', async () => {
    script = [json(200, { entities: [] }), json(200, { entities: [] })];
    await client({ correlationId: 'turn-42' }).getIpRanges();
    await client().getIpRanges();
    expect(seen[0]!.headers['inin-correlation-id']).toBe('turn-42');
    expect(seen[1]!.headers).not.toHaveProperty('inin-correlation-id');
  });

  it('puts the correlation id on log lines and errors', async () => {
    fallback = genesysError(404, 'not.found');
    const err = await failure(client({ correlationId: 'turn-42' }).getIpRanges());
    expect(err.correlationId).toBe('turn-42');
    expect(logs[0]!.obj).toEqual({ method: 'GET', path: '/api/v2/ipranges', status: 404, code: 'not.found', attempt: 1, correlationId: 'turn-42' });
  });

  it('getIpRanges and the bot-connector filter', async () => {
    const listing = {
      entities: [
        { cidr: '52.1.0.0/16', service: 'bot-connector', region: 'us-east-1', direction: 'outbound' },
        { cidr: '52.2.0.0/16', service: 'open-messaging', region: 'us-east-1', direction: 'outbound' },
      ],
    };
    script = [json(200, listing)];
    const got = await client().getIpRanges();
    expect(botConnectorIpRanges(got).map((r) => r.cidr)).toEqual(['52.1.0.0/16']);
    expect(seen[0]!.url).toBe('/api/v2/ipranges');
  });

  it('agentless message: POSTs the body to the agentless endpoint', async () => {
    script = [json(202, { id: 'm1', conversationId: 'c1', messengerType: 'sms' })];
    const body = { fromAddress: '+13175550000', toAddress: '+13175555555', toAddressMessengerType: 'sms', textBody: 'Shipped' };
    await expect(client().sendAgentlessMessage(body)).resolves.toMatchObject({ id: 'm1', conversationId: 'c1' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v2/conversations/messages/agentless' });
    expect(JSON.parse(seen[0]!.body)).toEqual(body);
  });

  it('works through a Nest HttpService', async () => {
    script = [json(200, LIST)];
    await expect(client({ http: new HttpService(axios.create()) }).getBotList('int-1')).resolves.toEqual(LIST);
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN_1}`);
  });
});

describe('no token in errors or logs', () => {
  it('whatever fails, neither token appears in an error or a log line', async () => {
    // A misbehaving proxy that echoes the Authorization header back in its error message.
    const echo: Handler = (req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'bad.request', message: `rejected header ${req.headers.authorization}` }));
    };
    const errors: unknown[] = [];
    const collect = async (p: Promise<unknown>) => p.then(() => errors.push(new Error('expected failure')), (e: unknown) => errors.push(e));

    script = [genesysError(401, 'bad.credentials'), echo];
    await collect(client().getBotList('int-1'));
    fallback = genesysError(503, 'service.unavailable');
    await collect(client({ maxAttempts: 2 }).getBotList('int-1'));
    fallback = never;
    await collect(client({ timeoutMs: 150, maxAttempts: 2 }).getIpRanges());
    await collect(client({ timeoutMs: 150 }).sendOutgoingMessage({ botId: 'b', botVersion: '1', botSessionId: 's', botState: 'MoreData', languageCode: 'en-us' }));
    await collect(client({ apiBaseUrl: 'http://127.0.0.1:1', maxAttempts: 1 }).getIpRanges());

    expect(errors).toHaveLength(5);
    expect(errors.every((e) => e instanceof GenesysApiError)).toBe(true);
    expect((errors[0] as GenesysApiError).message).toBe('rejected header Bearer [redacted]');
    const everything = [
      ...errors.map((e) => inspect(e, { depth: 10, showHidden: true })),
      ...errors.map((e) => JSON.stringify(e)),
      ...errors.map((e) => String((e as Error).stack)),
      JSON.stringify(logs),
    ].join('\n');
    expect(logs.length).toBeGreaterThanOrEqual(6);
    expect(everything).not.toContain('SECRET');
    expect(everything).not.toContain(TOKEN_1);
    expect(everything).not.toContain(TOKEN_2);
  });
});
