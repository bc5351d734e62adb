import type { RunStreamEvent } from '@weft/contracts';
import { filesInOutputs } from '@weft/workflow';
import type { NodeExecutionRecord, RunResult } from '../engine/engine.types';
import type { RunRow } from './run.repository';

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Dify's `{event, workflow_run_id, task_id, data}` envelope of workflow app stream events. */
export function envelope(run: Pick<RunRow, 'id' | 'taskId'>, event: string, data: Record<string, unknown>): RunStreamEvent {
  return { data, event, task_id: run.taskId, workflow_run_id: run.id };
}

/** `workflow_started`; `reason` is "resumption" when another orchestrator picked the run up. */
export function workflowStarted(run: RunRow, reason: 'initial' | 'resumption'): RunStreamEvent {
  return envelope(run, 'workflow_started', {
    created_at: seconds(run.createdAt.getTime()),
    id: run.id,
    inputs: run.inputs,
    reason,
    workflow_id: run.workflowId,
    workflow_run_id: run.id,
  });
}

function containerFields(record: NodeExecutionRecord): Record<string, unknown> {
  const meta = record.executionMetadata ?? {};
  return { iteration_id: meta['iteration_id'] ?? null, loop_id: meta['loop_id'] ?? null };
}

/** `node_started` for a node execution. */
export function nodeStarted(run: RunRow, record: NodeExecutionRecord): RunStreamEvent {
  return envelope(run, 'node_started', {
    agent_strategy: null,
    created_at: seconds(record.createdAt),
    extras: {},
    id: record.id,
    index: record.index,
    inputs: null,
    inputs_truncated: false,
    node_id: record.nodeId,
    node_type: record.nodeType,
    predecessor_node_id: record.predecessorNodeId,
    title: record.title,
    ...containerFields(record),
  });
}

/** `node_finished` (or `node_retry` with its `retry_index`) with the full, untruncated values. */
export function nodeFinished(run: RunRow, record: NodeExecutionRecord, retryIndex?: number): RunStreamEvent {
  return envelope(run, retryIndex === undefined ? 'node_finished' : 'node_retry', {
    created_at: seconds(record.createdAt),
    elapsed_time: record.elapsedTime,
    error: record.error,
    execution_metadata: record.executionMetadata,
    extras: {},
    files: filesInOutputs(record.outputs),
    finished_at: record.finishedAt === null ? null : seconds(record.finishedAt),
    id: record.id,
    index: record.index,
    inputs: record.inputs,
    inputs_truncated: false,
    node_id: record.nodeId,
    node_type: record.nodeType,
    outputs: record.outputs,
    outputs_truncated: false,
    predecessor_node_id: record.predecessorNodeId,
    process_data: record.processData,
    process_data_truncated: false,
    status: record.status,
    title: record.title,
    ...containerFields(record),
    ...(retryIndex === undefined ? {} : { retry_index: retryIndex }),
  });
}

/** `workflow_finished`, the terminal event of a workflow app's stream. */
export function workflowFinished(run: RunRow, result: RunResult): RunStreamEvent {
  return envelope(run, 'workflow_finished', {
    created_at: seconds(run.createdAt.getTime()),
    created_by: { id: run.creator.endUserId ?? run.creator.accountId, user: run.creator.sessionId },
    elapsed_time: result.elapsedTime,
    error: result.error,
    exceptions_count: result.exceptionsCount,
    files: filesInOutputs(result.outputs),
    finished_at: seconds(result.finishedAt),
    id: run.id,
    outputs: result.outputs,
    status: result.status,
    total_steps: result.totalSteps,
    total_tokens: result.totalTokens,
    workflow_id: run.workflowId,
  });
}

/** A `text_chunk` of streamed End-node output. */
export function textChunk(run: RunRow, text: string, selector: readonly string[]): RunStreamEvent {
  return envelope(run, 'text_chunk', { from_variable_selector: selector, text });
}
