import { DomainError } from '@weft/contracts';
import { availableModels, toModelType } from './model-catalog.util';

const WS = '6a1f0f7e-3b0c-4a8e-9d51-7f3c2b1a0e99';
const names = (providers: ReturnType<typeof availableModels>) => providers.map((p) => [p.provider, p.models.map((m) => m.model)]);

describe('model catalog', () => {
  it("reads Dify's model type names and their older origin names", () => {
    expect(toModelType('text-embedding')).toBe('text-embedding');
    expect(toModelType('embeddings')).toBe('text-embedding');
    expect(toModelType('reranking')).toBe('rerank');
    expect(toModelType('text-generation')).toBe('llm');
    for (const name of ['llm', 'rerank', 'tts', 'speech2text', 'moderation']) expect(toModelType(name)).toBe(name);
  });

  it("refuses another type with Dify's ValueError message, as a 400", () => {
    for (const bad of ['text2img', 'LLM', 'embedding', '']) {
      let thrown: unknown;
      try {
        toModelType(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code: 'invalid_param', message: `invalid origin model type ${bad}` });
    }
  });

  it('lists only the built-in offline models when the workspace has configured no provider', () => {
    expect(names(availableModels(WS, 'text-embedding', []))).toEqual([['weft', ['offline-lexical-v1']]]);
    expect(names(availableModels(WS, 'llm', []))).toEqual([['weft-mock', ['weft-mock-chat']]]);
    expect(availableModels(WS, 'rerank', [])).toEqual([]);
    expect(availableModels(WS, 'tts', ['openai', 'anthropic'])).toEqual([]);
  });

  it("adds a configured provider's models of the type, under Dify's plugin name, whatever form the credentials were stored under", () => {
    expect(names(availableModels(WS, 'text-embedding', ['openai']))).toEqual([
      ['langgenius/openai/openai', ['text-embedding-3-large', 'text-embedding-3-small', 'text-embedding-ada-002']],
      ['weft', ['offline-lexical-v1']],
    ]);
    const llms = names(availableModels(WS, 'llm', ['langgenius/anthropic/anthropic', 'openai_api_compatible']));
    expect(llms.map(([provider]) => provider)).toEqual(['langgenius/anthropic/anthropic', 'weft-mock']);
    // Anthropic has no embedding models: a provider without models of the type is left out.
    expect(names(availableModels(WS, 'text-embedding', ['anthropic']))).toEqual([['weft', ['offline-lexical-v1']]]);
  });

  it("answers in Dify's ProviderWithModelsResponse shape", () => {
    const [openai] = availableModels(WS, 'text-embedding', ['openai']);
    expect(openai).toEqual({
      icon_small: null,
      icon_small_dark: null,
      label: { en_US: 'OpenAI', zh_Hans: 'OpenAI' },
      models: expect.any(Array),
      provider: 'langgenius/openai/openai',
      status: 'active',
      tenant_id: WS,
    });
    expect(openai!.models[1]).toEqual({
      deprecated: false,
      features: null,
      fetch_from: 'predefined-model',
      has_invalid_load_balancing_configs: false,
      label: { en_US: 'text-embedding-3-small', zh_Hans: 'text-embedding-3-small' },
      load_balancing_enabled: false,
      model: 'text-embedding-3-small',
      model_properties: { context_size: 8191, max_chunks: 32 },
      model_type: 'text-embedding',
      status: 'active',
    });
  });
});
