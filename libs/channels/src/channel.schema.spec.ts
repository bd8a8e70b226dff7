import 'reflect-metadata';
import { ChannelConfigError, parseChannel, resolveBot } from './channel.schema.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

type Raw = Record<string, unknown>;
const minimal = (over: Raw = {}): Raw => ({
  id: 'shop',
  genesys: { environment: 'mypurecloud.com' },
  app: { clientId: 'shop-app', clientSecrets: [SECRET] },
  bots: [{ id: 'shop-bot', name: 'Shop Bot', versions: ['1.0'], languages: ['en-US'], provider: { name: 'http' } }],
  ...over,
});
const bot = (over: Raw = {}): Raw => ({ ...(minimal().bots as Raw[])[0], ...over });

function problemsOf(raw: unknown): string[] {
  try {
    parseChannel(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ChannelConfigError);
    return (e as ChannelConfigError).problems;
  }
  throw new Error('expected ChannelConfigError, but the channel was accepted');
}

describe('parseChannel', () => {
  it('fills in every default', () => {
    expect(parseChannel(minimal())).toEqual({
      id: 'shop',
      name: 'shop',
      enabled: true,
      genesys: { environment: 'mypurecloud.com', integrationId: undefined },
      app: { clientId: 'shop-app', clientSecrets: [SECRET] },
      replyDeadlineMs: 5000,
      deadlinePolicy: 'hold',
      holdMessage: "One moment please, I'm still working on that.",
      defaultLanguage: 'en-us',
      notifications: { ratePerSecond: 10, from: {} },
      source: 'file',
      handoff: {
        intent: 'AgentHandoff',
        endIntent: 'EndConversation',
        maxConsecutiveFallbacks: 2,
        phrases: { en: ['talk to a human', 'human please', 'representative', 'live agent'] },
        onBotError: 'handoff',
        farewell: { default: 'Connecting you to an agent, one moment please.' },
        defaultQueue: undefined,
        summaryTurns: 5,
      },
      templates: { profile: 'webmessaging', disable: [] },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 30000 },
      privacy: { redact: true, patterns: [], leaveAlone: [] },
      bots: [
        {
          id: 'shop-bot',
          name: 'Shop Bot',
          description: undefined,
          versions: ['1.0'],
          languages: ['en-us'],
          intents: [],
          provider: { name: 'http', config: {}, timeoutMs: 4000, retries: 1 },
        },
      ],
    });
  });

  it('keeps explicit values, including falsy ones', () => {
    const ch = parseChannel(
      minimal({
        name: 'Shop',
        enabled: false,
        defaultLanguage: 'DE_de',
        replyDeadlineMs: 7000,
        deadlinePolicy: 'handoff',
        handoff: { maxConsecutiveFallbacks: 0, summaryTurns: 0, onBotError: 'fail', defaultQueue: 'Sales' },
        circuitBreaker: { failureThreshold: 1, cooldownMs: 1000 },
        bots: [bot({ provider: { name: 'demo', timeoutMs: 100, retries: 0, config: { a: 1 } }, intents: [{ name: 'Help' }] })],
      }),
    );
    expect(ch).toMatchObject({ name: 'Shop', enabled: false, defaultLanguage: 'de-de', replyDeadlineMs: 7000, deadlinePolicy: 'handoff' });
    expect(ch.handoff).toMatchObject({ maxConsecutiveFallbacks: 0, summaryTurns: 0, onBotError: 'fail', defaultQueue: 'Sales', intent: 'AgentHandoff' });
    expect(ch.circuitBreaker).toEqual({ failureThreshold: 1, cooldownMs: 1000 });
    expect(ch.bots[0]!.provider).toEqual({ name: 'demo', timeoutMs: 100, retries: 0, config: { a: 1 } });
    expect(ch.bots[0]!.intents).toEqual([{ name: 'Help', slots: undefined }]);
  });

  it.each([
    ['https://login.mypurecloud.ie', 'mypurecloud.ie'],
    ['https://login.mypurecloud.ie/', 'mypurecloud.ie'],
    ['apps.usw2.pure.cloud', 'usw2.pure.cloud'],
    ['https://apps.usw2.pure.cloud/directory/#/', 'usw2.pure.cloud'],
    ['eu-west-1', 'mypurecloud.ie'],
    ['  MyPureCloud.DE ', 'mypurecloud.de'],
    ['api.cac1.pure.cloud', 'cac1.pure.cloud'],
  ])('normalizes the environment %j to %j', (environment, expected) => {
    expect(parseChannel(minimal({ genesys: { environment } })).genesys.environment).toBe(expected);
  });

  it.each(['mypurecloud.example', 'eu-west-9', 'evil.mypurecloud.com', ''])('rejects the unknown environment %j with a clear message', (environment) => {
    const problems = problemsOf(minimal({ genesys: { environment } }));
    expect(problems).toContainEqual(expect.stringContaining(`genesys.environment "${environment}" is not a known Genesys Cloud region`));
    expect(problems.join('\n')).toMatch(/e\.g\. mypurecloud\.com/);
  });

  it('rejects a genesys block without environment', () => {
    const problems = problemsOf(minimal({ genesys: {} }));
    expect(problems).toContain('channel shop.genesys.environment: environment must be a string');
  });

  it('rejects a client secret shorter than 32 bytes or a padded placeholder, by index and without the value; no secret (yet) and no app are allowed', () => {
    expect(problemsOf(minimal({ app: { clientId: 'x', clientSecrets: [SECRET, 'short-secret'] } }))).toEqual([
      'channel shop: app.clientSecrets[1] is 12 bytes; at least 32 are required',
    ]);
    const placeholder = problemsOf(minimal({ app: { clientId: 'x', clientSecrets: ['changeme'.repeat(4)] } }));
    expect(placeholder).toEqual(['channel shop: app.clientSecrets[0] uses fewer than 8 distinct characters (a placeholder?); generate one, e.g. openssl rand -base64 32']);
    expect(placeholder.join()).not.toContain('changeme');
    expect(parseChannel(minimal({ app: { clientId: 'x', clientSecrets: [SECRET] } })).app.clientSecrets).toEqual([SECRET]);
    // A channel made in the console has no credential until the admin creates one; every call is refused meanwhile.
    expect(parseChannel(minimal({ app: { clientId: 'x', clientSecrets: [] } })).app).toEqual({ clientId: 'x', clientSecrets: [] });
    const { app: _, ...withoutApp } = minimal() as Record<string, unknown>;
    expect(parseChannel(withoutApp).app).toEqual({ clientId: 'shop-app', clientSecrets: [] });
  });

  it('rejects a bad language tag on the channel and on a bot', () => {
    expect(problemsOf(minimal({ defaultLanguage: 'english!' }))).toEqual(['channel shop: defaultLanguage is not a language tag']);
    expect(problemsOf(minimal({ bots: [bot({ languages: ['en-us', 'e'] })] }))).toEqual(['channel shop: bot shop-bot: "e" is not a language tag']);
  });

  it.each([' Shop Bot', 'Shop Bot ', '\tShop Bot'])('rejects the bot name %j with surrounding whitespace', (name) => {
    expect(problemsOf(minimal({ bots: [bot({ name })] }))).toEqual([expect.stringMatching(/^channel shop\.bots\.0\.name: /)]);
  });

  it('rejects intents and handoff intents with surrounding whitespace', () => {
    expect(problemsOf(minimal({ bots: [bot({ intents: [{ name: 'Help ' }] })] }))).toEqual([expect.stringMatching(/^channel shop\.bots\.0\.intents\.0\.name: /)]);
    expect(problemsOf(minimal({ handoff: { intent: ' AgentHandoff' } }))).toEqual([expect.stringMatching(/^channel shop\.handoff\.intent: /)]);
  });

  it('accepts single-character and inner-space names', () => {
    expect(parseChannel(minimal({ bots: [bot({ name: 'B' })] })).bots[0]!.name).toBe('B');
    expect(parseChannel(minimal({ bots: [bot({ name: 'My  Bot' })] })).bots[0]!.name).toBe('My  Bot');
  });

  it('rejects bad ids, ranges and enums, naming each path', () => {
    const problems = problemsOf(
      minimal({
        id: 'has space',
        replyDeadlineMs: 9000,
        deadlinePolicy: 'wait',
        templates: { profile: 'telegram' },
        circuitBreaker: { failureThreshold: 0 },
        bots: [bot({ provider: { name: 'http', timeoutMs: 50, retries: 9 } })],
      }),
    );
    const text = problems.join('\n');
    for (const path of ['.id:', '.replyDeadlineMs:', '.deadlinePolicy:', '.templates.profile:', '.circuitBreaker.failureThreshold:', '.bots.0.provider.timeoutMs:', '.bots.0.provider.retries:']) {
      expect(text).toContain(`channel has space${path}`);
    }
  });

  it('rejects a channel without bots, and non-objects', () => {
    expect(problemsOf(minimal({ bots: [] })).join('\n')).toMatch(/channel shop\.bots: /);
    expect(problemsOf(null)).toEqual(['channel must be an object']);
    expect(problemsOf([minimal()])).toEqual(['channel must be an object']);
    expect(problemsOf('shop')).toEqual(['channel must be an object']);
  });

  it('lists every problem in the error message', () => {
    try {
      parseChannel(minimal({ defaultLanguage: '!!', genesys: { environment: 'nowhere' } }));
      throw new Error('accepted');
    } catch (e) {
      const err = e as ChannelConfigError;
      expect(err.name).toBe('ChannelConfigError');
      expect(err.problems).toHaveLength(2);
      for (const p of err.problems) expect(err.message).toContain(p);
    }
  });
});

