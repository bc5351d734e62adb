import type { AgentStep, NodeFailedOutcome, NodeJob, NodeOutcome, NodeSucceededOutcome } from '@weft/contracts';
import type { VariablePool } from '@weft/workflow';

/** What an executor gets besides the job: the variables it may read, the cancel signal, the token stream and the agent's steps. */
export interface NodeExecutionContext {
  pool: VariablePool;
  signal: AbortSignal;
  emitChunk(text: string): void;
  /** An agent's thought as it now stands, sent whole on each change, in order with the text chunks. */
  emitStep(step: AgentStep): void;
}

/** What a failed outcome may carry besides its error: what the node had gathered (inputs, process data, ...). */
export type FailureDetails = Partial<Omit<NodeFailedOutcome, 'error' | 'errorType' | 'status'>>;

/**
 * Runs one node type whose contract says `runsIn: 'node-runner'`. Failures the workflow should see (bad
 * config, provider errors, user code errors) come back as `status: 'failed'` with Dify's error class name
 * in `errorType`; executors do not throw.
 */
export interface NodeJobExecutor {
  execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome>;
}

/** A succeeded outcome; fields not given are empty. */
export function succeeded(result: Partial<NodeSucceededOutcome> & { outputs: Record<string, unknown> }): NodeSucceededOutcome {
  return { inputs: null, metadata: {}, processData: null, ...result, status: 'succeeded' };
}

/** A failed outcome with Dify's error class name; `extra` keeps what the node had gathered (inputs, process data). */
export function failed(errorType: string, error: string, extra: FailureDetails = {}): NodeFailedOutcome {
  return { inputs: null, metadata: {}, outputs: {}, processData: null, ...extra, error, errorType, status: 'failed' };
}

/** A selector from DSL data, or undefined when it is not a list of at least two non-empty strings. */
export function asSelector(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length < 2) return undefined;
  const parts = value.map((part) => (typeof part === 'number' ? String(part) : part));
  return parts.every((part): part is string => typeof part === 'string' && part !== '') ? parts : undefined;
}
