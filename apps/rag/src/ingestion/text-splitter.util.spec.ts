import { contentHash } from './content-hash.util';
import { ProcessRule, ProcessRuleError } from './process-rule.types';
import {
  decodeSeparator,
  removeLeadingSymbols,
  resolveProcessRule,
  splitChildChunks,
  splitDocument,
  splitOnSeparator,
  splitRecursive,
} from './text-splitter.util';
import { countCharacters, estimateTokens } from './token-count.util';

function custom(segmentation: Record<string, unknown>, extra: Record<string, unknown> = {}): ProcessRule {
  return { mode: 'custom', rules: { pre_processing_rules: [], segmentation, ...extra } } as ProcessRule;
}

function errorOf(fn: () => unknown): ProcessRuleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProcessRuleError) return error;
    throw error;
  }
  throw new Error('expected a ProcessRuleError');
}

const sentences = Array.from({ length: 60 }, (_, i) => `Sentence number ${String(i).padStart(2, '0')} is here.`);
const longParagraph = sentences.join(' ');
// 200 Han characters, none of them a separator.
const han = Array.from({ length: 200 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 37) % 500))).join('');

describe('contentHash', () => {
  it('is the sha256 hex digest of the UTF-8 text', () => {
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash('知识')).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash('a')).not.toBe(contentHash('a '));
  });
});

describe('decodeSeparator', () => {
  it.each([
    ['\\n\\n', '\n\n'],
    ['\\n', '\n'],
    ['\\t', '\t'],
    ['\\r\\n', '\r\n'],
    ['\\u3002', '。'],
    ['\\x2C', ','],
    ['\\\\', '\\'],
    ['***', '***'],
    ['。', '。'],
    ['\\q', '\\q'],
  ])('decodes %j to %j', (raw, decoded) => {
    expect(decodeSeparator(raw)).toBe(decoded);
  });
});

describe('removeLeadingSymbols', () => {
  it('strips separator residue from the start', () => {
    expect(removeLeadingSymbols('. Hello')).toBe('Hello');
    expect(removeLeadingSymbols('。你好')).toBe('你好');
    expect(removeLeadingSymbols(', and then')).toBe('and then');
    expect(removeLeadingSymbols('  ：值')).toBe('值');
  });

  it('keeps Markdown headings, quotes, brackets, list markers and currency', () => {
    for (const text of ['# Title', '"Quoted," she said', '(1) item', '- item', '$5 each', '[link](x)']) {
      expect(removeLeadingSymbols(text)).toBe(text);
    }
  });
});