describe('resolveBot', () => {
  const ch = parseChannel(
    minimal({
      bots: [bot({ id: 'alpha', name: 'Alpha Bot' }), bot({ id: 'beta', name: 'Beta Bot' }), bot({ id: 'gamma', name: 'alpha' })],
    }),
  );

  it('finds the bot by chatBot.id first', () => {
    expect(resolveBot(ch, 'Alpha Bot', 'beta')?.id).toBe('beta');
    expect(resolveBot(ch, 'alpha', 'beta')?.id).toBe('beta');
  });

  it('then by botId as id', () => {
    expect(resolveBot(ch, 'beta')?.id).toBe('beta');
    expect(resolveBot(ch, 'beta', 'unknown-chatbot-id')?.id).toBe('beta');
    // An id wins over another bot with that name.
    expect(resolveBot(ch, 'alpha')?.id).toBe('alpha');
  });

  it('then by botId as name (what Genesys is observed to send)', () => {
    expect(resolveBot(ch, 'Beta Bot')?.id).toBe('beta');
    expect(resolveBot(ch, 'Alpha Bot', '22DEE904-0000')?.id).toBe('alpha');
  });

  it('returns undefined when nothing matches', () => {
    expect(resolveBot(ch, 'nobody')).toBeUndefined();
    expect(resolveBot(ch, undefined)).toBeUndefined();
    expect(resolveBot(ch, undefined, 'nobody')).toBeUndefined();
    expect(resolveBot(ch, 'beta bot')).toBeUndefined();
  });
});

