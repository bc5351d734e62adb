// The tokenization shared by the offline embedder and the full-text helpers: NFKC, lower case, runs
// of letters, digits and combining marks; scripts written without spaces are kept apart as their
// own runs, since a "word" there is a character or two.

const CHARACTER_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const TOKEN_RUNS = /[\p{L}\p{N}\p{M}]+/gu;

/** A run of a text: a word, or a stretch of a script written without spaces (`characters: true`). */
export interface LexicalRun {
  characters: boolean;
  text: string;
}

/** The text as the lexical tools see it: NFKC-normalized and lower-cased. */
export function normalizeLexicalText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** True for a character of a script written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar). */
export function isCharacterScript(char: string): boolean {
  // Every such script starts at Thai (U+0E00); the regex runs only above that.
  return char.charCodeAt(0) >= 0x0e00 && CHARACTER_SCRIPT.test(char);
}

/** The word and character-script runs of a normalized text, in order; punctuation and spaces separate them. */
export function lexicalRuns(text: string): LexicalRun[] {
  const runs: LexicalRun[] = [];
  for (const match of normalizeLexicalText(text).matchAll(TOKEN_RUNS)) {
    // A run mixing scripts ("gpt4模型") becomes alternating word and character-script stretches.
    let current = '';
    let characters = false;
    for (const char of match[0]) {
      const isCharacter = isCharacterScript(char);
      if (current !== '' && isCharacter !== characters) {
        runs.push({ characters, text: current });
        current = '';
      }
      characters = isCharacter;
      current += char;
    }
    if (current !== '') runs.push({ characters, text: current });
  }
  return runs;
}
