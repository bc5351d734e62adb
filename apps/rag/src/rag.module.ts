import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, ragConfigSpec } from '@weft/config';
import { makeCounterProvider } from '@weft/metrics';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { createSsrfGuard, parseAllowedHosts } from '@weft/outbound-http';
import { createFileStorage, storageSettingsFromConfig } from '@weft/storage';
import { ragDatabase } from './database.config';
import { RAG_CONFIG } from './rag.config';
import { DatasetHandler } from './datasets/dataset.handler';
import { DatasetRepository } from './datasets/dataset.repository';
import { DatasetService } from './datasets/dataset.service';
import { DOCUMENT_FILE_STORAGE } from './documents/document-file.config';
import { DocumentHandler } from './documents/document.handler';
import { DocumentRepository } from './documents/document.repository';
import { DocumentService } from './documents/document.service';
import { IngestionHandler } from './documents/ingestion.handler';
import { IngestionService } from './documents/ingestion.service';
import { EmbeddingService, PROVIDER_GUARD } from './embeddings/embedding.service';
import { ProviderCredentialsService } from './embeddings/provider-credentials.service';
import { PrivacyHandler } from './privacy/privacy.handler';
import { PrivacyRepository } from './privacy/privacy.repository';
import { FrequentTermsService } from './retrieval/frequent-terms.service';
import { RerankerService } from './retrieval/reranker.service';
import { RetrievalCache } from './retrieval/retrieval-cache.service';
import { RetrievalHandler } from './retrieval/retrieval.handler';
import { RetrievalService } from './retrieval/retrieval.service';
import { ChildChunkHandler } from './segments/child-chunk.handler';
import { ChildChunkService } from './segments/child-chunk.service';
import { DatasetVectorIndexService } from './segments/dataset-vector-index.service';
import { SegmentHandler } from './segments/segment.handler';
import { SegmentService } from './segments/segment.service';
import { TagHandler } from './tags/tag.handler';
import { TagRepository } from './tags/tag.repository';
import { TagService } from './tags/tag.service';

/** Knowledge: datasets, durable ingestion, embeddings and hybrid retrieval over pgvector and full text. */
@Module({})
export class RagModule {
  static forRoot(config: ConfigOf<typeof ragConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: RagModule,
      imports: [PlatformModule.forRoot({ identity, config, persistence: ragDatabase })],
      providers: [
        makeCounterProvider({ name: 'weft_ingestion_documents_total', help: 'Documents indexed, by outcome', labelNames: ['status'] }),
        makeCounterProvider({ name: 'weft_ingestion_segments_total', help: 'Segments written by indexing' }),
        { provide: RAG_CONFIG, useValue: config },
        {
          provide: PROVIDER_GUARD,
          useValue: createSsrfGuard({ allowedHosts: parseAllowedHosts(config.providers.allowedHosts), setting: 'PROVIDER_ALLOWED_HOSTS' }),
        },
        { provide: DOCUMENT_FILE_STORAGE, useValue: createFileStorage(storageSettingsFromConfig(config.storage)) },
        ChildChunkHandler,
        ChildChunkService,
        DatasetHandler,
        DatasetRepository,
        DatasetService,
        DatasetVectorIndexService,
        DocumentHandler,
        DocumentRepository,
        DocumentService,
        EmbeddingService,
        FrequentTermsService,
        IngestionHandler,
        IngestionService,
        PrivacyHandler,
        PrivacyRepository,
        ProviderCredentialsService,
        RerankerService,
        RetrievalCache,
        RetrievalHandler,
        RetrievalService,
        SegmentHandler,
        SegmentService,
        TagHandler,
        TagRepository,
        TagService,
      ],
    };
  }
}
