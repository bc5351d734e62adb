import { Injectable } from '@nestjs/common';
import { decodeVector } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { embeddingBatches, vectorLiteral } from './annotation.util';

/** The embedding model an app's annotation reply uses, by Dify's provider and model names. */
export interface EmbeddingModelName {
  model: string;
  provider: string;
}

// One request stays well under the bus's payload limit both ways: 32 vectors of 3,072 float32 are 512 KB in base64.
const BATCH = { maxChars: 200_000, maxTexts: 32 };
const EMBED_TIMEOUT_MS = 60_000;

/**
 * Embeddings of annotation questions and chat queries, asked of the rag service (`kb.embed.v1`), which holds the
 * embedding providers and the workspace's credentials. Vectors come back as pgvector literals.
 */
@Injectable()
export class AnnotationEmbeddingRepository {
  constructor(private readonly bus: MessageBus) {}

  /** The vector space a model's embeddings are in, without embedding anything. */
  async modelKey(workspaceId: string, model: EmbeddingModelName): Promise<string> {
    return (await this.bus.request('kb.embed.v1', { ...model, texts: [], workspaceId }, { timeoutMs: EMBED_TIMEOUT_MS })).modelKey;
  }

  /** The embeddings of `texts` in order, batched for the bus, with the model's vector space. */
  async embed(
    workspaceId: string,
    model: EmbeddingModelName,
    texts: readonly string[],
    timeoutMs = EMBED_TIMEOUT_MS,
  ): Promise<{ modelKey: string; vectors: string[] }> {
    const vectors = new Array<string>(texts.length);
    let modelKey = '';
    for (const batch of embeddingBatches(texts, BATCH)) {
      const answer = await this.bus.request('kb.embed.v1', { ...model, texts: batch.map((i) => texts[i]!), workspaceId }, { timeoutMs });
      if (answer.vectors.length !== batch.length)
        throw new Error(`Embedding answered ${answer.vectors.length} vectors for ${batch.length} texts`);
      batch.forEach((index, j) => (vectors[index] = vectorLiteral(decodeVector(answer.vectors[j]!))));
      modelKey = answer.modelKey;
    }
    return { modelKey, vectors };
  }
}
