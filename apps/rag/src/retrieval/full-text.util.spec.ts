import { MAX_QUERY_TERMS, frequentTermsFromStats, toDiscriminatingQuery, toFullTextDocument, toFullTextQuery } from './full-text.util';

describe('toFullTextDocument', () => {
  it('lower-cases, normalizes and keeps only words', () => {
    expect(toFullTextDocument('Hello, ＷＯＲＬＤ! GPT-4o costs $5.')).toBe('hello world gpt 4o costs 5');
  });

  it('lists CJK characters and their adjacent pairs', () => {
    expect(toFullTextDocument('知识库')).toBe('知 识 库 知识 识库');
    expect(toFullTextDocument('用 RAG 检索')).toBe('用 rag 检 索 检索');
  });

  it('gives an empty string for text without words', () => {
    expect(toFullTextDocument(' -- !! ')).toBe('');
  });
});

describe('toFullTextQuery', () => {
  it('ORs distinct quoted terms by default', () => {
    expect(toFullTextQuery('Reset my password, reset it')).toBe("'reset' | 'my' | 'password' | 'it'");
  });

  it('ANDs the terms when every term must match', () => {
    expect(toFullTextQuery('reset password', 'all')).toBe("'reset' & 'password'");
  });

  it('looks CJK up by character pairs, and by the character when it stands alone', () => {
    expect(toFullTextQuery('知识库检索')).toBe("'知识' | '识库' | '库检' | '检索'");
    expect(toFullTextQuery('库')).toBe("'库'");
  });

  it('finds every query pair among the indexed words of a text that contains the query', () => {
    const indexed = new Set(toFullTextDocument('我们的知识库检索很快').split(' '));
    const terms = (toFullTextQuery('知识库检索') ?? '').split(' | ').map((term) => term.slice(1, -1));
    expect(terms.every((term) => indexed.has(term))).toBe(true);
  });

  it('cannot be steered into tsquery syntax', () => {
    expect(toFullTextQuery("a' | !b & (c) <-> d:* \\")).toBe("'a' | 'b' | 'c' | 'd'");
  });

  it('is null when the query has no words', () => {
    expect(toFullTextQuery('')).toBeNull();
    expect(toFullTextQuery(' ?! ')).toBeNull();
  });

  it('keeps at most MAX_QUERY_TERMS terms', () => {
    const query = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    expect(toFullTextQuery(query)?.split(' | ')).toHaveLength(MAX_QUERY_TERMS);
  });
});

describe('frequentTermsFromStats', () => {
  it('keeps the elements held by at least the given share of rows, ignoring the summary values at the end', () => {
    const frequent = frequentTermsFromStats(['the', 'loom', 'of', 'warp'], [0.9, 0.01, 0.3, 0.049, 0.01, 0.9, 0], 0.05);
    expect([...frequent].sort()).toEqual(['of', 'the']);
  });

  it('knows no frequent term without statistics (a table not analyzed yet)', () => {
    expect(frequentTermsFromStats(null, null).size).toBe(0);
    expect(frequentTermsFromStats(['the'], undefined).size).toBe(0);
  });
});

describe('toDiscriminatingQuery', () => {
  it('ORs the terms that are not frequent', () => {
    expect(toDiscriminatingQuery('the warp of the loom', new Set(['the', 'of']))).toBe("'warp' | 'loom'");
  });

  it('is null when every term is frequent or none is, so the caller keeps the whole query', () => {
    expect(toDiscriminatingQuery('the of', new Set(['the', 'of']))).toBeNull();
    expect(toDiscriminatingQuery('warp loom', new Set(['the']))).toBeNull();
    expect(toDiscriminatingQuery('', new Set(['the']))).toBeNull();
  });
});
