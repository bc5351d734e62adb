import { DomainError } from '@weft/contracts';

// The models `GET /v1/workspaces/current/models/model-types/{model_type}` lists, in the shape of Dify's
// ModelProviderService.get_models_by_model_type: per provider that can serve the type, its active models.
// A provider needs the workspace's stored credentials, except Weft's own offline models (the lexical
// embedder and the `weft-mock` chat model), which need none. OpenAI-compatible servers take any model
// name and Weft keeps no list of them, so they are not listed.

/** Dify's model types, by the names its API uses. */
export const MODEL_TYPES = ['llm', 'text-embedding', 'rerank', 'speech2text', 'moderation', 'tts'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

// Dify's ModelType.value_of also takes the older "origin" names.
const ORIGIN_NAMES: Record<string, ModelType> = {
  embeddings: 'text-embedding',
  reranking: 'rerank',
  'text-generation': 'llm',
};

/** The model type a path names (Dify's names or their older forms); anything else is Dify's ValueError. */
export function toModelType(name: string): ModelType {
  if ((MODEL_TYPES as readonly string[]).includes(name)) return name as ModelType;
  const origin = ORIGIN_NAMES[name];
  if (origin) return origin;
  throw new DomainError('invalid_param', `invalid origin model type ${name}`);
}

interface CatalogModel {
  model: string;
  properties: Record<string, unknown>;
  type: ModelType;
}

interface CatalogProvider {
  label: string;
  /** Usable without stored credentials. */
  builtIn: boolean;
  models: CatalogModel[];
  /** The name credentials are stored under; the listed name is Dify's plugin form for providers Dify has. */
  name: string;
  provider: string;
}

const llm = (model: string, contextSize: number): CatalogModel => ({
  model,
  properties: { context_size: contextSize, mode: 'chat' },
  type: 'llm',
});
const embedding = (model: string, contextSize: number, maxChunks: number): CatalogModel => ({
  model,
  properties: { context_size: contextSize, max_chunks: maxChunks },
  type: 'text-embedding',
});

/** The providers and models Weft can run, as listed (the same names the DSL and datasets use). */
const CATALOG: readonly CatalogProvider[] = [
  {
    builtIn: false,
    label: 'OpenAI',
    models: [
      llm('gpt-4.1', 1_047_576),
      llm('gpt-4.1-mini', 1_047_576),
      llm('gpt-4.1-nano', 1_047_576),
      llm('gpt-4o', 128_000),
      llm('gpt-4o-mini', 128_000),
      llm('o3-mini', 200_000),
      embedding('text-embedding-3-large', 8191, 32),
      embedding('text-embedding-3-small', 8191, 32),
      embedding('text-embedding-ada-002', 8097, 32),
    ],
    name: 'openai',
    provider: 'langgenius/openai/openai',
  },
  {
    builtIn: false,
    label: 'Anthropic',
    models: [
      llm('claude-opus-4-20250514', 200_000),
      llm('claude-sonnet-4-20250514', 200_000),
      llm('claude-3-7-sonnet-latest', 200_000),
      llm('claude-3-5-haiku-latest', 200_000),
    ],
    name: 'anthropic',
    provider: 'langgenius/anthropic/anthropic',
  },
  {
    builtIn: true,
    label: 'Weft (offline)',
    models: [embedding('offline-lexical-v1', 8192, 64)],
    name: 'weft',
    provider: 'weft',
  },
  {
    builtIn: true,
    label: 'Weft mock',
    models: [llm('weft-mock-chat', 8192)],
    name: 'weft-mock',
    provider: 'weft-mock',
  },
];

/** A label in Dify's I18nObject form. */
const i18n = (text: string) => ({ en_US: text, zh_Hans: text });

/** One provider with its models, as Dify's ProviderWithModelsResponse. */
export interface ProviderWithModels {
  icon_small: null;
  icon_small_dark: null;
  label: { en_US: string; zh_Hans: string };
  models: {
    deprecated: boolean;
    features: null;
    fetch_from: 'predefined-model';
    has_invalid_load_balancing_configs: boolean;
    label: { en_US: string; zh_Hans: string };
    load_balancing_enabled: boolean;
    model: string;
    model_properties: Record<string, unknown>;
    model_type: ModelType;
    status: 'active';
  }[];
  provider: string;
  status: 'active';
  tenant_id: string;
}

/**
 * The providers that serve `type` for a workspace with credentials stored for `configured` (short provider
 * names), each with its models of that type; providers without any are left out, as Dify leaves them out.
 */
export function availableModels(workspaceId: string, type: ModelType, configured: readonly string[]): ProviderWithModels[] {
  const stored = new Set(configured.map((p) => p.split('/').pop()!.trim().toLowerCase()));
  return CATALOG.filter((p) => p.builtIn || stored.has(p.name)).flatMap((p) => {
    const models = p.models.filter((m) => m.type === type);
    if (models.length === 0) return [];
    return [
      {
        icon_small: null,
        icon_small_dark: null,
        label: i18n(p.label),
        models: models.map((m) => ({
          deprecated: false,
          features: null,
          fetch_from: 'predefined-model' as const,
          has_invalid_load_balancing_configs: false,
          label: i18n(m.model),
          load_balancing_enabled: false,
          model: m.model,
          model_properties: m.properties,
          model_type: m.type,
          status: 'active' as const,
        })),
        provider: p.provider,
        status: 'active' as const,
        tenant_id: workspaceId,
      },
    ];
  });
}
