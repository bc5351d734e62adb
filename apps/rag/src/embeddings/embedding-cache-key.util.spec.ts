import { embeddingCacheKey, embeddingModelKey } from './embedding-cache-key.util';

const sha256OfAbc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('embeddingModelKey', () => {
  it('joins provider and model, with the dimension when there is one', () => {
    expect(embeddingModelKey({ provider: 'openai', model: 'text-embedding-3-small' })).toBe('openai/text-embedding-3-small');
    expect(embeddingModelKey({ provider: 'weft', model: 'offline-lexical-v1', dimension: 512 })).toBe('weft/offline-lexical-v1@512');
    expect(embeddingModelKey({ provider: 'langgenius/openai/openai', model: 'm', dimension: null })).toBe('langgenius/openai/openai/m');
  });

  it.each([
    [{ provider: '', model: 'm' }, 'Invalid embedding provider name: ""'],
    [{ provider: 'p', model: '' }, 'Invalid embedding model name: ""'],
    [{ provider: 'open ai', model: 'm' }, 'Invalid embedding provider name: "open ai"'],
    [{ provider: 'p', model: 'm\n' }, 'Invalid embedding model name: "m\\n"'],
    [{ provider: 'p', model: 'm', dimension: 0 }, 'Invalid embedding dimension: 0'],
    [{ provider: 'p', model: 'm', dimension: 1.5 }, 'Invalid embedding dimension: 1.5'],
  ])('rejects %j', (ref, message) => {
    expect(() => embeddingModelKey(ref)).toThrow(message);
  });
});

describe('embeddingCacheKey', () => {
  it('is the model key and the sha256 of the exact text', () => {
    expect(embeddingCacheKey({ provider: 'openai', model: 'text-embedding-3-small' }, 'abc')).toEqual({
      contentHash: sha256OfAbc,
      key: `openai/text-embedding-3-small:${sha256OfAbc}`,
      modelKey: 'openai/text-embedding-3-small',
    });
  });

  it('changes with the text, including whitespace', () => {
    const ref = { provider: 'p', model: 'm' };
    expect(embeddingCacheKey(ref, 'abc').key).not.toBe(embeddingCacheKey(ref, 'abc ').key);
    expect(embeddingCacheKey(ref, 'abc').key).not.toBe(embeddingCacheKey(ref, 'ABC').key);
  });

  it('changes with the model and the dimension', () => {
    const a = embeddingCacheKey({ provider: 'p', model: 'm', dimension: 256 }, 'abc').key;
    expect(embeddingCacheKey({ provider: 'p', model: 'm', dimension: 512 }, 'abc').key).not.toBe(a);
    expect(embeddingCacheKey({ provider: 'p', model: 'n', dimension: 256 }, 'abc').key).not.toBe(a);
    expect(embeddingCacheKey({ provider: 'q', model: 'm', dimension: 256 }, 'abc').key).not.toBe(a);
  });

  it('splits back at the last colon even when the model name has colons', () => {
    const { key, modelKey, contentHash } = embeddingCacheKey(
      { provider: 'openai_api_compatible:ollama:11434', model: 'nomic-embed-text:v1.5' },
      'abc',
    );
    const at = key.lastIndexOf(':');
    expect([key.slice(0, at), key.slice(at + 1)]).toEqual([modelKey, contentHash]);
  });
});
