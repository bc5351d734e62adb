import { MAX_QUERY_TERMS, toFullTextDocument, toFullTextQuery } from './full-text.util';

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
