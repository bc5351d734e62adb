import type { AgentStep, ConversationTurn, NodeOutcome, NodeRunStatus, RunStatus } from '@weft/contracts';
import type { GraphNode, VariablePool, WorkflowGraph } from '@weft/workflow';

/** What an executor is told about the run it works for. */
export interface NodeContext {
  appId: string;
  /** Ids of the enclosing iteration or loop and the current round, for events and metadata. */
  container: { id: string; index: number; kind: 'iteration' | 'loop' } | null;
  /** Declared types of writable variables (conversation and loop variables), keyed `nodeId.name`. */
  declaredTypes: ReadonlyMap<string, string>;
  /** The last `limit` finished turns of the run's conversation (undefined outside a conversation), for nodes with memory. */
  conversationHistory?: (limit: number) => Promise<ConversationTurn[]>;
  /** Relays a piece of streamed text output (LLM tokens) while the node runs. */
  emitChunk: (text: string) => void;
  /** Relays an agent's thought as it now stands (agent nodes on a node runner). */
  emitStep?: (step: AgentStep) => void;
  /** Publishes a container event (iteration_started, loop_next, ...) on the run's stream. */
  emit: (event: string, data: Record<string, unknown>) => void;
  executionId: string;
  graph: WorkflowGraph;
  /** Runs one round of a container body (iteration/loop) to its end, sharing the run's counters. */
  runBody: (scope: BodyScope, pool: VariablePool) => Promise<BodyEnd>;
  runId: string;
  signal: AbortSignal;
  workspaceId: string;
}

/** One round of an iteration or loop body. */
export interface BodyScope {
  container: { id: string; index: number; kind: 'iteration' | 'loop' };
  nodeIds: Set<string>;
  startNodeId: string;
}

/** How a body round ended; `loopBreak` is set when a loop-end node was reached. */
export type BodyEnd = { kind: 'completed'; loopBreak: boolean } | { kind: 'failed'; error: string } | { kind: 'stopped' };

/** Runs one node; the engine decides when, how often (retries) and what its outcome means for the graph. */
export type ExecuteNode = (node: GraphNode, pool: VariablePool, ctx: NodeContext) => Promise<NodeOutcome>;

/** A node execution as persisted; a resumed run replays the finished ones. */
export interface NodeExecutionRecord {
  createdAt: number;
  edgeSourceHandle: string | null;
  elapsedTime: number;
  error: string | null;
  executionMetadata: Record<string, unknown> | null;
  finishedAt: number | null;
  id: string;
  index: number;
  inputs: Record<string, unknown> | null;
  nodeId: string;
  nodeType: string;
  outputs: Record<string, unknown> | null;
  predecessorNodeId: string | null;
  processData: Record<string, unknown> | null;
  status: NodeRunStatus;
  title: string;
}

/** How a run ended. */
export interface RunResult {
  elapsedTime: number;
  error: string | null;
  exceptionsCount: number;
  finishedAt: number;
  outputs: Record<string, unknown>;
  status: Exclude<RunStatus, 'running'>;
  totalSteps: number;
  totalTokens: number;
}

/** Execution limits (Dify's WORKFLOW_MAX_EXECUTION_STEPS / WORKFLOW_MAX_EXECUTION_TIME). */
export interface RunLimits {
  maxSteps: number;
  maxTimeMs: number;
}
