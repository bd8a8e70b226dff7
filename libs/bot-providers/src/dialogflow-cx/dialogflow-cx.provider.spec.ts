import { DialogflowCxFake } from '../../../../test/fakes/dialogflow-cx.fake.js';
import { canonicalTurn, failure } from '../../../../test/support/canonical-turn.js';
import { isBackendCredentialsError, PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { validateBotResult } from '../bot-result.validator.js';
import { BackendClient } from '../kit/backend-client.js';
import { providerConfigProblems } from '../kit/provider-config.js';
import { bcp47, DialogflowCxProvider } from './dialogflow-cx.provider.js';

const turn = canonicalTurn;

describe('dialogflow-cx provider against its fake (real HTTP)', () => {
  let fake: DialogflowCxFake;
  let client: BackendClient;
  let provider: DialogflowCxProvider;
  let config: Record<string, unknown>;
  const run = async (t: CanonicalTurn, cfg = config): Promise<BotResult> => validateBotResult(await provider.handleTurn(t, { signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: cfg }));
  const say = (text: string, over: Parameters<typeof turn>[0] = {}) => run(turn({ text, ...over }));
  const spec = () => provider.configSpec;

  beforeAll(() => {
    client = new BackendClient({ allowPrivateNetworks: true });
  });
  afterAll(() => client.close());
  beforeEach(async () => {
    fake = await new DialogflowCxFake().start();
    provider = new DialogflowCxProvider(client);
    config = fake.config();
  });
  afterEach(() => fake.close());

  describe('config', () => {
    it('accepts a whole pasted key file and the JSON-escaped key; defaults token_uri', () => {
      const c = config.credentials as Record<string, string>;
      const keyFile = { type: 'service_account', project_id: 'p', private_key_id: 'abc123', private_key: c.private_key!.replace(/\n/g, '\\n'), client_email: c.client_email, client_id: '1', auth_uri: 'https://accounts.google.com/o/oauth2/auth', token_uri: 'https://oauth2.googleapis.com/token', auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs', client_x509_cert_url: 'https://www.googleapis.com/robot/v1/metadata/x509/x', universe_domain: 'googleapis.com' };
      expect(providerConfigProblems(spec(), { ...config, apiEndpoint: undefined, credentials: keyFile }, false)).toEqual([]);
      const { token_uri: _, ...withoutTokenUri } = c;
      expect(providerConfigProblems(spec(), { ...config, apiEndpoint: undefined, credentials: withoutTokenUri }, false)).toEqual([]);
    });

    it('refuses a private key that is not a PEM RSA key by its path, without echoing it', () => {
      const bad = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-key';
      const problems = providerConfigProblems(spec(), { ...config, credentials: { ...(config.credentials as object), private_key: bad } }, true);
      expect(problems).toEqual([expect.stringMatching(/^credentials\.private_key must be the RSA private key/)]);
      expect(problems.join()).not.toContain(bad);
    });

    it('refuses bad ids, unknown credential keys and URLs the guard refuses', () => {
      expect(providerConfigProblems(spec(), { ...config, location: 'Europe West' }, true)).toEqual([expect.stringContaining('location')]);
      expect(providerConfigProblems(spec(), { ...config, agentId: '../x' }, true)).toEqual([expect.stringContaining('agentId')]);
      expect(providerConfigProblems(spec(), { ...config, credentials: { ...(config.credentials as object), extra: 'x' } }, true)).toEqual([expect.stringContaining('credentials.extra')]);
      const guarded = providerConfigProblems(spec(), config, false);
      expect(guarded.some((p) => p.startsWith('apiEndpoint'))).toBe(true);
      expect(guarded.some((p) => p.startsWith('credentials.token_uri'))).toBe(true);
    });

    it('seals the whole credentials object', () => {
      expect(spec().secrets).toEqual(['credentials']);
    });
  });

  describe('service-account auth', () => {
    it('signs an RS256 assertion the token endpoint verifies, and caches the token across turns', async () => {
      const session = crypto.randomUUID();
      await say('one', { sessionId: session });
      await say('two', { sessionId: session });
      await say('three');
      expect(fake.tokenRequests).toHaveLength(1);
      const [a] = fake.assertions;
      expect(a).toMatchObject({ ok: true, header: { alg: 'RS256', typ: 'JWT' }, claims: { iss: fake.clientEmail, aud: `${fake.origin}/token`, scope: 'https://www.googleapis.com/auth/cloud-platform' } });
      expect(Number(a!.claims.exp) - Number(a!.claims.iat)).toBeLessThanOrEqual(3600);
      for (const r of fake.detectRequests) expect(r.headers.authorization).toMatch(/^Bearer ya29\.fake-/);
    });

    it('sends private_key_id as kid when the key file has one', async () => {
      await run(turn(), { ...config, credentials: { ...(config.credentials as object), private_key_id: 'key-42' } });
      expect(fake.assertions[0]!.header.kid).toBe('key-42');
    });

    it('fetches a new token when the cached one is within a minute of expiring', async () => {
      fake.tokenTtlS = 45;
      await say('one');
      await say('two');
      expect(fake.tokenRequests).toHaveLength(2);
    });

    it('a token Dialogflow no longer accepts (401) is a credentials error and is dropped: the next turn gets a new one', async () => {
      await say('one');
      fake.revokeTokens();
      const e = await failure(say('two'));
      expect(isBackendCredentialsError(e)).toBe(true);
      expect((await say('three')).messages).toEqual([{ type: 'text', text: 'echo: three' }]);
      expect(fake.tokenRequests).toHaveLength(2);
    });

    it('a refused key (400 invalid_grant) is a credentials error naming neither the key nor the account', async () => {
      fake.refuseCredentials();
      const e = await failure(say('hi'));
      expect(isBackendCredentialsError(e)).toBe(true);
      expect(e.message).toMatch(/refused the service-account key \(HTTP 400 invalid_grant\)/);
      expect(e.message).not.toContain(fake.clientEmail);
      expect(fake.detectRequests).toHaveLength(0);
    });

    it('a token endpoint that fails with 503 is transient; garbage from it is permanent', async () => {
      fake.fail({ kind: 'status', status: 503 });
      expect(await failure(say('hi'))).toBeInstanceOf(TransientBotError);
      fake.fail({ kind: 'status', status: 200, body: { token_type: 'Bearer' } });
      expect((await failure(say('hi'))).message).toMatch(/without a usable access token/);
    });
  });

  describe('requests', () => {
    it('posts detectIntent on the agent’s session path with BCP-47 language, Genesys parameters on the first turn only', async () => {
      const session = crypto.randomUUID();
      await say('first', { sessionId: session, turnIndex: 0, parameters: { customerTier: 'gold', region: 'north' } });
      await say('second', { sessionId: session, turnIndex: 1 });
      const [first, second] = fake.detectRequests;
      expect(first!.path).toBe(`/v3/projects/${fake.projectId}/locations/${fake.location}/agents/${fake.agentId}/sessions/${session}:detectIntent`);
      expect(second!.path).toBe(first!.path);
      expect(first!.body).toEqual({ queryInput: { text: { text: 'first' }, languageCode: 'en-US' }, queryParams: { parameters: { customerTier: 'gold', region: 'north' } } });
      expect(second!.body).toEqual({ queryInput: { text: { text: 'second' }, languageCode: 'en-US' } });
    });

    it('talks to an environment when one is configured', async () => {
      await run(turn(), { ...config, environment: '2c1f7e9a-prod' });
      expect(fake.detectRequests[0]!.path).toContain(`/agents/${fake.agentId}/environments/2c1f7e9a-prod/sessions/`);
    });

    it('hashes session ids longer than 36 characters, stably per session and different across sessions', async () => {
      const long = `genesys-${'x'.repeat(60)}`;
      await say('a', { sessionId: long });
      await say('b', { sessionId: long });
      await say('c', { sessionId: `${long}y` });
      const ids = fake.detectRequests.map((r) => /\/sessions\/([^:]+):/.exec(r.path)![1]!);
      expect(ids[0]).toHaveLength(36);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).not.toBe(ids[0]);
    });

    it('sends a click’s payload as the text, cuts text past 256 characters, and sends the no-input event for an empty message', async () => {
      await run(turn({ input: { kind: 'button', text: 'Yes please', payload: 'CONFIRM_YES' } }));
      await say('y'.repeat(300));
      const empty = await run(turn({ input: { kind: 'empty', text: '' } }));
      const bodies = fake.detectRequests.map((r) => r.body as { queryInput: Record<string, any> });
      expect(bodies[0]!.queryInput.text.text).toBe('CONFIRM_YES');
      expect(bodies[1]!.queryInput.text.text).toHaveLength(256);
      expect(bodies[2]!.queryInput).toEqual({ event: { event: 'sys.no-input-default' }, languageCode: 'en-US' });
      expect(empty).toMatchObject({ fallback: true, messages: [{ type: 'text', text: 'Are you still there?' }] });
    });

    it('writes language codes as BCP-47 with an upper-case region', () => {
      expect(['en-us', 'de_de', 'en', 'zh-hant-tw', 'es-419'].map(bcp47)).toEqual(['en-US', 'de-DE', 'en', 'zh-Hant-TW', 'es-419']);
    });
  });

  describe('mapping', () => {
    const answer = (text: string, queryResult: Record<string, unknown>) => fake.answer(text, { queryResult });

    it('texts, one per string', async () => {
      answer('hi', { responseMessages: [{ text: { text: ['Hello!', 'How can I help?', '  '] } }] });
      expect((await say('hi')).messages).toEqual([{ type: 'text', text: 'Hello!' }, { type: 'text', text: 'How can I help?' }]);
    });

    it('chips become quick replies on the text before them; a chip with a link becomes a link button', async () => {
      answer('menu', {
        responseMessages: [
          { text: { text: ['What would you like?'] } },
          { payload: { richContent: [[{ type: 'chips', options: [{ text: 'Billing' }, { text: 'Orders', image: { src: { rawUrl: 'https://cdn.example.com/o.png' } } }, { text: 'Help centre', link: 'https://help.example.com' }] }]] } },
        ],
      });
      expect((await say('menu')).messages).toEqual([
        { type: 'quickReplies', text: 'What would you like?', replies: [{ title: 'Billing', payload: 'Billing' }, { title: 'Orders', payload: 'Orders', imageUrl: 'https://cdn.example.com/o.png' }] },
        { type: 'buttons', text: '', buttons: [{ type: 'url', title: 'Help centre', url: 'https://help.example.com' }] },
      ]);
    });

    it('buttons in a group become one buttons message; info and accordion become cards; image, list and description map', async () => {
      answer('rich', {
        responseMessages: [
          { text: { text: ['Pick one'] } },
          {
            payload: {
              richContent: [
                [
                  { type: 'button', text: 'Track order', event: { event: 'track' } },
                  { type: 'button', text: 'Open site', link: 'https://shop.example.com' },
                ],
                [{ type: 'info', title: 'Order #1042', subtitle: 'Shipped', image: { src: { rawUrl: 'https://cdn.example.com/box.png' } }, actionLink: 'https://shop.example.com/1042' }],
                [{ type: 'image', rawUrl: 'https://cdn.example.com/map.png', accessibilityText: 'Map' }],
                [{ type: 'list', title: 'Mon-Fri', subtitle: '8-20' }, { type: 'divider' }, { type: 'list', title: 'Sat' }],
                [{ type: 'description', title: 'Returns', text: ['30 days', 'Free pickup'] }],
                [{ type: 'accordion', title: 'Warranty', subtitle: '2 years', text: 'Covers defects' }],
              ],
            },
          },
        ],
      });
      expect((await say('rich')).messages).toEqual([
        { type: 'buttons', text: 'Pick one', buttons: [{ type: 'postback', title: 'Track order', payload: 'Track order' }, { type: 'url', title: 'Open site', url: 'https://shop.example.com' }] },
        { type: 'card', card: { title: 'Order #1042', subtitle: 'Shipped', imageUrl: 'https://cdn.example.com/box.png', defaultAction: { type: 'url', title: 'Order #1042', url: 'https://shop.example.com/1042' } } },
        { type: 'attachment', attachment: { kind: 'image', url: 'https://cdn.example.com/map.png' } },
        { type: 'list', items: ['Mon-Fri: 8-20', 'Sat'] },
        { type: 'text', text: 'Returns\n30 days\nFree pickup' },
        { type: 'card', card: { title: 'Warranty', subtitle: '2 years\nCovers defects' } },
      ]);
    });

    it('tolerates richContent with unknown item types (their words, never JSON), a flat item list and broken items', async () => {
      answer('odd', {
        responseMessages: [
          { payload: { richContent: [[{ type: 'carousel3d', title: 'Spin me', data: { deep: true } }, { type: 'hologram', data: { x: 1 } }, 'junk', null], { type: 'button', text: 'Flat' }, [{ type: 'chips', options: 'nope' }, { type: 'image', rawUrl: 'javascript:alert(1)' }]] } },
          { payload: { someOtherChannel: { blob: 1 } } },
          { payload: { title: 'A custom card' } },
          { text: { text: 'a bare string' } },
          { text: { text: [42, { no: 1 }] } },
          { futureKind: { text: 'New kind, words kept' } },
        ],
      });
      const r = await say('odd');
      expect(r.messages).toEqual([
        { type: 'buttons', text: 'Spin me', buttons: [{ type: 'postback', title: 'Flat', payload: 'Flat' }] },
        { type: 'text', text: 'A custom card' },
        { type: 'text', text: 'a bare string' },
        { type: 'text', text: '42' },
        { type: 'text', text: 'New kind, words kept' },
      ]);
      expect(JSON.stringify(r.messages)).not.toMatch(/deep|hologram|blob|javascript/);
    });

    it('ignores the kinds meant for voice and telephony', async () => {
      answer('voice', {
        responseMessages: [
          { outputAudioText: { text: 'spoken only' } },
          { playAudio: { audioUri: 'gs://x' } },
          { mixedAudio: { segments: [] } },
          { telephonyTransferCall: { phoneNumber: '+15551234' } },
          { conversationSuccess: { metadata: { ok: true } } },
          { knowledgeInfoCard: {} },
          { text: { text: ['shown'] }, channel: 'genesys', responseType: 'ENTRY_PROMPT' },
        ],
      });
      expect((await say('voice')).messages).toEqual([{ type: 'text', text: 'shown' }]);
    });

    it('liveAgentHandoff hands off with queue, reason and summary from its metadata', async () => {
      answer('agent', { responseMessages: [{ text: { text: ['Connecting you.'] } }, { liveAgentHandoff: { metadata: { queue: 'Billing', reason: 'refund over limit', summary: 's'.repeat(3000), other: { x: 1 } } } }] });
      answer('agent2', { responseMessages: [{ liveAgentHandoff: {} }] });
      const r = await say('agent');
      expect(r).toMatchObject({ messages: [{ type: 'text', text: 'Connecting you.' }], handoff: { queue: 'Billing', reason: 'refund over limit' } });
      expect(r.handoff!.summary!.length).toBeLessThanOrEqual(2000);
      expect((await say('agent2')).handoff).toEqual({});
    });

    it('endInteraction ends the conversation', async () => {
      answer('bye', { responseMessages: [{ text: { text: ['Goodbye!'] } }, { endInteraction: {} }] });
      expect(await say('bye')).toMatchObject({ messages: [{ type: 'text', text: 'Goodbye!' }], end: {} });
    });

    it('payload.gateway is the gateway’s own convention: messages, handoff, end', async () => {
      answer('gw', { responseMessages: [{ payload: { gateway: { messages: [{ type: 'list', items: ['a', 'b'], ordered: true }], handoff: { queue: 'VIP', reason: 'vip customer' } } } }, { payload: { gateway: { end: true } } }] });
      expect(await say('gw')).toMatchObject({ messages: [{ type: 'list', items: ['a', 'b'], ordered: true }], handoff: { queue: 'VIP', reason: 'vip customer' }, end: {} });
      answer('badgw', { responseMessages: [{ payload: { gateway: { messages: [{ type: 'hologram' }] } } }] });
      expect(await failure(say('badgw'))).toBeInstanceOf(PermanentBotError);
    });

    it('NO_MATCH and NO_INPUT are fallbacks; intent and confidence are reported', async () => {
      answer('qwertz', { match: { matchType: 'NO_MATCH', confidence: 0.1 }, intent: undefined, intentDetectionConfidence: undefined, responseMessages: [{ text: { text: ['Sorry?'] } }] });
      expect(await say('qwertz')).toMatchObject({ fallback: true, confidence: 0.1, messages: [{ type: 'text', text: 'Sorry?' }] });
      expect((await say('qwertz')).intent).toBeUndefined();
      answer('silence', { match: { matchType: 'NO_INPUT' } });
      expect((await say('silence')).fallback).toBe(true);
      const normal = await say('hello');
      expect(normal).toMatchObject({ intent: 'echo', confidence: 0.87 });
      expect(normal.fallback).toBeUndefined();
    });

    it('parameters become strings for Architect', async () => {
      answer('book', { parameters: { city: 'Berlin', guests: 2, vip: true, date: { year: 2025, month: 3, day: 14 }, tags: ['a', 'b'], empty: null, 'bad name!': 'x', long: 'z'.repeat(1500) } });
      const r = await say('book');
      expect(r.parameters).toMatchObject({ city: 'Berlin', guests: '2', vip: 'true', date: '{"year":2025,"month":3,"day":14}', tags: 'a, b' });
      expect(String(r.parameters!.long).length).toBeLessThanOrEqual(1000);
      expect(Object.keys(r.parameters!)).not.toContain('bad name!');
      expect(Object.keys(r.parameters!)).not.toContain('empty');
    });

    it('wrong types in the answer degrade; an answer without queryResult is a permanent error', async () => {
      answer('weird', { responseMessages: 'nope', intent: { displayName: 7 }, intentDetectionConfidence: 'high', match: 'x', parameters: [1, 2] });
      expect(await say('weird')).toEqual({ messages: [], intent: '7' });
      fake.answer('garbage', { raw: { responseId: 'x', queryResult: 'no' } });
      expect((await failure(say('garbage'))).message).toMatch(/without a queryResult/);
      fake.answer('array', { raw: [1, 2, 3] });
      expect(await failure(say('array'))).toBeInstanceOf(PermanentBotError);
    });
  });

  describe('errors (google.rpc)', () => {
    it('400 INVALID_ARGUMENT and 404 are permanent, with Google’s words; 403 is a credentials error', async () => {
      await say('warm the token');
      fake.fail({ kind: 'status', status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid language code.' } } });
      const e400 = await failure(say('bad'));
      expect(e400).toBeInstanceOf(PermanentBotError);
      expect(isBackendCredentialsError(e400)).toBe(false);
      expect(e400.message).toBe('Dialogflow CX refused the request (HTTP 400 INVALID_ARGUMENT): Invalid language code.');
      const e404 = await failure(run(turn(), { ...config, agentId: 'no-such-agent' }));
      expect(e404.message).toMatch(/not found \(HTTP 404 NOT_FOUND\)/);
      fake.denyAccess();
      expect(isBackendCredentialsError(await failure(say('x')))).toBe(true);
    });

    it('transient rpc statuses keep their name and Retry-After', async () => {
      await say('warm the token');
      for (const [status, name] of [[429, 'RESOURCE_EXHAUSTED'], [500, 'INTERNAL'], [503, 'UNAVAILABLE'], [504, 'DEADLINE_EXCEEDED']] as const) {
        fake.fail({ kind: 'status', status, body: { error: { code: status, status: name, message: 'x' } }, headers: { 'retry-after': '2' } });
        const e = (await failure(say('x'))) as TransientBotError;
        expect(e).toBeInstanceOf(TransientBotError);
        expect(e.message).toContain(name);
        expect(e.retryAfterMs).toBe(2000);
      }
    });
  });

  describe('probe', () => {
    const probe = (cfg = config) => provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: cfg });

    it('gets a token and reads the agent', async () => {
      const report = await probe({ ...config, environment: '2c1f7e9a-prod' });
      expect(report.detail).toBe('Dialogflow CX accepted the service-account key and the agent "Gateway Test Agent" is reachable (languages: en, de)');
      expect(fake.tokenRequests).toHaveLength(1);
      expect(fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
        `/v3/projects/${fake.projectId}/locations/${fake.location}/agents/${fake.agentId}`,
        `/v3/projects/${fake.projectId}/locations/${fake.location}/agents/${fake.agentId}/environments/2c1f7e9a-prod`,
      ]);
    });

    it('403 is a credentials error naming the roles; an unknown agent or environment is a clear not-found with the fix', async () => {
      const missing = await failure(probe({ ...config, agentId: 'ffffffff-0000' }));
      expect(missing).toBeInstanceOf(PermanentBotError);
      expect(missing.message).toMatch(/agent not found .*check projectId, location and agentId/);
      expect((await failure(probe({ ...config, environment: 'nope' }))).message).toMatch(/environment not found/);
      fake.denyAccess();
      const denied = await failure(probe());
      expect(isBackendCredentialsError(denied)).toBe(true);
      expect(denied.message).toMatch(/Dialogflow API Client/);
    });
  });
});
