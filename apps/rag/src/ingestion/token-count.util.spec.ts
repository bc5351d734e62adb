import { countCharacters, estimateTokens } from './token-count.util';

describe('countCharacters', () => {
  it('counts code points, as Python len() does', () => {
    expect(countCharacters('')).toBe(0);
    expect(countCharacters('abc')).toBe(3);
    expect(countCharacters('知识库')).toBe(3);
    expect(countCharacters('a😀b')).toBe(3);
    expect('a😀b'.length).toBe(4);
  });

  it('counts a lone surrogate as one character', () => {
    expect(countCharacters('\uDC00a\uD800')).toBe(3);
  });
});

describe('estimateTokens', () => {
  it('is zero for empty text and whitespace-free of charge for single spaces', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('hello world')).toBe(2);
  });

  it('charges about one token per common English word', () => {
    const sentence = 'The quick brown fox jumps over the lazy dog and runs into the forest';
    const words = sentence.split(' ').length;
    const tokens = estimateTokens(sentence);
    expect(tokens).toBeGreaterThanOrEqual(words);
    expect(tokens).toBeLessThanOrEqual(Math.ceil(words * 1.5));
  });

  it('charges long words more than short ones', () => {
    expect(estimateTokens('internationalization')).toBeGreaterThan(estimateTokens('nation'));
  });

  it('charges about one token per CJK character', () => {
    expect(estimateTokens('知识库检索')).toBe(5);
    expect(estimateTokens('ナレッジ')).toBe(4);
  });

  it('counts digits in groups of three and punctuation', () => {
    expect(estimateTokens('1234567')).toBe(3);
    expect(estimateTokens('a, b.')).toBe(4);
  });

  it('charges line breaks', () => {
    expect(estimateTokens('a\n\nb')).toBe(estimateTokens('a b') + 1);
  });

  it('grows with the text', () => {
    const short = estimateTokens('Retrieval augmented generation.');
    expect(estimateTokens('Retrieval augmented generation. '.repeat(10))).toBeGreaterThanOrEqual(short * 10);
  });
});
