import {
  shouldBreakLoop,
  type Condition,
  type GraphNode,
  type LogicalOperator,
  type LoopNodeData,
  type VariablePool,
} from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeContext } from '../../engine/engine.types';
import { asSelector, failedOutcome, type NodeExecutor } from '../node-executor.types';

interface LoopVariable {
  label: string;
  value: unknown;
  value_type?: 'variable' | 'constant';
  var_type?: string;
}

/** A constant loop variable as its declared type: the editor stores numbers, booleans and JSON as text. */
function constantOf(type: string | undefined, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (type === 'number') return value.trim() === '' ? null : Number(value);
  if (type === 'boolean') return value === 'true';
  if (type === 'object' || type?.startsWith('array')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * The loop node: loop variables live on the loop node (`[loopId, label]`) so body assigners update
 * them across rounds; the body runs up to `loop_count` times, stopping early when the break
 * conditions hold (checked before the first round and after each) or a loop-end node runs.
 */
export class LoopExecutor implements NodeExecutor {
  async execute(node: GraphNode, pool: VariablePool, ctx: NodeContext): Promise<NodeOutcome> {
    const data = node.data as unknown as LoopNodeData & Record<string, unknown>;
    const container = ctx.graph.containers[node.id];
    if (!container) return failedOutcome(new Error(`Loop "${node.id}" has no body`));
    const variables = (data['loop_variables'] as LoopVariable[] | undefined) ?? [];
    for (const v of variables) {
      const value = v.value_type === 'variable' ? (pool.get(asSelector(v.value)) ?? null) : constantOf(v.var_type, v.value);
      pool.set([node.id, v.label], value);
    }
    const current = () => Object.fromEntries(variables.map((v) => [v.label, pool.get([node.id, v.label]) ?? null]));
    const inputs = { loop_count: data['loop_count'] ?? null, ...current() };
    const breakConditions = (data['break_conditions'] as Condition[] | undefined) ?? [];
    const logical = (data['logical_operator'] as LogicalOperator | undefined) ?? 'and';
    const loopCount = Math.max(0, Number(data['loop_count'] ?? 1));
    const started = Date.now();
    ctx.emit('loop_started', {
      created_at: Math.floor(started / 1000),
      extras: {},
      id: ctx.executionId,
      inputs,
      metadata: { loop_length: loopCount },
      node_id: node.id,
      node_type: 'loop',
      title: node.title,
    });
    const nodeIds = new Set(container.childIds);
    let rounds = 0;
    let failure: string | null = null;
    try {
      let stop = shouldBreakLoop(breakConditions, logical, pool);
      while (!stop && rounds < loopCount && !ctx.signal.aborted) {
        const index = rounds++;
        const child = pool.createChildScope(node.id, { index });
        const end = await ctx.runBody(
          { container: { id: node.id, index, kind: 'loop' }, nodeIds, startNodeId: container.startNodeId },
          child,
        );
        if (end.kind === 'failed') {
          failure = end.error;
          break;
        }
        if (end.kind === 'stopped') break;
        ctx.emit('loop_next', {
          created_at: Math.floor(Date.now() / 1000),
          extras: {},
          id: ctx.executionId,
          index: rounds,
          node_id: node.id,
          node_type: 'loop',
          pre_loop_output: current(),
          title: node.title,
        });
        stop = end.loopBreak || shouldBreakLoop(breakConditions, logical, pool);
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    const outputs = { ...current(), loop_round: rounds };
    const finished = Date.now();
    ctx.emit('loop_completed', {
      created_at: Math.floor(started / 1000),
      elapsed_time: (finished - started) / 1000,
      error: failure,
      execution_metadata: {},
      extras: {},
      finished_at: Math.floor(finished / 1000),
      id: ctx.executionId,
      inputs,
      node_id: node.id,
      node_type: 'loop',
      outputs: failure ? null : outputs,
      status: failure ? 'failed' : 'succeeded',
      steps: rounds,
      title: node.title,
      total_tokens: 0,
    });
    if (failure !== null) return failedOutcome(new Error(failure), inputs);
    return { inputs, metadata: { loop_length: rounds }, outputs, status: 'succeeded' };
  }
}
