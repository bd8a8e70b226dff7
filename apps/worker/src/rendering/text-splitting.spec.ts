import { splitText, truncateAtWord } from './text-splitting.js';

describe('splitText', () => {
  it('returns short text untouched, whitespace included', () => {
    expect(splitText('  hello\n', 10)).toEqual(['  hello\n']);
  });

  it('returns nothing for empty or whitespace-only text', () => {
    expect(splitText('', 10)).toEqual([]);
    expect(splitText(' \n\t ', 10)).toEqual([]);
    expect(splitText(' '.repeat(50), 10)).toEqual([]);
  });

  it('prefers a paragraph break over a later sentence or word break', () => {
    const text = 'First paragraph here.\n\nSecond one. It goes on';

    expect(splitText(text, 30)).toEqual(['First paragraph here.', 'Second one. It goes on']);
  });

  it('prefers a sentence end over a later word break', () => {
    expect(splitText('One two three. Four five six seven', 24)).toEqual(['One two three.', 'Four five six seven']);
  });

  it('counts a sentence end before a closing quote', () => {
    expect(splitText('He said "stop." Then he left the room', 22)).toEqual(['He said "stop."', 'Then he left the room']);
  });

  it('ignores a boundary that would leave a chunk less than half full', () => {
    const text = 'Hi.\n\nThis sentence has quite a few words in it';

    expect(splitText(text, 30)).toEqual(['Hi.\n\nThis sentence has quite a', 'few words in it']);
  });

  it('uses whitespace right at the limit', () => {
    expect(splitText('abcde fghij', 5)).toEqual(['abcde', 'fghij']);
  });

  it('cuts inside a word only when the word alone exceeds the limit', () => {
    expect(splitText('ab cdefghijkl mn', 5)).toEqual(['ab', 'cdefg', 'hijkl', 'mn']);
  });

  it('never separates the halves of a surrogate pair', () => {
    const chunks = splitText('😀😀😀', 3);

    expect(chunks).toEqual(['😀', '😀', '😀']);
  });

  it('keeps every non-whitespace character, in order, for random input', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const alphabet = ['a', 'b', 'c', ' ', ' ', '\n', '.', '!', '\n\n', 'long-word-without-breaks'];
    for (let round = 0; round < 50; round += 1) {
      const text = Array.from({ length: 400 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const max = 5 + Math.floor(random() * 60);

      const chunks = splitText(text, max);

      chunks.forEach((chunk) => {
        expect(chunk.length).toBeLessThanOrEqual(max);
        expect(chunk.trim()).not.toBe('');
      });
      expect(chunks.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    }
  });

  it('rejects a limit below 1', () => {
    expect(() => splitText('abc', 0)).toThrow(RangeError);
  });
});

describe('truncateAtWord', () => {
  it('keeps text within the limit', () => {
    expect(truncateAtWord('Short', 10)).toBe('Short');
  });

  it('cuts at the last word boundary and adds an ellipsis', () => {
    expect(truncateAtWord('Which order do you mean?', 15)).toBe('Which order do…');
  });

  it('cuts inside a word when no boundary falls in the second half', () => {
    expect(truncateAtWord('Supercalifragilistic word', 10)).toBe('Supercali…');
  });
});
