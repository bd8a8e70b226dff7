import 'reflect-metadata';
import type { Models } from 'purecloud-platform-client-v2';
import { parseChannel, type Channel } from '@app/channels';
import { BOT_SLOT_TYPES, BotListLimits } from '@app/genesys';
import { BotListValidationError, HANDOFF_SLOT_MAP, type BotListDrift, assertValidBotList, botListDrift, buildBotList, validateBotList } from './bot-list.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

function channel(over: Record<string, unknown> = {}): Channel {
  return parseChannel({
    id: 'shop',
    genesys: { environment: 'mypurecloud.com' },
    app: { clientId: 'shop-app', clientSecrets: [SECRET] },
    handoff: { intent: 'AgentHandoff', endIntent: 'Done' },
    bots: [
      {
        id: 'shop-bot',
        name: 'Shop Bot',
        description: 'Answers order questions',
        versions: ['1.0', '2.0'],
        languages: ['en-US', 'de-de'],
        intents: [{ name: 'TrackOrder', slots: { orderId: { name: 'orderId', type: 'string' } } }],
        provider: { name: 'demo' },
      },
      { id: 'faq-bot', name: 'FAQ', versions: ['1'], languages: ['fr'], provider: { name: 'demo' } },
    ],
    ...over,
  });
}

const str = (n: number, c = 'x') => c.repeat(n);

/** A valid list with room to break one thing at a time: bot 0 has 2 versions, version 1 has 4 intents. */
function validList(): Models.BotList {
  const intents = (): Models.BotIntent[] => [
    { name: 'A' },
    { name: 'B', slots: { s: { name: 's', type: 'String' } } },
    { name: 'C' },
    { name: 'D', slots: { q: { name: 'q', type: 'integer' } } },
  ];
  return {
    chatBots: [
      {
        id: 'bot-1',
        name: 'Bot One',
        description: 'desc',
        versions: [
          { version: '1.0', supportedLanguages: ['en-us'], intents: intents() },
          { version: '2.0', supportedLanguages: ['en-us', 'de'], intents: intents() },
        ],
      },
    ],
  };
}

const bot0 = (l: Models.BotList) => l.chatBots[0]!;
const v = (l: Models.BotList, i: number) => bot0(l).versions[i]!;
const intent = (l: Models.BotList, vi: number, ii: number) => v(l, vi).intents[ii]!;
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const slotsOf = (n: number, len = 3): Record<string, Models.BotSlot> =>
  Object.fromEntries(many(n, (i) => [`s${String(i).padStart(len - 1, '0')}`, { name: `s${String(i).padStart(len - 1, '0')}`, type: 'String' }]));

describe('buildBotList', () => {
  it('lists every bot and version, lower-cases languages, and adds the handoff and end intents', () => {
    const list = buildBotList(channel());
    expect(list).toEqual({
      chatBots: [
        {
          id: 'shop-bot',
          name: 'Shop Bot',
          description: 'Answers order questions',
          versions: ['1.0', '2.0'].map((version) => ({
            version,
            supportedLanguages: ['en-us', 'de-de'],
            intents: [
              { name: 'TrackOrder', slots: { orderId: { name: 'orderId', type: 'string' } } },
              { name: 'AgentHandoff', slots: { queue: { name: 'queue', type: 'String' }, reason: { name: 'reason', type: 'String' }, summary: { name: 'summary', type: 'String' } } },
              { name: 'Done' },
            ],
          })),
        },
        { id: 'faq-bot', name: 'FAQ', versions: [{ version: '1', supportedLanguages: ['fr'], intents: [{ name: 'AgentHandoff', slots: HANDOFF_SLOT_MAP }, { name: 'Done' }] }] },
      ],
    });
    expect(validateBotList(list)).toEqual([]);
  });

  it('lower-cases and de-duplicates languages even when the channel was not normalized', () => {
    const c = channel();
    c.bots[0]!.languages = ['EN-us', 'en_US', 'De-DE'];
    expect(buildBotList(c).chatBots[0]!.versions[0]!.supportedLanguages).toEqual(['en-us', 'de-de']);
  });

  it('does not duplicate the handoff or end intent when a bot declares them, and keeps the handoff slots', () => {
    const c = channel();
    c.bots[0]!.intents = [
      { name: 'Done' },
      { name: 'AgentHandoff', slots: { queue: { name: 'queue', type: 'Integer' }, dept: { name: 'dept', type: 'String' } } },
    ];
    const intents = buildBotList(c).chatBots[0]!.versions[0]!.intents;
    expect(intents.map((i) => i.name)).toEqual(['Done', 'AgentHandoff']);
    expect(intents[1]!.slots).toEqual({
      queue: { name: 'queue', type: 'Integer' },
      dept: { name: 'dept', type: 'String' },
      reason: { name: 'reason', type: 'String' },
      summary: { name: 'summary', type: 'String' },
    });
  });

  it('omits an absent description', () => {
    expect(buildBotList(channel()).chatBots[1]).not.toHaveProperty('description');
  });
});