describe('genesys.oauth', () => {
  const withOAuth = (oauth: Raw) => minimal({ genesys: { environment: 'mypurecloud.com', oauth } });

  it('fills in the defaults and keeps only the base URL origin', () => {
    const ch = parseChannel(withOAuth({ clientId: 'cid', clientSecret: 'sixteen-chars-ok', baseUrl: 'http://127.0.0.1:9555/x' }));
    expect(ch.genesys.oauth).toEqual({ clientId: 'cid', clientSecret: 'sixteen-chars-ok', grant: 'authorization_code', pkce: true, scopes: ['architect', 'integrations', 'textbots'], baseUrl: 'http://127.0.0.1:9555' });
    expect(parseChannel(minimal()).genesys.oauth).toBeUndefined();
  });

  it('refuses a short secret, a bad grant, a non-http base URL and unknown keys', () => {
    const problems = problemsOf(withOAuth({ clientId: 'cid', clientSecret: 'short', grant: 'implicit', baseUrl: 'ftp://x', scope: ['x'] }));
    expect(problems.join('\n')).toMatch(/clientSecret must be at least 16 characters/);
    expect(problems.join('\n')).toMatch(/grant/);
    expect(problems.join('\n')).toMatch(/baseUrl must be an https URL/);
    expect(problems.join('\n')).toMatch(/scope/);
  });

  it('requires https for the Genesys host override; plain http only on a loopback host (the emulator)', () => {
    // The client secret and the tokens go to this host.
    for (const bad of ['http://login.example.com', 'http://10.0.0.5:9555', 'http://user:pw@127.0.0.1:9555', 'not a url']) {
      expect(problemsOf(withOAuth({ clientId: 'cid', clientSecret: 'sixteen-chars-ok', baseUrl: bad })).join('\n')).toMatch(/genesys\.oauth\.baseUrl must/);
    }
    for (const [good, origin] of [['https://login.example.com/path', 'https://login.example.com'], ['http://localhost:9555', 'http://localhost:9555'], ['http://[::1]:9555', 'http://[::1]:9555']]) {
      expect(parseChannel(withOAuth({ clientId: 'cid', clientSecret: 'sixteen-chars-ok', baseUrl: good })).genesys.oauth!.baseUrl).toBe(origin);
    }
  });

  it('reads the Digital Bot Connector section, sealing nothing yet but normalizing the header name', () => {
    const ch = parseChannel({ ...minimal(), genesys: { environment: 'mypurecloud.com', digitalBotConnector: { secretHeader: 'X-Conn-Secret', secret: SECRET } } });
    expect(ch.genesys.digitalBotConnector).toEqual({ secretHeader: 'x-conn-secret', secret: SECRET, inlineWindowMs: 800 });
  });

  it('refuses a weak or malformed Digital Bot Connector setup with field paths', () => {
    const problems = problemsOf({ ...minimal(), genesys: { environment: 'mypurecloud.com', digitalBotConnector: { secretHeader: 'bad header', secret: 'short', inlineWindowMs: 99999 } } });
    expect(problems.join('\n')).toMatch(/secretHeader must be an HTTP header name/);
    expect(problems.join('\n')).toMatch(/genesys\.digitalBotConnector\.secret is 5 bytes; at least 32 are required/);
    expect(problems.join('\n')).toMatch(/inlineWindowMs must not be greater than 25000/);
    expect(problemsOf({ ...minimal(), genesys: { environment: 'mypurecloud.com', digitalBotConnector: { secret: 'x'.repeat(40) } } })).toEqual([
      'channel shop: genesys.digitalBotConnector.secret uses fewer than 8 distinct characters (a placeholder?); generate one, e.g. openssl rand -base64 32',
    ]);
  });

  it('checks notification senders', () => {
    const problems = problemsOf({ ...minimal(), notifications: { ratePerSecond: 0, from: { sms: '0800 123' } } });
    expect(problems.join('\n')).toMatch(/ratePerSecond must not be less than 1/);
    expect(problems.join('\n')).toMatch(/E\.164/);
  });
});

