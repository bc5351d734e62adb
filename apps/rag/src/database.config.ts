import { auditOutboxMigration } from '@weft/audit';
import type { PersistenceDefinition } from '@weft/persistence';
import { CreateKnowledge1764400000000 } from '../migrations/1764400000000-create-knowledge';
import { CreateChildChunks1764540000000 } from '../migrations/1764540000000-create-child-chunks';
import { HalfvecVectorIndexes1764600000000 } from '../migrations/1764600000000-halfvec-vector-indexes';
import { CreateTagsAndUploader1764910000000 } from '../migrations/1764910000000-create-tags-and-uploader';
import { DatasetEntity, MetadataFieldEntity } from './datasets/dataset.entity';
import { DocumentEntity } from './documents/document.entity';
import { ChildChunkEntity } from './segments/child-chunk.entity';
import { EmbeddingCacheEntity, SegmentEntity } from './segments/segment.entity';
import { TagBindingEntity, TagEntity } from './tags/tag.entity';

/**
 * The rag service's data, in the "rag" schema: datasets, documents, segments and child chunks with their
 * vectors, the embedding cache, knowledge tags and their bindings.
 */
export const ragDatabase: PersistenceDefinition = {
  schema: 'rag',
  entities: [
    DatasetEntity,
    DocumentEntity,
    SegmentEntity,
    ChildChunkEntity,
    EmbeddingCacheEntity,
    MetadataFieldEntity,
    TagBindingEntity,
    TagEntity,
  ],
  migrations: [
    CreateKnowledge1764400000000,
    CreateChildChunks1764540000000,
    HalfvecVectorIndexes1764600000000,
    CreateTagsAndUploader1764910000000,
    auditOutboxMigration('rag'),
  ],
};
