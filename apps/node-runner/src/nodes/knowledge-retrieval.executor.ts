import type { NodeJob } from '@weft/contracts';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeRunOutcome, type RemoteNodeExecutor } from './node-executor.types';

/**
 * The knowledge-retrieval node. Retrieval belongs to the rag service, which does not answer retrieval
 * requests yet, so until it does this node checks its query as Dify does and answers an empty `result`:
 * an honest "nothing found", never invented segments. Replace the empty answer with a `rag.retrieve`
 * request once that contract exists.
 */
export class KnowledgeRetrievalExecutor implements RemoteNodeExecutor {
  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeRunOutcome> {
    const selector = asSelector(job.data['query_variable_selector']);
    const query = selector ? ctx.pool.get(selector) : undefined;
    if (query !== undefined && query !== null && typeof query !== 'string') {
      return failed('KnowledgeRetrievalNodeError', 'Query variable is not string type.', { inputs: { query } });
    }
    const inputs = { query: query ?? '' };
    if (!query) return failed('KnowledgeRetrievalNodeError', 'Query is required.', { inputs });
    return succeeded({ inputs, outputs: { result: [] } });
  }
}
