import {
  MAX_QUERY_TERMS,
  frequentTermsFromStats,
  searchFullText,
  toDiscriminatingQuery,
  toFullTextDocument,
  toFullTextQuery,
} from './full-text.util';

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

describe('searchFullText', () => {
  /** A search whose every step returns `counts[i]` hits, recording what it was asked. */
  function steps(counts: number[]) {
    const calls: [string, string][] = [];
    let asked = 0;
    return {
      calls,
      frequent: async () => {
        asked += 1;
        return new Set(['the', 'of']);
      },
      get asked() {
        return asked;
      },
      ranked: async (rank: string, match: string) => {
        calls.push([rank, match]);
        return Array.from({ length: counts[calls.length - 1] ?? 0 }, (_, i) => i);
      },
    };
  }

  it('answers with the rows holding every term when they are enough, without reading the frequent terms', async () => {
    const s = steps([3]);
    expect(await searchFullText('the warp of the loom', 3, s.frequent, s.ranked)).toEqual({ hits: [0, 1, 2], step: 'all' });
    expect(s.calls).toEqual([["'the' & 'warp' & 'of' & 'loom'", "'the' & 'warp' & 'of' & 'loom'"]]);
    expect(s.asked).toBe(0);
  });

  it('then ranks by every term among the rows holding a discriminating one', async () => {
    const s = steps([1, 3]);
    expect(await searchFullText('the warp of the loom', 3, s.frequent, s.ranked)).toEqual({ hits: [0, 1, 2], step: 'discriminating' });
    expect(s.calls[1]).toEqual(["'the' | 'warp' | 'of' | 'loom'", "'warp' | 'loom'"]);
  });

  it('then among the rows holding any term, when the discriminating ones are too few or there are none', async () => {
    const short = steps([0, 2, 3]);
    expect(await searchFullText('the warp of the loom', 3, short.frequent, short.ranked)).toEqual({ hits: [0, 1, 2], step: 'any' });
    expect(short.calls[2]).toEqual(["'the' | 'warp' | 'of' | 'loom'", "'the' | 'warp' | 'of' | 'loom'"]);
    const common = steps([0, 3]);
    expect((await searchFullText('the of', 3, common.frequent, common.ranked)).step).toBe('any');
    expect(common.calls).toEqual([
      ["'the' & 'of'", "'the' & 'of'"],
      ["'the' | 'of'", "'the' | 'of'"],
    ]);
  });

  it('searches once for a single term, and not at all for a query without words', async () => {
    const one = steps([1]);
    expect(await searchFullText('loom', 3, one.frequent, one.ranked)).toEqual({ hits: [0], step: 'all' });
    expect(one.calls).toHaveLength(1);
    const none = steps([]);
    expect(await searchFullText('?!', 3, none.frequent, none.ranked)).toEqual({ hits: [], step: null });
    expect(none.calls).toHaveLength(0);
  });
});
