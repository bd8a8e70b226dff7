import { matchLanguage, normalizeLanguageCode } from './language.js';

describe('normalizeLanguageCode', () => {
  it.each([
    ['en_US', 'en-us'],
    ['en-us', 'en-us'],
    ['EN-us', 'en-us'],
    ['  de-DE ', 'de-de'],
    ['fr', 'fr'],
    ['fil', 'fil'],
    ['zh_Hant_TW', 'zh-hant-tw'],
    ['es-419', 'es-419'],
  ])('normalizes %j to %j', (raw, expected) => {
    expect(normalizeLanguageCode(raw)).toBe(expected);
  });

  it.each([undefined, '', '   ', 'e', 'english', 'en us', 'en-', '-us', 'en--us', '12-us', 'en-us!', 'de-verylongsubtag', 'ünï'])(
    'returns undefined for %j',
    (raw) => {
      expect(normalizeLanguageCode(raw)).toBeUndefined();
    },
  );
});

describe('matchLanguage', () => {
  const supported = ['en-us', 'de-de', 'fr-FR'];

  it('returns an exact match, normalized', () => {
    expect(matchLanguage('de-de', supported, 'en-us')).toBe('de-de');
    expect(matchLanguage('DE_de', supported, 'en-us')).toBe('de-de');
    expect(matchLanguage('fr-fr', supported, 'en-us')).toBe('fr-fr');
  });

  it('falls back to a supported tag with the same primary language', () => {
    expect(matchLanguage('de', supported, 'en-us')).toBe('de-de');
    expect(matchLanguage('de-at', supported, 'en-us')).toBe('de-de');
    expect(matchLanguage('en-gb', supported, 'de-de')).toBe('en-us');
  });

  it('prefers an exact match over an earlier same-primary tag', () => {
    expect(matchLanguage('en-gb', ['en-us', 'en-gb'], 'de-de')).toBe('en-gb');
  });

  it('matches a bare primary tag in the supported list', () => {
    expect(matchLanguage('de-ch', ['en', 'de'], 'en')).toBe('de');
  });

  it('uses the configured fallback when nothing matches or nothing is requested', () => {
    expect(matchLanguage('ja-jp', supported, 'de-de')).toBe('de-de');
    expect(matchLanguage(undefined, supported, 'fr-FR')).toBe('fr-fr');
    expect(matchLanguage('not a tag', supported, 'de-de')).toBe('de-de');
  });

  it('uses the first supported tag when the fallback is not a tag, then en-us', () => {
    expect(matchLanguage('ja-jp', ['de-DE', 'en-us'], '???')).toBe('de-de');
    expect(matchLanguage('ja-jp', [], '')).toBe('en-us');
  });
});