describe('splitRecursive', () => {
  it('returns a short text as one trimmed chunk', () => {
    expect(splitRecursive('  short text \n', { chunkSize: 100, chunkOverlap: 0 })).toEqual(['short text']);
  });

  it('merges small paragraphs up to the chunk size', () => {
    const text = ['aaaa', 'bbbb', 'cccc', 'dddd'].join('\n\n');
    expect(splitRecursive(text, { chunkSize: 12, chunkOverlap: 0 })).toEqual(['aaaa\n\nbbbb', 'cccc\n\ndddd']);
  });

  it('falls back to finer separators for a piece that is too long', () => {
    const text = `para one\n\n${'word '.repeat(10).trim()}`;
    const chunks = splitRecursive(text, { chunkSize: 20, chunkOverlap: 0 });
    expect(chunks[0]).toBe('para one');
    expect(chunks.slice(1).every((chunk) => chunk.length <= 20 && /^word( word)*$/.test(chunk))).toBe(true);
    expect(chunks.slice(1).join(' ').split(' ')).toHaveLength(10);
  });

  it('repeats the tail of a chunk at the start of the next, up to the overlap', () => {
    const chunks = splitRecursive(longParagraph, { chunkSize: 200, chunkOverlap: 50 });
    expect(chunks.length).toBeGreaterThan(5);
    for (let i = 0; i + 1 < chunks.length; i += 1) {
      expect(chunks[i].length).toBeLessThanOrEqual(200);
      const last = chunks[i].split('. ').pop() ?? '';
      expect(last).toMatch(/^Sentence number \d\d is here\.$/);
      expect(chunks[i + 1].startsWith(last)).toBe(true);
    }
  });

  it('does not overlap when the overlap is zero', () => {
    const chunks = splitRecursive(longParagraph, { chunkSize: 200, chunkOverlap: 0 });
    expect(chunks.join(' ')).toBe(longParagraph);
  });

  it('splits text without separators into character windows with the exact overlap', () => {
    const chunks = splitRecursive(han, { chunkSize: 50, chunkOverlap: 10 });
    expect(chunks).toEqual([han.slice(0, 50), han.slice(40, 90), han.slice(80, 130), han.slice(120, 170), han.slice(160, 200)]);
  });

  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(30);
    const chunks = splitRecursive(emoji, { chunkSize: 7, chunkOverlap: 0 });
    expect(chunks.every((chunk) => /^(😀)+$/u.test(chunk) && countCharacters(chunk) <= 7)).toBe(true);
    expect(chunks.join('')).toBe(emoji);
  });

  it('measures with the function given', () => {
    const text = 'one two three four five six seven eight nine ten';
    const byWords = splitRecursive(text, { chunkSize: 3, chunkOverlap: 0, measure: (t) => t.trim().split(/\s+/).filter(Boolean).length });
    expect(byWords[0]).toBe('one two three');
  });

  it('rejects a bad size or an overlap larger than the size', () => {
    expect(errorOf(() => splitRecursive('x', { chunkSize: 10, chunkOverlap: 11 })).message).toBe(
      'Got a larger chunk overlap (11) than chunk size (10), should be smaller.',
    );
    expect(errorOf(() => splitRecursive('x', { chunkSize: 0, chunkOverlap: 0 })).code).toBe('invalid_param');
    expect(() => splitRecursive('x', { chunkSize: 10, chunkOverlap: -1 })).toThrow(ProcessRuleError);
    expect(() => splitRecursive('x', { chunkSize: 1.5, chunkOverlap: 0 })).toThrow(ProcessRuleError);
  });
});

describe('splitOnSeparator', () => {
  it('keeps every piece between separators apart, however small', () => {
    expect(splitOnSeparator('a\nb\nc', '\n', { chunkSize: 100, chunkOverlap: 0 })).toEqual(['a', 'b', 'c']);
  });

  it('splits only the pieces longer than the chunk size', () => {
    const chunks = splitOnSeparator(`short***${longParagraph}`, '***', { chunkSize: 100, chunkOverlap: 0 });
    expect(chunks[0]).toBe('short');
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.slice(1).every((chunk) => chunk.length <= 100)).toBe(true);
  });

  it('keeps a piece of exactly the chunk size whole', () => {
    expect(splitOnSeparator('x'.repeat(50), '\n', { chunkSize: 50, chunkOverlap: 0 })).toEqual(['x'.repeat(50)]);
  });
});

