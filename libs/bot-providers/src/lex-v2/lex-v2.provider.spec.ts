import { LexV2Fake } from '../../../../test/fakes/lex-v2.fake.js';
import { canonicalTurn, failure } from '../../../../test/support/canonical-turn.js';
import { isBackendCredentialsError, PermanentBotError, TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';
import { validateBotResult } from '../bot-result.validator.js';
import { BackendClient } from '../kit/backend-client.js';
import { providerConfigProblems } from '../kit/provider-config.js';
import { lexLocale, LexV2Provider } from './lex-v2.provider.js';

const turn = canonicalTurn;

describe('lex-v2 provider against its fake (real HTTP, SigV4 verified)', () => {
  let fake: LexV2Fake;
  let client: BackendClient;
  let provider: LexV2Provider;
  let config: Record<string, unknown>;
  const run = async (t: CanonicalTurn, cfg = config): Promise<BotResult> => validateBotResult(await provider.handleTurn(t, { signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: cfg }));
  const say = (text: string, over: Parameters<typeof turn>[0] = {}) => run(turn({ text, ...over }));
  const withConfig = (over: Record<string, unknown>) => ({ ...config, ...over });

  beforeAll(() => {
    client = new BackendClient({ allowPrivateNetworks: true });
  });
  afterAll(() => client.close());
  beforeEach(async () => {
    fake = await new LexV2Fake().start();
    provider = new LexV2Provider(client);
    config = fake.config({ handoff: { intentNames: ['TalkToAgent'] }, end: { intentNames: ['Goodbye'] } });
  });
  afterEach(() => fake.close());

  describe('config', () => {
    it('accepts the documented keys, refuses bad ones by path and seals the credentials', () => {
      const spec = provider.configSpec;
      expect(providerConfigProblems(spec, config, true)).toEqual([]);
      expect(providerConfigProblems(spec, withConfig({ region: 'Frankfurt' }), true)).toEqual([expect.stringContaining('region')]);
      expect(providerConfigProblems(spec, withConfig({ localeId: 'en-US' }), true)).toEqual([expect.stringContaining('localeId')]);
      expect(providerConfigProblems(spec, withConfig({ handoff: { intentNames: 'TalkToAgent' } }), true)).toEqual([expect.stringContaining('handoff.intentNames')]);
      const missing = providerConfigProblems(spec, withConfig({ credentials: { accessKeyId: fake.accessKeyId } }), true);
      expect(missing.length).toBeGreaterThan(0);
      for (const p of missing) expect(p).toMatch(/^credentials\.secretAccessKey /);
      expect(providerConfigProblems(spec, config, false).some((p) => p.startsWith('endpoint'))).toBe(true);
      expect(spec.secrets).toEqual(['credentials']);
    });
  });

  describe('requests', () => {
    it('signs RecognizeText so that an independent SigV4 check accepts it, on the session path of the turn’s locale', async () => {
      const session = crypto.randomUUID();
      await say('hi', { sessionId: session, language: 'de-de' });
      expect(fake.refusals).toEqual([]);
      const [r] = fake.recognizeRequests;
      expect(r!.path).toBe(`/bots/${fake.botId}/botAliases/${fake.botAliasId}/botLocales/de_DE/sessions/${session}/text`);
      expect(r!.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${fake.accessKeyId}/\\d{8}/eu-west-2/lex/aws4_request, ?SignedHeaders=[a-z0-9;-]*host`));
    });

    it('signs the session token of temporary credentials', async () => {
      fake.sessionToken = 'IQoJb3JpZ2luX2VjEFakeSessionToken==';
      const e = await failure(say('no token'));
      expect(isBackendCredentialsError(e)).toBe(true);
      expect(fake.refusals.at(-1)).toBe('x-amz-security-token is not signed');
      const temp = fake.config();
      expect((await run(turn({ text: 'with token' }), temp)).messages).toEqual([{ type: 'text', text: 'echo: with token' }]);
      expect(fake.recognizeRequests.at(-1)!.headers['x-amz-security-token']).toBe(fake.sessionToken);
    });

    it('a wrong secret fails the signature check: a credentials error that quotes nothing of AWS’s answer', async () => {
      const e = await failure(run(turn(), withConfig({ credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: 'wrong-secret-0123456789' } })));
      expect(isBackendCredentialsError(e)).toBe(true);
      expect(fake.refusals).toEqual(['The request signature we calculated does not match the signature you provided']);
      expect(e.message).toBe('Amazon Lex refused the credentials (HTTP 403 InvalidSignatureException): check the access key and that its IAM policy allows lex:RecognizeText and lex:GetSession on the bot alias');
    });

    it('session attributes carry the Genesys parameters on the first turn only; the same session continues', async () => {
      const session = crypto.randomUUID();
      await say('first', { sessionId: session, turnIndex: 0, parameters: { customerTier: 'gold', region: 'north' } });
      await say('second', { sessionId: session, turnIndex: 1 });
      const [a, b] = fake.recognizeRequests;
      expect(a!.body).toEqual({ text: 'first', sessionState: { sessionAttributes: { customerTier: 'gold', region: 'north' } } });
      expect(b!.body).toEqual({ text: 'second' });
      expect(b!.path).toBe(a!.path);
      expect(fake.sessions.get(session)).toEqual({ customerTier: 'gold', region: 'north' });
    });

    it('a fixed localeId wins over the turn language; a session id outside Lex’s rule is hashed into it, stably', async () => {
      const odd = `genesys/${'é'.repeat(5)}/${'x'.repeat(120)}`;
      await run(turn({ text: 'a', sessionId: odd, language: 'de-de' }), withConfig({ localeId: 'en_US' }));
      await run(turn({ text: 'b', sessionId: odd }), withConfig({ localeId: 'en_US' }));
      const ids = fake.recognizeRequests.map((r) => /\/botLocales\/en_US\/sessions\/([^/]+)\/text$/.exec(r.path)![1]!);
      expect(ids[0]).toMatch(/^[0-9A-Za-z._:-]{2,100}$/);
      expect(ids[0]).toBe(ids[1]);
    });

    it('sends a click’s payload, cuts text past 1024 characters and does not call Lex for an empty message', async () => {
      await run(turn({ input: { kind: 'button', text: 'Large', payload: 'SIZE_L' } }));
      await say('z'.repeat(1500));
      expect(await run(turn({ input: { kind: 'empty', text: '' } }))).toEqual({ messages: [], fallback: true });
      expect(fake.recognizeRequests.map((r) => (r.body as { text: string }).text.length)).toEqual([6, 1024]);
      expect((fake.recognizeRequests[0]!.body as { text: string }).text).toBe('SIZE_L');
    });

    it('maps turn languages to Lex locale ids', () => {
      expect(['en-us', 'de_DE', 'es-419', 'fr'].map(lexLocale)).toEqual(['en_US', 'de_DE', 'es_419', 'fr']);
    });
  });

  describe('mapping', () => {
    it('PlainText, SSML without its tags, and an ImageResponseCard with at most 5 postback buttons', async () => {
      fake.answer('menu', {
        messages: [
          { contentType: 'PlainText', content: 'Here is the menu.' },
          { contentType: 'SSML', content: '<speak>Say <emphasis>one</emphasis> of these &amp; <emphasis>more</emphasis>.</speak>' },
          {
            contentType: 'ImageResponseCard',
            imageResponseCard: { title: 'Sizes', subtitle: 'Pick one', imageUrl: 'https://cdn.example.com/s.png', buttons: ['XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL'].map((s) => ({ text: s, value: `size ${s}` })) },
          },
        ],
      });
      const r = await say('menu');
      expect(r.messages).toEqual([
        { type: 'text', text: 'Here is the menu.' },
        { type: 'text', text: 'Say one of these & more.' },
        { type: 'card', card: { title: 'Sizes', subtitle: 'Pick one', imageUrl: 'https://cdn.example.com/s.png', buttons: ['XS', 'S', 'M', 'L', 'XL'].map((s) => ({ type: 'postback', title: s, payload: `size ${s}` })) } },
      ]);
    });

    it('CustomPayload: the gateway JSON is taken, other JSON is not shown, text that is not JSON is ignored safely', async () => {
      fake.answer('custom', {
        messages: [
          { contentType: 'CustomPayload', content: '{"messages":[{"type":"quickReplies","text":"Which?","replies":[{"title":"A","payload":"a"}]}]}' },
          { contentType: 'CustomPayload', content: '{"templateType":"ListPicker","data":{"title":"raw"}}' },
          { contentType: 'CustomPayload', content: '<xml>not json</xml>' },
          { contentType: 'CustomPayload', content: '{"broken": ' },
          { contentType: 'CustomPayload' },
          { contentType: 'HologramCard', content: '{"x":1}' },
          { contentType: 'FutureText', content: 'words of a new kind' },
          { contentType: 'PlainText', content: 42 },
          'junk',
        ],
      });
      const r = await say('custom');
      expect(r.messages).toEqual([
        { type: 'quickReplies', text: 'Which?', replies: [{ title: 'A', payload: 'a' }] },
        { type: 'text', text: 'words of a new kind' },
        { type: 'text', text: '42' },
      ]);
      fake.answer('gwsignals', { messages: [{ contentType: 'PlainText', content: 'One moment.' }, { contentType: 'CustomPayload', content: JSON.stringify({ handoff: { queue: 'Billing', reason: 'refund' } }) }] });
      expect(await say('gwsignals')).toMatchObject({ messages: [{ type: 'text', text: 'One moment.' }], handoff: { queue: 'Billing', reason: 'refund' } });
      fake.answer('gwend', { messages: [{ contentType: 'CustomPayload', content: '{"end":true,"fallback":true}' }] });
      expect(await say('gwend')).toMatchObject({ end: {}, fallback: true });
    });

    it('FallbackIntent is a fallback; intent and confidence come from the session state and the first interpretation', async () => {
      fake.answer('qwertz', { messages: [{ contentType: 'PlainText', content: 'Sorry?' }], sessionState: { intent: { name: 'FallbackIntent', state: 'Failed' } }, interpretations: [{ intent: { name: 'FallbackIntent' } }, { intent: { name: 'Echo' }, nluConfidence: { score: 0.2 } }] });
      const fb = await say('qwertz');
      expect(fb).toMatchObject({ fallback: true, intent: 'FallbackIntent' });
      expect(fb.confidence).toBeUndefined();
      expect(await say('hello')).toMatchObject({ intent: 'Echo', confidence: 0.91 });
      expect((await say('hello')).fallback).toBeUndefined();
    });

    it('hands off for an intent in handoff.intentNames (any case), with the queue from the handoffQueue attribute', async () => {
      fake.answer('agent', { messages: [{ contentType: 'PlainText', content: 'Transferring.' }], sessionState: { intent: { name: 'talktoagent', state: 'Fulfilled' }, sessionAttributes: { handoffQueue: 'Billing' } } });
      expect(await say('agent')).toMatchObject({ handoff: { queue: 'Billing' }, intent: 'talktoagent' });
    });

    it('hands off on the session attribute handoff="true", with queue, reason and summary from attributes', async () => {
      fake.answer('escalate', { sessionState: { intent: { name: 'Refund', state: 'Fulfilled' }, sessionAttributes: { handoff: 'TRUE', handoffQueue: 'Refunds', handoffReason: 'amount over limit', handoffSummary: 's'.repeat(2500) } } });
      const r = await say('escalate');
      expect(r.handoff).toMatchObject({ queue: 'Refunds', reason: 'amount over limit' });
      expect(r.handoff!.summary!.length).toBeLessThanOrEqual(2000);
      fake.answer('nope', { sessionState: { sessionAttributes: { handoff: 'false' } } });
      expect((await say('nope')).handoff).toBeUndefined();
    });

    it('ends only when Lex closes an intent listed in end.intentNames', async () => {
      fake.answer('bye', { messages: [{ contentType: 'PlainText', content: 'Goodbye!' }], sessionState: { dialogAction: { type: 'Close' }, intent: { name: 'Goodbye', state: 'Fulfilled' } } });
      fake.answer('done', { sessionState: { dialogAction: { type: 'Close' }, intent: { name: 'OrderFlowers', state: 'Fulfilled' } } });
      fake.answer('byeq', { sessionState: { dialogAction: { type: 'ConfirmIntent' }, intent: { name: 'Goodbye', state: 'InProgress' } } });
      expect(await say('bye')).toMatchObject({ end: {}, messages: [{ type: 'text', text: 'Goodbye!' }] });
      expect((await say('done')).end).toBeUndefined();
      expect((await say('byeq')).end).toBeUndefined();
    });

    it('slots become string parameters (interpreted values, list slots joined, empty slots skipped)', async () => {
      fake.answer('order', {
        sessionState: {
          intent: {
            name: 'OrderFlowers',
            state: 'InProgress',
            slots: {
              FlowerType: { value: { originalValue: 'roses', interpretedValue: 'Roses', resolvedValues: ['Roses'] } },
              PickupDate: { value: { originalValue: 'tomorrow', interpretedValue: '2025-03-15' } },
              Colors: { shape: 'List', values: [{ value: { interpretedValue: 'red' } }, { value: { interpretedValue: 'white' } }] },
              PickupTime: null,
              'bad slot!': { value: { interpretedValue: 'x' } },
            },
          },
        },
      });
      expect((await say('order')).parameters).toEqual({ FlowerType: 'Roses', PickupDate: '2025-03-15', Colors: 'red, white' });
    });

    it('wrong types degrade; a body that is not an object is a permanent error', async () => {
      fake.answer('weird', { messages: 'nope' as unknown as unknown[], sessionState: { intent: 'x', dialogAction: 5, sessionAttributes: [] }, interpretations: [{ nluConfidence: 'high' }] });
      expect(await say('weird')).toEqual({ messages: [] });
      fake.answer('array', { raw: ['not', 'an', 'object'] });
      expect(await failure(say('array'))).toBeInstanceOf(PermanentBotError);
    });
  });

  describe('errors', () => {
    const lexError = (status: number, type: string) => ({ kind: 'status' as const, status, body: { message: `scripted ${type}` }, headers: { 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/` } });

    it('409 Conflict and 424 DependencyFailed are transient, like 429/500/502', async () => {
      for (const [status, type] of [[409, 'ConflictException'], [424, 'DependencyFailedException'], [429, 'ThrottlingException'], [500, 'InternalServerException'], [502, 'BadGatewayException']] as const) {
        fake.fail(lexError(status, type));
        const e = await failure(say('x'));
        expect(e).toBeInstanceOf(TransientBotError);
        expect(e.message).toBe(`Amazon Lex answered HTTP ${status} ${type}`);
      }
    });

    it('400 and 404 are permanent with Lex’s words; 403 is a credentials error', async () => {
      fake.fail(lexError(400, 'ValidationException'));
      const e400 = await failure(say('x'));
      expect(e400).toBeInstanceOf(PermanentBotError);
      expect(isBackendCredentialsError(e400)).toBe(false);
      expect(e400.message).toBe('Amazon Lex refused the request (HTTP 400 ValidationException): scripted ValidationException');
      const e404 = await failure(run(turn(), withConfig({ localeId: 'fr_FR' })));
      expect(e404.message).toMatch(/not found \(HTTP 404 ResourceNotFoundException\): Locale fr_FR is not built/);
      fake.denyAccess();
      expect(isBackendCredentialsError(await failure(say('x')))).toBe(true);
    });
  });

  describe('probe', () => {
    const probe = (cfg = config) => provider.probe({ signal: AbortSignal.timeout(3000), timeoutMs: 3000, config: cfg });

    it('GetSession of an unknown session: 404 proves the signature, the policy and the bot', async () => {
      const report = await probe(withConfig({ localeId: 'en_US' }));
      expect(report).toEqual({ detail: 'Amazon Lex accepted the signed request and the bot alias is reachable (locale en_US)', warnings: [] });
      const [get] = fake.requests;
      expect(get!.method).toBe('GET');
      expect(get!.path).toMatch(new RegExp(`^/bots/${fake.botId}/botAliases/${fake.botAliasId}/botLocales/en_US/sessions/gateway-probe-[0-9a-f]{16}$`));
      expect(fake.refusals).toEqual([]);
    });

    it('warns when the locale follows the turn language, and when the 404 names something else than the session', async () => {
      expect((await probe()).warnings).toEqual([expect.objectContaining({ problem: expect.stringContaining('No localeId') })]);
      const wrongBot = await probe(withConfig({ botId: 'NOSUCHBOT1', localeId: 'en_US' }));
      expect(wrongBot.warnings).toEqual([expect.objectContaining({ problem: expect.stringContaining('Could not find the bot alias.'), fix: expect.stringContaining('botId') })]);
    });

    it('refused or denied credentials are a credentials error', async () => {
      fake.denyAccess();
      expect(isBackendCredentialsError(await failure(probe()))).toBe(true);
      fake.refuseCredentials();
      expect(isBackendCredentialsError(await failure(probe()))).toBe(true);
    });
  });
});
