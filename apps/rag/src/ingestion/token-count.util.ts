// Length measures for chunking and for the `tokens` and `word_count` fields of segments.
//
// Dify measures a chunk's `max_tokens` in characters (`len(text)`, code points) since it stopped
// shipping a tokenizer, and its `word_count` is `len(content)` as well; `countCharacters` is that.
// `estimateTokens` approximates a GPT-style BPE tokenizer (cl100k-like) without a vocabulary: it
// pre-splits text the way such tokenizers do and charges each piece by its script and length. It is
// an estimate (expect tens of percent of error on unusual text, less on English prose and on CJK),
// used for the `tokens` field; swap it for a real tokenizer by passing another `LengthFunction`.

/** Measures a text; the splitter and the segment fields take one so the measure can be swapped. */
export type LengthFunction = (text: string) => number;

/** Code points, as Python's `len()` counts them (a surrogate pair is one character). */
export function countCharacters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // The low half of a pair adds nothing: the high half already counted the character.
    if (code >= 0xdc00 && code <= 0xdfff && i > 0) {
      const previous = text.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    count += 1;
  }
  return count;
}

// Scripts written without spaces, where BPE vocabularies hold roughly one token per character.
const CHARACTER_SCRIPTS =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const LATIN = /^[\p{Script=Latin}\p{M}']+$/u;
// How GPT-style pre-tokenizers cut text: English contractions, letter runs with their leading space,
// digits in groups of three, punctuation runs, whitespace.
const PIECES = /'(?:s|t|re|ve|m|ll|d)\b| ?[\p{L}\p{M}]+| ?\p{N}{1,3}| ?[^\s\p{L}\p{M}\p{N}]+|\s+/giu;

function letterRunTokens(run: string): number {
  let tokens = 0;
  let rest = '';
  for (const char of run) {
    if (CHARACTER_SCRIPTS.test(char)) {
      tokens += 1;
      continue;
    }
    rest += char;
  }
  if (rest === '') return tokens;
  const length = countCharacters(rest);
  // Common English words are one token; longer Latin words split into pieces of about six letters.
  // Other alphabets (Cyrillic, Greek, Arabic, Hangul...) are less well covered: about three per token.
  return tokens + (LATIN.test(rest) ? Math.ceil(length / 6) : Math.ceil(length / 3));
}

/** An approximate GPT-style token count: 0 for empty text, about 1.3 per English word, about 1 per CJK character. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECES)) {
    const piece = match[0];
    if (/^\s+$/u.test(piece)) {
      // A single space rides on the next word; BPE vocabularies hold whole runs of newlines or indentation as one token.
      if (piece !== ' ') tokens += 1;
      continue;
    }
    const body = piece.startsWith(' ') ? piece.slice(1) : piece;
    if (/^[\p{L}\p{M}']/u.test(body)) tokens += letterRunTokens(body);
    else if (/^\p{N}/u.test(body)) tokens += 1;
    else tokens += Math.ceil(countCharacters(body) / 2);
  }
  return tokens;
}