describe('resolveProcessRule', () => {
  it('uses Dify’s automatic rules when there is no rule or the mode is automatic', () => {
    const expected = {
      mode: 'automatic',
      preProcessingRules: [
        { id: 'remove_extra_spaces', enabled: true },
        { id: 'remove_urls_emails', enabled: false },
      ],
      segmentation: { separator: '\n', max_tokens: 500, chunk_overlap: 50 },
    };
    expect(resolveProcessRule(undefined)).toEqual(expected);
    expect(resolveProcessRule(null)).toEqual(expected);
    expect(resolveProcessRule({ mode: 'automatic', rules: { segmentation: { max_tokens: 60 } } })).toEqual(expected);
  });

  it('fills separator and overlap defaults for custom rules', () => {
    expect(resolveProcessRule(custom({ max_tokens: 300 }))).toEqual({
      mode: 'custom',
      preProcessingRules: [],
      segmentation: { separator: '\n', max_tokens: 300, chunk_overlap: 0 },
    });
  });

  it('keeps the last of two pre-processing rules with the same id', () => {
    const rule = custom(
      { max_tokens: 300 },
      {
        pre_processing_rules: [
          { id: 'remove_urls_emails', enabled: true },
          { id: 'remove_urls_emails', enabled: false },
        ],
      },
    );
    expect(resolveProcessRule(rule).preProcessingRules).toEqual([{ id: 'remove_urls_emails', enabled: false }]);
  });

  it('resolves hierarchical rules with paragraph parents by default', () => {
    const rule = {
      mode: 'hierarchical',
      rules: {
        segmentation: { separator: '\\n\\n', max_tokens: 1000 },
        subchunk_segmentation: { separator: '\\n', max_tokens: 200, chunk_overlap: 20 },
      },
    } as ProcessRule;
    expect(resolveProcessRule(rule)).toEqual({
      mode: 'hierarchical',
      parentMode: 'paragraph',
      preProcessingRules: [],
      segmentation: { separator: '\\n\\n', max_tokens: 1000, chunk_overlap: 0 },
      subchunkSegmentation: { separator: '\\n', max_tokens: 200, chunk_overlap: 20 },
    });
  });

  it('does not need a parent segmentation for full-doc parents', () => {
    const rule = { mode: 'hierarchical', rules: { parent_mode: 'full-doc', subchunk_segmentation: { max_tokens: 100 } } } as ProcessRule;
    const resolved = resolveProcessRule(rule);
    expect(resolved.mode === 'hierarchical' && resolved.parentMode).toBe('full-doc');
  });

  it.each<[string, unknown, string]>([
    ['an unknown mode', { mode: 'magic', rules: {} }, 'Process rule mode is invalid'],
    ['custom without rules', { mode: 'custom' }, 'Process rule rules is required'],
    ['custom without segmentation', { mode: 'custom', rules: {} }, 'Process rule segmentation is required'],
    ['an empty separator', custom({ separator: '', max_tokens: 100 }), 'Process rule segmentation separator is required'],
    ['a separator that is not a string', custom({ separator: 5, max_tokens: 100 }), 'Process rule segmentation separator is invalid'],
    ['no max_tokens', custom({ separator: '\n' }), 'Process rule segmentation max_tokens is required'],
    ['a fractional max_tokens', custom({ max_tokens: 100.5 }), 'Process rule segmentation max_tokens is invalid'],
    ['a string max_tokens', custom({ max_tokens: '100' }), 'Process rule segmentation max_tokens is invalid'],
    ['max_tokens below 50', custom({ max_tokens: 49 }), 'Custom segment length should be between 50 and 4000.'],
    ['max_tokens above 4000', custom({ max_tokens: 4001 }), 'Custom segment length should be between 50 and 4000.'],
    ['a negative overlap', custom({ max_tokens: 100, chunk_overlap: -1 }), 'Process rule segmentation chunk_overlap is invalid'],
    [
      'an overlap above max_tokens',
      custom({ max_tokens: 100, chunk_overlap: 101 }),
      'Got a larger chunk overlap (101) than chunk size (100), should be smaller.',
    ],
    [
      'an unknown pre-processing rule',
      custom({ max_tokens: 100 }, { pre_processing_rules: [{ id: 'shout', enabled: true }] }),
      'Process rule pre_processing_rules id is invalid',
    ],
    [
      'a non-boolean enabled',
      custom({ max_tokens: 100 }, { pre_processing_rules: [{ id: 'remove_extra_spaces', enabled: 'yes' }] }),
      'Process rule pre_processing_rules enabled is invalid',
    ],
    [
      'pre-processing rules that are not a list',
      custom({ max_tokens: 100 }, { pre_processing_rules: {} }),
      'Process rule pre_processing_rules is invalid',
    ],
    [
      'hierarchical without subchunks',
      { mode: 'hierarchical', rules: { segmentation: { max_tokens: 500 } } },
      'No subchunk segmentation found in rules.',
    ],
    [
      'an unknown parent mode',
      { mode: 'hierarchical', rules: { parent_mode: 'chapter', subchunk_segmentation: { max_tokens: 100 } } },
      'Process rule parent_mode is invalid',
    ],
    [
      'subchunks too small',
      { mode: 'hierarchical', rules: { parent_mode: 'full-doc', subchunk_segmentation: { max_tokens: 10 } } },
      'Custom segment length should be between 50 and 4000.',
    ],
  ])('rejects %s', (_name, rule, message) => {
    const error = errorOf(() => resolveProcessRule(rule as ProcessRule));
    expect(error.message).toBe(message);
    expect(error.code).toBe('invalid_param');
  });

  it('takes the upper bound from the options', () => {
    expect(() => resolveProcessRule(custom({ max_tokens: 5000 }), { maxSegmentLength: 6000 })).not.toThrow();
    expect(errorOf(() => resolveProcessRule(custom({ max_tokens: 700 }), { maxSegmentLength: 600 })).message).toBe(
      'Custom segment length should be between 50 and 600.',
    );
  });
});

