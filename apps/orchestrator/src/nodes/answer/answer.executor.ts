import { renderTemplate, type AnswerNodeData, type GraphNode, type VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeExecutor } from '../node-executor.types';

/** The answer node: renders its `{{#node.var#}}` template. */
export class AnswerExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    const data = node.data as unknown as AnswerNodeData;
    return { inputs: {}, outputs: { answer: renderTemplate(data.answer, pool), files: [] }, status: 'succeeded' };
  }
}
