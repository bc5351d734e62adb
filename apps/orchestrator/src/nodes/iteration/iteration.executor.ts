import type { GraphNode, IterationNodeData, VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeContext } from '../../engine/engine.types';
import { asSelector, failedOutcome, type NodeExecutor } from '../node-executor.types';

type ErrorMode = 'terminated' | 'continue-on-error' | 'remove-abnormal-output';
const REMOVED = Symbol('removed');

/**
 * The iteration node: runs its body once per item of an array, sequentially or `parallel_nums` at a
 * time, with Dify's error modes; `output` keeps item order whatever order rounds finish in, and is
 * flattened one level when every round produced an array (`flatten_output`, default true).
 */
export class IterationExecutor implements NodeExecutor {
  async execute(node: GraphNode, pool: VariablePool, ctx: NodeContext): Promise<NodeOutcome> {
    const data = node.data as unknown as IterationNodeData & Record<string, unknown>;
    const items = pool.get(asSelector(data.iterator_selector));
    const inputs = { iterator_selector: items ?? null };
    if (!Array.isArray(items))
      return failedOutcome(new Error(`Invalid iterator value: ${JSON.stringify(items ?? null)}, please provide a list.`), inputs);
    const container = ctx.graph.containers[node.id];
    if (!container) return failedOutcome(new Error(`Iteration "${node.id}" has no body`), inputs);
    const mode = (data['error_handle_mode'] as ErrorMode | undefined) ?? 'terminated';
    const parallel = data['is_parallel'] === true;
    const width = parallel ? Math.max(1, Number(data['parallel_nums'] ?? 10)) : 1;
    const started = Date.now();
    ctx.emit('iteration_started', {
      created_at: Math.floor(started / 1000),
      extras: {},
      id: ctx.executionId,
      inputs,
      metadata: { iterator_length: items.length },
      node_id: node.id,
      node_type: 'iteration',
      title: node.title,
    });
    const results: unknown[] = new Array<unknown>(items.length);
    const nodeIds = new Set(container.childIds);
    let failure: string | null = null;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (failure === null && next < items.length && !ctx.signal.aborted) {
        const index = next++;
        const child = pool.createChildScope(node.id, { index, item: items[index] as unknown });
        const end = await ctx.runBody(
          { container: { id: node.id, index, kind: 'iteration' }, nodeIds, startNodeId: container.startNodeId },
          child,
        );
        if (end.kind === 'completed') {
          results[index] = child.get(asSelector(data.output_selector)) ?? null;
        } else if (end.kind === 'failed') {
          if (mode === 'continue-on-error') results[index] = null;
          else if (mode === 'remove-abnormal-output') results[index] = REMOVED;
          else failure ??= end.error;
        }
        ctx.emit('iteration_next', {
          created_at: Math.floor(Date.now() / 1000),
          extras: {},
          id: ctx.executionId,
          index: index + 1,
          node_id: node.id,
          node_type: 'iteration',
          title: node.title,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, Math.max(items.length, 1)) }, worker));
    let output = results.filter((r) => r !== REMOVED);
    if (data['flatten_output'] !== false && output.length > 0 && output.every(Array.isArray)) output = (output as unknown[][]).flat();
    const finished = Date.now();
    ctx.emit('iteration_completed', {
      created_at: Math.floor(started / 1000),
      elapsed_time: (finished - started) / 1000,
      error: failure,
      execution_metadata: { iteration_duration_map: {} },
      extras: {},
      finished_at: Math.floor(finished / 1000),
      id: ctx.executionId,
      inputs,
      node_id: node.id,
      node_type: 'iteration',
      outputs: failure ? null : { output },
      status: failure ? 'failed' : 'succeeded',
      steps: items.length,
      title: node.title,
      total_tokens: 0,
    });
    if (failure !== null) return failedOutcome(new Error(failure), inputs);
    return { inputs, metadata: { iterator_length: items.length }, outputs: { output }, status: 'succeeded' };
  }
}
