import { isCharacterScript, lexicalRuns, normalizeLexicalText } from './lexical-tokens.util';

describe('lexicalRuns', () => {
  it('splits at punctuation and spaces and lower-cases', () => {
    expect(lexicalRuns('Hello, World! e-mail')).toEqual([
      { characters: false, text: 'hello' },
      { characters: false, text: 'world' },
      { characters: false, text: 'e' },
      { characters: false, text: 'mail' },
    ]);
  });

  it('separates scripts written without spaces from words', () => {
    expect(lexicalRuns('GPT4模型と検索 test')).toEqual([
      { characters: false, text: 'gpt4' },
      { characters: true, text: '模型と検索' },
      { characters: false, text: 'test' },
    ]);
  });

  it('keeps Hangul, Cyrillic and combining marks inside words', () => {
    expect(lexicalRuns('한국어 Привет नमस्ते').map((run) => run.text)).toEqual(['한국어', 'привет', 'नमस्ते']);
    expect(lexicalRuns('한국어').every((run) => !run.characters)).toBe(true);
  });

  it('gives no runs for text without letters or digits', () => {
    expect(lexicalRuns(' ... — !? ')).toEqual([]);
  });
});

describe('isCharacterScript', () => {
  it('is true for Han, kana and Thai, false for Latin, Hangul and digits', () => {
    expect(['知', 'の', 'カ', 'ก'].map(isCharacterScript)).toEqual([true, true, true, true]);
    expect(['a', '한', '5', 'é'].map(isCharacterScript)).toEqual([false, false, false, false]);
  });
});

describe('normalizeLexicalText', () => {
  it('applies NFKC and lower case', () => {
    expect(normalizeLexicalText('Ｃａｆé ＡＢＣ')).toBe('café abc');
  });
});
