import type { PersistenceDefinition } from '@weft/persistence';
import { CreateKnowledge1764400000000 } from '../migrations/1764400000000-create-knowledge';
import { DatasetEntity, MetadataFieldEntity } from './datasets/dataset.entity';
import { DocumentEntity } from './documents/document.entity';
import { EmbeddingCacheEntity, SegmentEntity } from './segments/segment.entity';

/** The rag service's data, in the "rag" schema: datasets, documents, segments with their vectors, the embedding cache. */
export const ragDatabase: PersistenceDefinition = {
  schema: 'rag',
  entities: [DatasetEntity, DocumentEntity, SegmentEntity, EmbeddingCacheEntity, MetadataFieldEntity],
  migrations: [CreateKnowledge1764400000000],
};
