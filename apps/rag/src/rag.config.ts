import type { ConfigOf, ragConfigSpec } from '@weft/config';

/** The rag service's config, as providers inject it. */
export type RagConfig = ConfigOf<typeof ragConfigSpec>;
export const RAG_CONFIG = Symbol('RAG_CONFIG');
