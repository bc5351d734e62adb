import type { PreProcessingRule } from './process-rule.types';

// Dify's CleanProcessor, rule by rule. Where Weft differs it says why next to the difference.

// C0 controls other than tab, newline and carriage return, DEL, and the non-characters U+FFFE/U+FFFF
// (written as "Cc minus tab, LF, CR and the C1 block, which Dify keeps"). Dify's pattern also lists
// \xEF\xBF\xBE, meant as the UTF-8 bytes of U+FFFE; on a Python str that removes the letters "ï",
// "¿" and "¾" instead, so Weft leaves those letters alone.
const INVALID_CHARACTERS = /[^\P{Cc}\t\n\r\u0080-\u009F]|[\uFFFE\uFFFF]/gu;
// A UTF-16 surrogate without its pair cannot be encoded as UTF-8, so Postgres could not store it.
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const THREE_OR_MORE_NEWLINES = /\n{3,}/g;
// Runs of two or more horizontal spaces of any kind (Dify's list, including NBSP and the ideographic space).
const SPACE_RUNS = /[\t\f\r \u00A0\u1680\u180E\u2000-\u200A\u202F\u205F\u3000]{2,}/g;
const EMAILS = /[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+/g;
// A Markdown image (kept whole) or a bare URL (removed); one pass, so the URL inside an image is never seen alone.
const IMAGES_OR_URLS = /!\[[^\]\n]*\]\(https?:\/\/[^\s)]+\)|https?:\/\/[^\s)]+/g;

/**
 * The clean Dify applies to every document whatever its rules: `<|` and `|>` (special-token markers)
 * lose their bar, control characters and non-characters are dropped. Line endings become `\n`, as
 * Dify's extractors get them from Python's universal-newline reading; lone surrogates are dropped.
 */
export function removeInvalidCharacters(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/<\|/g, '<')
    .replace(/\|>/g, '>')
    .replace(INVALID_CHARACTERS, '')
    .replace(LONE_SURROGATES, '');
}

/** Dify's `remove_extra_spaces`: three or more newlines become two, and runs of spaces or tabs become one space. */
export function removeExtraSpaces(text: string): string {
  return text.replace(THREE_OR_MORE_NEWLINES, '\n\n').replace(SPACE_RUNS, ' ');
}

/**
 * Dify's `remove_urls_emails`: e-mail addresses and http(s) URLs are deleted, except the target of a
 * Markdown image, which the index needs to find the image. Dify also rewrites the image's alt text
 * to "image"; Weft keeps the alt text, which is searchable content.
 */
export function removeUrlsAndEmails(text: string): string {
  return text.replace(EMAILS, '').replace(IMAGES_OR_URLS, (match) => (match.startsWith('!') ? match : ''));
}

/**
 * Cleans a document's text before splitting: the always-on clean, then each enabled pre-processing
 * rule in the order given, as Dify does. `remove_stopwords` is accepted and, as in Dify, does nothing.
 */
export function cleanText(text: string, rules: readonly PreProcessingRule[] = []): string {
  let cleaned = removeInvalidCharacters(text);
  for (const rule of rules) {
    if (!rule.enabled) continue;
    if (rule.id === 'remove_extra_spaces') cleaned = removeExtraSpaces(cleaned);
    else if (rule.id === 'remove_urls_emails') cleaned = removeUrlsAndEmails(cleaned);
  }
  return cleaned;
}
