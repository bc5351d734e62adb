import { Injectable } from '@nestjs/common';
import { encodeVector, type RequestOf, type ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { EmbeddingService } from './embedding.service';

/**
 * NATS surface of the embedding models, for services that keep vectors of their own (the orchestrator's
 * annotation questions): texts in, vectors out, nothing stored here but the shared embedding cache.
 */
@Injectable()
export class EmbeddingHandler {
  constructor(private readonly embeddings: EmbeddingService) {}

  @OnRequest('kb.embed.v1')
  async embed(req: RequestOf<'kb.embed.v1'>): Promise<ResponseOf<'kb.embed.v1'>> {
    const model = { model: req.model, provider: req.provider };
    const vectors = await this.embeddings.embed(req.workspaceId, model, req.texts);
    return { modelKey: this.embeddings.modelKey(model), vectors: vectors.map(encodeVector) };
  }
}