describe('splitDocument', () => {
  it('gives each segment its position, content, character count, token estimate and hash', () => {
    const result = splitDocument(
      'First line.\n\n\n\nSecond   line here.',
      custom({ separator: '\\n\\n', max_tokens: 100 }, { pre_processing_rules: [{ id: 'remove_extra_spaces', enabled: true }] }),
    );
    expect(result.segments).toEqual([
      {
        position: 1,
        content: 'First line.',
        wordCount: 11,
        tokens: estimateTokens('First line.'),
        indexNodeHash: contentHash('First line.'),
      },
      {
        position: 2,
        content: 'Second line here.',
        wordCount: 17,
        tokens: estimateTokens('Second line here.'),
        indexNodeHash: contentHash('Second line here.'),
      },
    ]);
    expect(result.docForm).toBe('text_model');
    expect(result.wordCount).toBe(28);
    expect(result.tokens).toBe(result.segments[0].tokens + result.segments[1].tokens);
  });

  it('uses the token counter and measure given', () => {
    const result = splitDocument('a b c', custom({ max_tokens: 100 }), { countTokens: () => 7 });
    expect(result.segments[0].tokens).toBe(7);
    const byTokens = splitDocument(longParagraph, custom({ separator: '###', max_tokens: 100 }), { measure: estimateTokens });
    const byCharacters = splitDocument(longParagraph, custom({ separator: '###', max_tokens: 100 }));
    expect(byTokens.segments.length).toBeLessThan(byCharacters.segments.length);
  });

  it('automatic mode cleans extra spaces, keeps URLs and merges paragraphs up to 500 characters', () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} talks about https://example.com/${i} and   more.`);
    const result = splitDocument(paragraphs.join('\n\n\n\n'), { mode: 'automatic' });
    expect(result.segments.length).toBeGreaterThan(1);
    expect(result.segments.every((segment) => segment.wordCount <= 500)).toBe(true);
    expect(result.segments[0].content).toContain('https://example.com/0 and more.');
    expect(result.segments[0].content).toContain('Paragraph 0 talks about https://example.com/0 and more.\n\nParagraph 1');
    for (let i = 0; i < 12; i += 1) expect(result.segments.some((segment) => segment.content.includes(`Paragraph ${i} talks`))).toBe(true);
    expect(result.segments.map((segment) => segment.position)).toEqual(result.segments.map((_, index) => index + 1));
  });

  it('automatic mode overlaps neighbouring segments by up to 50 characters', () => {
    const result = splitDocument(`${longParagraph} ${longParagraph}`, null);
    for (let i = 0; i + 1 < result.segments.length; i += 1) {
      const last = result.segments[i].content.split('. ').pop() ?? '';
      expect(result.segments[i + 1].content.startsWith(last)).toBe(true);
      expect(countCharacters(last)).toBeLessThanOrEqual(50);
    }
  });

  it('custom mode makes one segment per separator piece and removes URLs when asked', () => {
    const rule = custom({ separator: '\\n', max_tokens: 100 }, { pre_processing_rules: [{ id: 'remove_urls_emails', enabled: true }] });
    const result = splitDocument('alpha https://x.io\nbeta me@x.io\n\n\ngamma', rule);
    expect(result.segments.map((segment) => segment.content)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('custom mode strips separator residue from the start of a segment', () => {
    const result = splitDocument('one|. two|。three', custom({ separator: '|', max_tokens: 100 }));
    expect(result.segments.map((segment) => segment.content)).toEqual(['one', 'two', 'three']);
  });

  it('custom mode splits an over-long piece into overlapping windows', () => {
    const result = splitDocument(han, custom({ separator: '###', max_tokens: 50, chunk_overlap: 10 }));
    expect(result.segments.map((segment) => segment.content)).toEqual([
      han.slice(0, 50),
      han.slice(40, 90),
      han.slice(80, 130),
      han.slice(120, 170),
      han.slice(160, 200),
    ]);
  });

  it('drops empty and whitespace-only pieces and numbers the rest without gaps', () => {
    const result = splitDocument('a\n\n   \n\n\u0000\n\nb', custom({ separator: '\\n\\n', max_tokens: 100 }));
    expect(result.segments.map((segment) => [segment.position, segment.content])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(splitDocument('', null).segments).toEqual([]);
    expect(splitDocument(' \n\n\t ', null).segments).toEqual([]);
  });

  it('hierarchical paragraph mode cuts parents by the segmentation and children by the subchunk rule', () => {
    const rule = {
      mode: 'hierarchical',
      rules: {
        parent_mode: 'paragraph',
        segmentation: { separator: '\\n\\n', max_tokens: 500 },
        subchunk_segmentation: { separator: '\\n', max_tokens: 100 },
      },
    } as ProcessRule;
    const result = splitDocument('p1 line a\np1 line b\n\np2 only line', rule);
    expect(result.docForm).toBe('hierarchical_model');
    expect(result.segments.map((segment) => segment.content)).toEqual(['p1 line a\np1 line b', 'p2 only line']);
    expect(result.segments[0].childChunks).toEqual([
      { position: 1, content: 'p1 line a', wordCount: 9, tokens: estimateTokens('p1 line a'), indexNodeHash: contentHash('p1 line a') },
      { position: 2, content: 'p1 line b', wordCount: 9, tokens: estimateTokens('p1 line b'), indexNodeHash: contentHash('p1 line b') },
    ]);
    expect(result.segments[1].childChunks?.map((child) => [child.position, child.content])).toEqual([[1, 'p2 only line']]);
  });

  it('hierarchical full-doc mode makes the whole cleaned text the single parent', () => {
    const rule = {
      mode: 'hierarchical',
      rules: {
        parent_mode: 'full-doc',
        pre_processing_rules: [{ id: 'remove_extra_spaces', enabled: true }],
        subchunk_segmentation: { separator: '\\n', max_tokens: 100 },
      },
    } as ProcessRule;
    const result = splitDocument('  one   two\n\n\n\nthree\nfour  ', rule);
    expect(result.segments).toHaveLength(1);
    expect(result.segments[0].content).toBe('one two\n\nthree\nfour');
    expect(result.segments[0].childChunks?.map((child) => child.content)).toEqual(['one two', 'three', 'four']);
  });

  it('cuts a parent into the children a regeneration stores, numbered from 1 and trimmed of separator residue', () => {
    const children = splitChildChunks('Rye is dense.\n. Sourdough needs a starter.\n\n', {
      chunk_overlap: 0,
      max_tokens: 100,
      separator: '\\n',
    });
    expect(children.map((c) => [c.position, c.content, c.wordCount])).toEqual([
      [1, 'Rye is dense.', 13],
      [2, 'Sourdough needs a starter.', 26],
    ]);
  });

  it('gives the same segments for the same text and rule', () => {
    const rule = custom({ separator: '. ', max_tokens: 120, chunk_overlap: 20 });
    expect(splitDocument(longParagraph, rule)).toEqual(splitDocument(longParagraph, rule));
  });

  it('throws the rule error before touching the text', () => {
    expect(() => splitDocument('text', custom({ max_tokens: 10 }))).toThrow('Custom segment length should be between 50 and 4000.');
  });
});