describe('validateBotList', () => {
  it('accepts the valid base list and every value exactly at its limit', () => {
    expect(validateBotList(validList())).toEqual([]);
    const l = validList();
    l.chatBots.push(...many(BotListLimits.maxBots - 1, (i) => ({ ...bot0(validList()), id: `b${i}` })));
    bot0(l).description = str(BotListLimits.maxDescriptionLength);
    bot0(l).name = str(BotListLimits.maxBotNameLength);
    bot0(l).versions.push(...many(BotListLimits.maxVersions - 2, (i) => ({ ...v(validList(), 0), version: `v${i}` })));
    v(l, 0).version = str(BotListLimits.maxVersionLength);
    v(l, 0).intents = many(BotListLimits.maxIntents, (i) => ({ name: i === 0 ? str(BotListLimits.maxIntentNameLength) : `i${i}` }));
    v(l, 1).intents[0]!.slots = slotsOf(BotListLimits.maxSlots);
    v(l, 1).intents[1]!.slots = { [str(100, 'k')]: { name: str(BotListLimits.maxSlotNameLength, 'k'), type: 'String' } };
    expect(l.chatBots).toHaveLength(50);
    expect(bot0(l).versions).toHaveLength(50);
    expect(validateBotList(l)).toEqual([]);
  });

  it.each(BOT_SLOT_TYPES.flatMap((t) => [t, t.toLowerCase(), t.toUpperCase()]))('accepts slot type %s', (type) => {
    const l = validList();
    intent(l, 0, 1).slots = { s: { name: 's', type } };
    expect(validateBotList(l)).toEqual([]);
  });

  const cases: Array<[string, (l: Models.BotList) => void, string[]]> = [
    ['more than 50 bots', (l) => l.chatBots.push(...many(50, (i) => ({ ...bot0(validList()), id: `b${i}` }))), ['chatBots: more than 50 bots (51)']],
    ['chatBots not an array', (l) => ((l as { chatBots: unknown }).chatBots = {}), ['chatBots: must be an array']],
    ['description over 256', (l) => (bot0(l).description = str(257)), ['chatBots[0].description: longer than 256 characters']],
    ['bot name over 100', (l) => (bot0(l).name = str(101)), ['chatBots[0].name: longer than 100 characters']],
    ['bot name with trailing space', (l) => (bot0(l).name = 'Bot '), ['chatBots[0].name: must be displayable characters without leading or trailing whitespace']],
    ['bot id missing', (l) => (bot0(l).id = ''), ['chatBots[0].id: required']],
    ['bot id with leading space', (l) => (bot0(l).id = ' bot'), ['chatBots[0].id: must be displayable characters without leading or trailing whitespace']],
    ['bot id over 256', (l) => (bot0(l).id = str(257)), ['chatBots[0].id: longer than 256 characters']],
    ['duplicate bot id', (l) => l.chatBots.push({ ...bot0(validList()) }), ['chatBots[1].id: duplicate of chatBots[0].id ("bot-1")']],
    [
      'three bots with one id',
      (l) => l.chatBots.push({ ...bot0(validList()) }, { ...bot0(validList()) }),
      ['chatBots[1].id: duplicate of chatBots[0].id ("bot-1")', 'chatBots[2].id: duplicate of chatBots[0].id ("bot-1")'],
    ],
    ['versions missing', (l) => ((bot0(l) as { versions: unknown }).versions = undefined), ['chatBots[0].versions: must be an array']],
    ['no versions', (l) => (bot0(l).versions = []), ['chatBots[0].versions: must list at least one version']],
    ['more than 50 versions', (l) => bot0(l).versions.push(...many(49, (i) => ({ ...v(validList(), 0), version: `v${i}` }))), ['chatBots[0].versions: more than 50 versions (51)']],
    ['version over 100', (l) => (v(l, 1).version = str(101)), ['chatBots[0].versions[1].version: longer than 100 characters']],
    ['version empty', (l) => (v(l, 1).version = ''), ['chatBots[0].versions[1].version: required']],
    ['version padded', (l) => (v(l, 1).version = '2.0\t'), ['chatBots[0].versions[1].version: must be displayable characters without leading or trailing whitespace']],
    ['duplicate version', (l) => (v(l, 1).version = '1.0'), ['chatBots[0].versions[1].version: duplicate of chatBots[0].versions[0].version ("1.0")']],
    ['upper-case language', (l) => (v(l, 0).supportedLanguages = ['en-US']), ['chatBots[0].versions[0].supportedLanguages[0]: "en-US" is not a lower-case language tag (e.g. en-us)']],
    ['not a language', (l) => (v(l, 0).supportedLanguages = ['en-us', 'english']), ['chatBots[0].versions[0].supportedLanguages[1]: "english" is not a lower-case language tag (e.g. en-us)']],
    ['duplicate language', (l) => (v(l, 1).supportedLanguages = ['de', 'de']), ['chatBots[0].versions[1].supportedLanguages[1]: duplicate of chatBots[0].versions[1].supportedLanguages[0] ("de")']],
    ['no language', (l) => (v(l, 0).supportedLanguages = []), ['chatBots[0].versions[0].supportedLanguages: must list at least one language']],
    ['intents missing', (l) => ((v(l, 0) as { intents: unknown }).intents = null), ['chatBots[0].versions[0].intents: must be an array']],
    ['more than 50 intents', (l) => (v(l, 0).intents = many(51, (i) => ({ name: `i${i}` }))), ['chatBots[0].versions[0].intents: more than 50 intents (51)']],
    ['intent name over 100', (l) => (intent(l, 1, 3).name = str(101)), ['chatBots[0].versions[1].intents[3].name: longer than 100 characters']],
    ['intent name missing', (l) => (intent(l, 1, 3).name = ''), ['chatBots[0].versions[1].intents[3].name: required']],
    ['intent name with newline', (l) => (intent(l, 0, 0).name = 'A\nB'), ['chatBots[0].versions[0].intents[0].name: must be displayable characters without leading or trailing whitespace']],
    ['intent name with leading space', (l) => (intent(l, 0, 0).name = ' A'), ['chatBots[0].versions[0].intents[0].name: must be displayable characters without leading or trailing whitespace']],
    ['duplicate intent', (l) => (intent(l, 1, 2).name = 'A'), ['chatBots[0].versions[1].intents[2].name: duplicate of chatBots[0].versions[1].intents[0].name ("A")']],
    ['more than 50 slots', (l) => (intent(l, 0, 1).slots = slotsOf(51)), ['chatBots[0].versions[0].intents[1].slots: more than 50 slots (51)']],
    ['slots not a map', (l) => ((intent(l, 0, 1) as { slots: unknown }).slots = [{ name: 's', type: 'String' }]), ['chatBots[0].versions[0].intents[1].slots: must be an object mapping slot names to slots']],
    [
      'slot name over 100',
      (l) => (intent(l, 0, 1).slots = { [str(101)]: { name: str(101), type: 'String' } }),
      [`chatBots[0].versions[0].intents[1].slots.${str(101)}.name: longer than 100 characters`],
    ],
    ['slot name padded', (l) => (intent(l, 0, 1).slots = { 'my slot ': { name: 'my slot ', type: 'String' } }), ['chatBots[0].versions[0].intents[1].slots["my slot "].name: must be displayable characters without leading or trailing whitespace']],
    ['slot name differs from key', (l) => (intent(l, 0, 1).slots = { s: { name: 't', type: 'String' } }), ['chatBots[0].versions[0].intents[1].slots.s.name: "t" differs from its key "s"']],
    ['slot name missing', (l) => (intent(l, 0, 1).slots = { s: { name: '', type: 'String' } }), ['chatBots[0].versions[0].intents[1].slots.s.name: required']],
    [
      'unknown slot type',
      (l) => (intent(l, 1, 3).slots = { q: { name: 'q', type: 'Text' } }),
      ['chatBots[0].versions[1].intents[3].slots.q.type: "Text" is not a slot type (String, Integer, Decimal, Duration, Boolean, Currency, Datetime, or one of those + Collection)'],
    ],
    [
      'missing slot type',
      (l) => (intent(l, 1, 3).slots = { q: { name: 'q' } as Models.BotSlot }),
      ['chatBots[0].versions[1].intents[3].slots.q.type: "undefined" is not a slot type (String, Integer, Decimal, Duration, Boolean, Currency, Datetime, or one of those + Collection)'],
    ],
  ];

  it.each(cases)('%s', (_name, mutate, expected) => {
    const l = validList();
    mutate(l);
    expect(validateBotList(l)).toEqual(expected);
  });

  it('reports every problem at once, and assertValidBotList throws them typed', () => {
    const l = validList();
    bot0(l).description = str(300);
    intent(l, 1, 3).name = str(101);
    v(l, 0).supportedLanguages = ['EN'];
    const problems = validateBotList(l);
    expect(problems).toHaveLength(3);
    expect(() => assertValidBotList(l)).toThrow(BotListValidationError);
    try {
      assertValidBotList(l);
    } catch (e) {
      expect((e as BotListValidationError).problems).toEqual(problems);
    }
    expect(assertValidBotList(validList())).toEqual(validList());
  });
});

