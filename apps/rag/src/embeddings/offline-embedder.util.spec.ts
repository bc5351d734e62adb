import {
  createOfflineEmbedder,
  embedOffline,
  extractLexicalFeatures,
  normalizeForEmbedding,
  OFFLINE_EMBEDDING_DEFAULT_DIMENSION,
  OFFLINE_EMBEDDING_MODEL,
  OFFLINE_EMBEDDING_PROVIDER,
} from './offline-embedder.util';
import { cosineSimilarity } from './vector.util';

function norm(vector: readonly number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

function similarity(a: string, b: string): number {
  return cosineSimilarity(embedOffline(a), embedOffline(b));
}

// A deterministic pseudo-random vocabulary, so the statistical checks below never flake.
function pseudoRandomWords(count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  return Array.from({ length: count }, () => {
    const length = 3 + (next() % 7);
    return Array.from({ length }, () => String.fromCharCode(97 + (next() % 26))).join('');
  });
}

describe('extractLexicalFeatures', () => {
  it('counts word unigrams, adjacent bigrams and padded character trigrams', () => {
    const features = extractLexicalFeatures('Hello, hello world!');
    expect(Object.fromEntries(features.words)).toEqual({ hello: 2, world: 1 });
    expect(Object.fromEntries(features.bigrams)).toEqual({ 'hello hello': 1, 'hello world': 1 });
    expect(features.trigrams.get('<he')).toBe(2);
    expect(features.trigrams.get('lo>')).toBe(2);
    expect(features.trigrams.get('ld>')).toBe(1);
    expect(features.trigrams.has('o, ')).toBe(false);
  });

  it('makes every CJK character a token and keeps trigrams of the run', () => {
    const features = extractLexicalFeatures('知识库');
    expect([...features.words.keys()]).toEqual(['知', '识', '库']);
    expect([...features.bigrams.keys()]).toEqual(['知 识', '识 库']);
    expect([...features.trigrams.keys()]).toEqual(['<知识', '知识库', '识库>']);
  });

  it('separates scripts inside one run', () => {
    expect([...extractLexicalFeatures('GPT4模型').words.keys()]).toEqual(['gpt4', '模', '型']);
  });

  it('normalizes with NFKC and lower case first', () => {
    expect(normalizeForEmbedding('ＡＢＣ ﬁle Ⅻ')).toBe('abc file xii');
    expect(extractLexicalFeatures('ＨＥＬＬＯ').words.get('hello')).toBe(1);
  });

  it('finds nothing in text without letters or digits', () => {
    const features = extractLexicalFeatures('  ... ?! ');
    expect(features.words.size + features.bigrams.size + features.trigrams.size).toBe(0);
  });
});

describe('embedOffline', () => {
  it('returns a unit vector of the default dimension', () => {
    const vector = embedOffline('Retrieval augmented generation with pgvector');
    expect(vector).toHaveLength(OFFLINE_EMBEDDING_DEFAULT_DIMENSION);
    expect(OFFLINE_EMBEDDING_DEFAULT_DIMENSION).toBe(512);
    expect(norm(vector)).toBeCloseTo(1, 10);
  });

  it('gives the same vector for the same text', () => {
    expect(embedOffline('same text, same vector')).toEqual(embedOffline('same text, same vector'));
  });

  it('ignores case, width and punctuation differences', () => {
    expect(embedOffline('ＨＥＬＬＯ, Ｗｏｒｌｄ!')).toEqual(embedOffline('hello world'));
  });

  it('scores texts that share words above unrelated texts', () => {
    const related = similarity('the cat sat on the mat', 'a cat sat on a mat');
    const unrelated = similarity('the cat sat on the mat', 'quarterly revenue grew by ten percent');
    expect(related).toBeGreaterThan(0.5);
    expect(unrelated).toBeLessThan(0.15);
  });

  it('scores shared word stems through character trigrams', () => {
    expect(similarity('retrieval', 'retrieve')).toBeGreaterThan(similarity('retrieval', 'banana') + 0.2);
  });

  it('tells word order apart through bigrams', () => {
    const swapped = similarity('dog bites man', 'man bites dog');
    expect(swapped).toBeLessThan(0.999);
    expect(swapped).toBeGreaterThan(0.6);
  });

  it('matches CJK text by its characters', () => {
    const query = '知识库检索增强生成';
    expect(similarity(query, '知识库检索')).toBeGreaterThan(0.5);
    expect(similarity(query, '今天天气很好')).toBeLessThan(0.15);
    expect(similarity('ナレッジベースを検索する', 'ナレッジベース')).toBeGreaterThan(similarity('ナレッジベースを検索する', '天気'));
  });

  it('gives empty and symbol-only texts one shared unit vector instead of zeros', () => {
    const empty = embedOffline('');
    expect(norm(empty)).toBeCloseTo(1, 10);
    expect(empty.every(Number.isFinite)).toBe(true);
    expect(embedOffline('  ?! ')).toEqual(empty);
    expect(Math.abs(cosineSimilarity(empty, embedOffline('real words here')))).toBeLessThan(0.2);
  });

  it('keeps unrelated texts near orthogonal despite hash collisions', () => {
    const words = pseudoRandomWords(1000, 7);
    const texts = Array.from({ length: 40 }, (_, i) => words.slice(i * 25, i * 25 + 25).join(' '));
    const vectors = texts.map((text) => embedOffline(text));
    let total = 0;
    let pairs = 0;
    for (let i = 0; i < vectors.length; i += 1) {
      for (let j = i + 1; j < vectors.length; j += 1) {
        total += Math.abs(cosineSimilarity(vectors[i], vectors[j]));
        pairs += 1;
      }
    }
    expect(total / pairs).toBeLessThan(0.08);
  });

  it('ranks the document a query was taken from first', () => {
    const words = pseudoRandomWords(600, 11);
    const documents = Array.from({ length: 20 }, (_, i) => words.slice(i * 30, i * 30 + 30).join(' '));
    const vectors = documents.map((document) => embedOffline(document));
    for (const target of [0, 7, 19]) {
      const query = embedOffline(words.slice(target * 30 + 5, target * 30 + 10).join(' '));
      const scores = vectors.map((vector) => cosineSimilarity(query, vector));
      expect(scores.indexOf(Math.max(...scores))).toBe(target);
    }
  });

  it('takes the dimension from the options', () => {
    const vector = embedOffline('dimension check', { dimension: 1024 });
    expect(vector).toHaveLength(1024);
    expect(norm(vector)).toBeCloseTo(1, 10);
  });

  it.each([0, 10, 63, 2001, 100.5, Number.NaN])('rejects dimension %p', (dimension) => {
    expect(() => embedOffline('x', { dimension })).toThrow(RangeError);
  });

  it('uses a corpus IDF where one is given', () => {
    const a = 'common words everywhere alpha';
    const b = 'common words everywhere beta';
    const idf = (feature: string) =>
      feature.includes('common') || feature.includes('words') || feature.includes('everywhere') ? 0 : undefined;
    const withCorpus = cosineSimilarity(
      embedOffline(a, { inverseDocumentFrequency: idf }),
      embedOffline(b, { inverseDocumentFrequency: idf }),
    );
    expect(withCorpus).toBeLessThan(similarity(a, b) - 0.2);
  });

  it('falls back to the empty-text vector when a corpus IDF zeroes every feature', () => {
    expect(embedOffline('x', { inverseDocumentFrequency: () => 0 })).toHaveLength(512);
    expect(norm(embedOffline('only the', { inverseDocumentFrequency: () => 0 }))).toBeCloseTo(1, 10);
  });
});

describe('createOfflineEmbedder', () => {
  it('binds the dimension and names the provider and model', () => {
    const embedder = createOfflineEmbedder({ dimension: 256 });
    expect(embedder.provider).toBe(OFFLINE_EMBEDDING_PROVIDER);
    expect(embedder.model).toBe(OFFLINE_EMBEDDING_MODEL);
    expect(embedder.dimension).toBe(256);
    expect(embedder.embed('abc')).toEqual(embedOffline('abc', { dimension: 256 }));
    expect(embedder.embedMany(['a', 'b'])).toEqual([embedOffline('a', { dimension: 256 }), embedOffline('b', { dimension: 256 })]);
  });

  it('rejects a bad dimension when created', () => {
    expect(() => createOfflineEmbedder({ dimension: 5000 })).toThrow(RangeError);
  });
});
