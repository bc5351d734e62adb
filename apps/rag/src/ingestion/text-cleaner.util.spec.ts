import { cleanText, removeExtraSpaces, removeInvalidCharacters, removeUrlsAndEmails } from './text-cleaner.util';

describe('removeInvalidCharacters', () => {
  it('removes control characters but keeps tab and newline', () => {
    expect(removeInvalidCharacters('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\u007Fh\ti\nj')).toBe('abcdefgh\ti\nj');
  });

  it('keeps C1 controls, as Dify does', () => {
    expect(removeInvalidCharacters('a\u0085b\u009Fc')).toBe('a\u0085b\u009Fc');
  });

  it('removes the non-characters U+FFFE and U+FFFF', () => {
    expect(removeInvalidCharacters('x\uFFFEy\uFFFFz')).toBe('xyz');
  });

  it('takes the bar out of special-token markers', () => {
    expect(removeInvalidCharacters('<|endoftext|> and a|b')).toBe('<endoftext> and a|b');
  });

  it('keeps letters that Dify’s byte pattern deletes by mistake', () => {
    expect(removeInvalidCharacters('naïve ¿qué? ¾')).toBe('naïve ¿qué? ¾');
  });

  it('turns CRLF and lone CR line endings into LF', () => {
    expect(removeInvalidCharacters('a\r\nb\rc\n')).toBe('a\nb\nc\n');
  });

  it('drops lone surrogates and keeps surrogate pairs', () => {
    expect(removeInvalidCharacters('a\uD800b\uDC00c😀d')).toBe('abc😀d');
  });
});

describe('removeExtraSpaces', () => {
  it('collapses three or more newlines to two and keeps a blank line', () => {
    expect(removeExtraSpaces('a\n\n\n\nb\n\nc\nd')).toBe('a\n\nb\n\nc\nd');
  });

  it('collapses runs of spaces, tabs and Unicode spaces to one space', () => {
    expect(removeExtraSpaces('a   b\t\tc \u00A0d\u3000\u3000e')).toBe('a b c d e');
  });

  it('leaves a single tab or space alone', () => {
    expect(removeExtraSpaces('a\tb c')).toBe('a\tb c');
  });
});

describe('removeUrlsAndEmails', () => {
  it('removes e-mail addresses', () => {
    expect(removeUrlsAndEmails('mail ada.l+x@example.co.uk now')).toBe('mail  now');
  });

  it('removes http and https URLs up to whitespace or a closing parenthesis', () => {
    expect(removeUrlsAndEmails('see https://x.org/a?b=1 and (http://y.io/p) end')).toBe('see  and () end');
  });

  it('keeps Markdown image URLs and their alt text', () => {
    const text = 'pic ![a cat](https://img.example/cat.png) link https://example.com/page';
    expect(removeUrlsAndEmails(text)).toBe('pic ![a cat](https://img.example/cat.png) link ');
  });

  it('removes the URL of a plain Markdown link but keeps its text', () => {
    expect(removeUrlsAndEmails('[docs](https://docs.example/x)')).toBe('[docs]()');
  });
});

describe('cleanText', () => {
  it('always applies the invalid-character clean, even without rules', () => {
    expect(cleanText('a\u0000b   c')).toBe('ab   c');
  });

  it('applies only enabled rules', () => {
    const text = 'a   b https://x.y';
    expect(
      cleanText(text, [
        { id: 'remove_extra_spaces', enabled: false },
        { id: 'remove_urls_emails', enabled: true },
      ]),
    ).toBe('a   b ');
    expect(cleanText(text, [{ id: 'remove_extra_spaces', enabled: true }])).toBe('a b https://x.y');
  });

  it('applies rules in the order given, as Dify does', () => {
    // Removing the URL first leaves two spaces for remove_extra_spaces to collapse; the other order keeps them.
    const text = 'a https://x.y b';
    expect(
      cleanText(text, [
        { id: 'remove_urls_emails', enabled: true },
        { id: 'remove_extra_spaces', enabled: true },
      ]),
    ).toBe('a b');
    expect(
      cleanText(text, [
        { id: 'remove_extra_spaces', enabled: true },
        { id: 'remove_urls_emails', enabled: true },
      ]),
    ).toBe('a  b');
  });

  it('treats remove_stopwords as a no-op', () => {
    expect(cleanText('the a of', [{ id: 'remove_stopwords', enabled: true }])).toBe('the a of');
  });
});