describe('botListDrift', () => {
  const configured = () => buildBotList(channel());
  const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
  const clean: BotListDrift = { inSync: true, missingBots: [], missingVersions: [], changedVersions: [], extraBots: [], extraVersions: [], changedBots: [] };

  it('nothing published: every bot is missing', () => {
    expect(botListDrift(configured(), undefined)).toEqual({ ...clean, inSync: false, missingBots: ['shop-bot', 'faq-bot'] });
    expect(botListDrift(configured(), { chatBots: [] })).toEqual({ ...clean, inSync: false, missingBots: ['shop-bot', 'faq-bot'] });
  });

  it('identical lists are in sync, whatever extra read-only fields Genesys adds', () => {
    const pub = clone(configured());
    pub.chatBots.forEach((b) => Object.assign(b, { botCompositeTag: 'tag', selfUri: '/x' }));
    expect(botListDrift(configured(), pub)).toEqual(clean);
  });

  it('ignores case where Genesys does (slot type, languages) and the order of intents and languages', () => {
    const pub = clone(configured());
    const ver = pub.chatBots[0]!.versions[0]!;
    ver.supportedLanguages = ['DE-DE', 'en-US'];
    ver.intents.reverse();
    ver.intents.find((i) => i.name === 'AgentHandoff')!.slots!.queue!.type = 'string';
    expect(botListDrift(configured(), pub)).toEqual(clean);
  });

  const cases: Array<[string, (pub: Models.BotList) => void, Partial<BotListDrift>]> = [
    ['a configured version not yet published', (pub) => pub.chatBots[0]!.versions.pop(), { missingVersions: [{ botId: 'shop-bot', version: '2.0' }] }],
    ['a bot published but no longer configured', (pub) => pub.chatBots.push({ id: 'old-bot', name: 'Old', versions: [] }), { extraBots: ['old-bot'] }],
    ['a version published but no longer configured', (pub) => pub.chatBots[1]!.versions.push({ version: '0.9', supportedLanguages: ['fr'], intents: [] }), { extraVersions: [{ botId: 'faq-bot', version: '0.9' }] }],
    ['the bot name changed', (pub) => (pub.chatBots[1]!.name = 'Old FAQ'), { changedBots: [{ botId: 'faq-bot', differences: ['name: published "Old FAQ", configured "FAQ"'] }] }],
    ['the description changed', (pub) => (pub.chatBots[0]!.description = 'old'), { changedBots: [{ botId: 'shop-bot', differences: ['description differs'] }] }],
    [
      'an intent added to the configuration of a live version',
      (pub) => (pub.chatBots[0]!.versions[1]!.intents = pub.chatBots[0]!.versions[1]!.intents.filter((i) => i.name !== 'TrackOrder')),
      { changedVersions: [{ botId: 'shop-bot', version: '2.0', differences: ['intent "TrackOrder": not published'] }] },
    ],
    [
      'an intent removed from the configuration of a live version',
      (pub) => pub.chatBots[1]!.versions[0]!.intents.push({ name: 'Legacy' }),
      { changedVersions: [{ botId: 'faq-bot', version: '1', differences: ['intent "Legacy": published but not configured'] }] },
    ],
    [
      'a slot type changed',
      (pub) => (pub.chatBots[0]!.versions[0]!.intents[0]!.slots!.orderId!.type = 'Integer'),
      { changedVersions: [{ botId: 'shop-bot', version: '1.0', differences: ['intent "TrackOrder" slot "orderId": type published Integer, configured string'] }] },
    ],
    [
      'a slot added and one removed',
      (pub) => {
        const slots = pub.chatBots[0]!.versions[0]!.intents[1]!.slots!;
        delete slots.summary;
        slots.priority = { name: 'priority', type: 'String' };
      },
      {
        changedVersions: [
          { botId: 'shop-bot', version: '1.0', differences: ['intent "AgentHandoff" slot "summary": not published', 'intent "AgentHandoff" slot "priority": published but not configured'] },
        ],
      },
    ],
    [
      'a language added',
      (pub) => (pub.chatBots[1]!.versions[0]!.supportedLanguages = ['fr', 'it']),
      { changedVersions: [{ botId: 'faq-bot', version: '1', differences: ['supportedLanguages: published [fr, it], configured [fr]'] }] },
    ],
  ];

  it.each(cases)('%s', (_name, mutate, expected) => {
    const pub = clone(configured());
    mutate(pub);
    expect(botListDrift(configured(), pub)).toEqual({ ...clean, inSync: false, ...expected });
  });
});