describe('privacy', () => {
  it('keeps the policy: redaction switch, named patterns and the fields left alone', () => {
    const ch = parseChannel(
      minimal({
        privacy: {
          redact: false,
          patterns: [{ name: 'order', regex: 'ORD-\\d{8}' }, { name: 'member_no', regex: 'm\\d{6}', ignoreCase: true }],
          leaveAlone: ['handoff.summary', 'transcript.replies', 'handoff.summary'],
        },
      }),
    );
    expect(ch.privacy).toEqual({
      redact: false,
      patterns: [{ name: 'order', regex: 'ORD-\\d{8}' }, { name: 'member_no', regex: 'm\\d{6}', ignoreCase: true }],
      leaveAlone: ['handoff.summary', 'transcript.replies'],
    });
  });

  it('refuses bad patterns and unknown fields, each with its path and why', () => {
    const problems = problemsOf(
      minimal({
        privacy: {
          redact: 'yes',
          patterns: [
            { name: 'Order', regex: 'ORD-\\d+' },
            { name: 'ok', regex: '(a+)+' },
            { name: 'ok', regex: '(unclosed' },
            { name: 'empty', regex: 'x*' },
            { name: 'long', regex: 'x'.repeat(201) },
            { name: 'flags', regex: 'x', flags: 'g' },
          ],
          leaveAlone: ['transcript.input', 'logs', 'participantData.bot.summary'],
        },
      }),
    ).join('\n');
    expect(problems).toMatch(/privacy\.redact: redact must be a boolean/);
    expect(problems).toMatch(/privacy\.patterns\.0\.name: privacy\.patterns\[\]\.name must be 1-32 characters/);
    expect(problems).toMatch(/privacy\.patterns\[1\]\.regex repeats a group that itself repeats/);
    expect(problems).toMatch(/privacy\.patterns\[2\]\.name "ok" is used twice/);
    expect(problems).toMatch(/privacy\.patterns\[2\]\.regex does not compile/);
    expect(problems).toMatch(/privacy\.patterns\[3\]\.regex matches the empty text/);
    expect(problems).toMatch(/privacy\.patterns\[4\]\.regex is longer than 200 characters/);
    expect(problems).toMatch(/privacy\.patterns\.5\.flags: property flags should not exist/);
    expect(problems).toMatch(/privacy\.leaveAlone may name only transcript\.input, transcript\.replies, transcript\.error, handoff\.summary, handoff\.lastUtterance, handoff\.detail/);
  });

  it('refuses more than 20 patterns', () => {
    const patterns = Array.from({ length: 21 }, (_, i) => ({ name: `p${i}`, regex: `P${i}-\\d+` }));
    expect(problemsOf(minimal({ privacy: { patterns } })).join('\n')).toMatch(/privacy\.patterns: patterns must contain no more than 20 elements/);
  });
});
