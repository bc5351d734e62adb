import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { AgentStep, ConversationTurn } from '@weft/contracts';
import type { GraphEdge, GraphNode, VariablePool, WorkflowGraph } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { BodyEnd, BodyScope, ExecuteNode, NodeExecutionRecord, RunLimits } from './engine.types';
import { activeContext, endNodeSpan, nodeContext, startNodeSpan, withContext } from './run-tracing.util';

type EdgeState = 'unknown' | 'taken' | 'skipped';
type NodeState = 'pending' | 'running' | 'done' | 'skipped';

/** Hooks through which a graph run reports what happens; the run service turns them into events and rows. */
export interface GraphRunObserver {
  nodeStarted(record: NodeExecutionRecord, node: GraphNode): void;
  nodeRetry(record: NodeExecutionRecord, node: GraphNode, retryIndex: number): void;
  nodeFinished(record: NodeExecutionRecord, node: GraphNode): void;
  containerEvent(event: string, data: Record<string, unknown>): void;
  nodeChunk(record: NodeExecutionRecord, node: GraphNode, text: string): void;
  /** An agent node's thought as it now stands. */
  nodeStep?(record: NodeExecutionRecord, node: GraphNode, step: AgentStep): void;
  /** A node that will not run in this scope (its branch was not taken). */
  nodeSkipped?(nodeId: string): void;
}

/** Where a graph run starts and what it may touch: the whole graph, or one iteration/loop body. */
export interface GraphScope {
  /** Set for a container body: events and metadata name the container and the round. */
  container: { id: string; index: number; kind: 'iteration' | 'loop' } | null;
  /** Nodes of this scope (top level: those without a parent; a body: the container's children). */
  nodeIds: Set<string>;
  startNodeId: string;
}

/** What a graph run needs besides the graph: the executor, the observer, limits and the shared counters. */
export interface GraphRunOptions {
  appId: string;
  /** The run's conversation history, for nodes with memory (chat runs in a conversation only). */
  conversationHistory?: (limit: number) => Promise<ConversationTurn[]>;
  declaredTypes: Map<string, string>;
  counters: RunCounters;
  execute: ExecuteNode;
  limits: RunLimits;
  observer: GraphRunObserver;
  runId: string;
  signal: AbortSignal;
  startedAt: number;
  /** Masks the workflow's secrets in what a node span says (its error); spans leave the platform. */
  secretMask?: <T>(value: T) => T;
  /** The trace context node spans start under: the run span's (a container body's: its container node's); the active one if unset. */
  traceContext?: Context;
  workspaceId: string;
}

/** Counters shared by a run and the bodies of its containers, so `index` and steps count across all of them. */
export interface RunCounters {
  exceptions: number;
  nextIndex: number;
  steps: number;
  tokens: number;
}

/** Why a graph run stopped before every ready node ran. */
export type GraphRunEnd = { kind: 'completed' } | { kind: 'failed'; error: string } | { kind: 'stopped' };

/**
 * Drives one graph (or one container body) to its end with Dify's semantics: a node is ready when no
 * incoming edge is unresolved and at least one was taken; a branch node takes one handle and the other
 * edges are skipped, the skip spreading to nodes left with no taken input; every ready node starts at
 * once, so independent branches run at the same time; error strategies and retries apply per node;
 * step and time limits are checked as nodes finish.
 */
export class GraphRun {
  private readonly edgeState = new Map<string, EdgeState>();
  private readonly nodeState = new Map<string, NodeState>();
  private readonly incoming = new Map<string, GraphEdge[]>();
  private readonly outgoing = new Map<string, GraphEdge[]>();
  private readonly running = new Set<Promise<void>>();
  private readonly predecessor = new Map<string, string>();
  private end: GraphRunEnd | null = null;
  /** Aborted by a stop request or by a failure that ends the run, so nodes still running are cancelled. */
  private readonly controller = new AbortController();
  private stoppedByRequest = false;
  /** Whether a loop-end node ran in this body (the loop stops after this round). */
  reachedLoopEnd = false;
  /** Outputs of end nodes in the order they finished. */
  readonly endOutputs: Record<string, unknown>[] = [];

  constructor(
    private readonly graph: WorkflowGraph,
    private readonly scope: GraphScope,
    private readonly pool: VariablePool,
    private readonly options: GraphRunOptions,
  ) {
    const onAbort = () => {
      this.stoppedByRequest = true;
      this.controller.abort();
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    for (const id of scope.nodeIds) {
      this.nodeState.set(id, 'pending');
      this.incoming.set(id, []);
      this.outgoing.set(id, []);
    }
    for (const edge of graph.edges) {
      if (!scope.nodeIds.has(edge.source) || !scope.nodeIds.has(edge.target)) continue;
      this.edgeState.set(edge.id, 'unknown');
      this.outgoing.get(edge.source)!.push(edge);
      this.incoming.get(edge.target)!.push(edge);
    }
  }

  /**
   * Re-applies node executions that finished before a crash, in their original order, so a resumed
   * run continues from the same state; the nodes left pending run again.
   */
  replay(records: readonly NodeExecutionRecord[]): void {
    for (const record of records) {
      if (!this.scope.nodeIds.has(record.nodeId) || this.nodeState.get(record.nodeId) !== 'pending') continue;
      if (record.status !== 'succeeded' && record.status !== 'exception') continue;
      const node = this.graph.nodes[record.nodeId]!;
      this.pool.setNodeOutputs(node.id, record.outputs ?? {});
      // An assigner's writes (conversation and loop variables) live outside its outputs: re-apply them.
      const updated = record.processData?.['updated_variables'];
      if (node.type === 'assigner' && Array.isArray(updated)) {
        for (const u of updated as { selector?: unknown; value?: unknown }[]) {
          if (Array.isArray(u.selector) && u.selector.length >= 2) this.pool.set(u.selector as string[], u.value ?? null);
        }
      }
      if (node.type === 'end') this.endOutputs.push(record.outputs ?? {});
      this.nodeState.set(node.id, 'done');
      this.resolveOutgoing(node.id, record.edgeSourceHandle ?? 'source');
    }
  }

  /** Runs until nothing is ready or running; resolves with how it ended. Never rejects. */
  async run(): Promise<GraphRunEnd> {
    if (this.nodeState.get(this.scope.startNodeId) === 'pending' && this.incoming.get(this.scope.startNodeId)!.length === 0) {
      this.start(this.scope.startNodeId);
    }
    this.startReadyNodes();
    while (this.running.size > 0) {
      await Promise.race(this.running);
    }
    if (this.stoppedByRequest) return { kind: 'stopped' };
    return this.end ?? { kind: 'completed' };
  }

  private startReadyNodes(): void {
    if (this.end || this.controller.signal.aborted) return;
    for (const [id, state] of this.nodeState) {
      if (state === 'pending' && this.isReady(id)) this.start(id);
    }
  }

  private isReady(nodeId: string): boolean {
    const edges = this.incoming.get(nodeId)!;
    if (edges.length === 0) return false;
    let taken = false;
    for (const edge of edges) {
      const state = this.edgeState.get(edge.id);
      if (state === 'unknown') return false;
      if (state === 'taken') taken = true;
    }
    return taken;
  }

  private start(nodeId: string): void {
    this.nodeState.set(nodeId, 'running');
    const task = this.execute(this.graph.nodes[nodeId]!).then(
      () => undefined,
      (error: unknown) => this.abort({ kind: 'failed', error: `Internal error running node "${nodeId}": ${(error as Error).message}` }),
    );
    const tracked = task.finally(() => {
      this.running.delete(tracked);
      this.startReadyNodes();
    });
    this.running.add(tracked);
  }

  private async execute(node: GraphNode): Promise<void> {
    const counters = this.options.counters;
    counters.steps++;
    const record: NodeExecutionRecord = {
      createdAt: Date.now(),
      edgeSourceHandle: null,
      elapsedTime: 0,
      error: null,
      executionMetadata: null,
      finishedAt: null,
      id: randomUUID(),
      index: counters.nextIndex++,
      inputs: null,
      nodeId: node.id,
      nodeType: node.type,
      outputs: null,
      predecessorNodeId: this.predecessor.get(node.id) ?? null,
      processData: null,
      status: 'running',
      title: node.title,
    };
    this.options.observer.nodeStarted(record, node);
    const retry = node.data.retry_config;
    const maxRetries = retry?.retry_enabled ? Math.max(0, retry.max_retries ?? 0) : 0;
    let outcome: NodeOutcome;
    for (let attempt = 0; ; attempt++) {
      // One span per attempt; the executor runs in its context, so a node runner job it sends carries it.
      const parent = this.options.traceContext ?? activeContext();
      const span = startNodeSpan(parent, node, { container: this.scope.container, retryIndex: attempt });
      const traceContext = nodeContext(parent, span);
      try {
        outcome = await withContext(traceContext, () =>
          this.options.execute(node, this.pool, {
            appId: this.options.appId,
            container: this.scope.container,
            conversationHistory: this.options.conversationHistory,
            declaredTypes: this.options.declaredTypes,
            emit: (event, data) => this.options.observer.containerEvent(event, data),
            emitChunk: (text) => this.options.observer.nodeChunk(record, node, text),
            emitStep: (step) => this.options.observer.nodeStep?.(record, node, step),
            executionId: record.id,
            graph: this.graph,
            runBody: (scope, pool) => this.runBody(scope, pool, traceContext),
            runId: this.options.runId,
            signal: this.controller.signal,
            workspaceId: this.options.workspaceId,
          }),
        );
      } catch (error) {
        endNodeSpan(span, 'failed', this.masked((error as Error).message));
        throw error;
      }
      if (outcome.status === 'succeeded' || attempt >= maxRetries || this.controller.signal.aborted) {
        this.finish(node, record, outcome);
        endNodeSpan(span, record.status, this.masked(record.error));
        return;
      }
      endNodeSpan(span, 'retry', this.masked(outcome.error));
      const retryRecord: NodeExecutionRecord = { ...record, ...this.finishFields(record, outcome), status: 'retry' };
      this.options.observer.nodeRetry(retryRecord, node, attempt);
      await sleep(retry?.retry_interval ?? 0, this.controller.signal);
    }
  }

  private async runBody(scope: BodyScope, pool: VariablePool, traceContext: Context): Promise<BodyEnd> {
    const body = new GraphRun(this.graph, scope, pool, { ...this.options, signal: this.controller.signal, traceContext });
    const end = await body.run();
    return end.kind === 'completed' ? { kind: 'completed', loopBreak: body.reachedLoopEnd } : end;
  }

  private masked(text: string | null): string | null {
    return this.options.secretMask ? this.options.secretMask(text) : text;
  }

  private finishFields(record: NodeExecutionRecord, outcome: NodeOutcome): Partial<NodeExecutionRecord> {
    const finishedAt = Date.now();
    return {
      elapsedTime: (finishedAt - record.createdAt) / 1000,
      error: outcome.status === 'failed' ? outcome.error : null,
      executionMetadata: this.metadata(outcome.metadata),
      finishedAt,
      inputs: outcome.inputs,
      processData: outcome.processData ?? null,
    };
  }

  private metadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> | null {
    const container = this.scope.container;
    if (!metadata && !container) return null;
    const extra = container ? { [`${container.kind}_id`]: container.id, [`${container.kind}_index`]: container.index } : {};
    return { ...metadata, ...extra };
  }

  private finish(node: GraphNode, record: NodeExecutionRecord, outcome: NodeOutcome): void {
    Object.assign(record, this.finishFields(record, outcome));
    const tokens = Number(outcome.metadata?.['total_tokens'] ?? 0);
    if (Number.isFinite(tokens)) this.options.counters.tokens += tokens;
    if (this.controller.signal.aborted) {
      record.status = 'stopped';
      record.error = record.error ?? (this.stoppedByRequest ? 'Workflow execution stopped by user.' : 'Cancelled because the run failed.');
      this.options.observer.nodeFinished(record, node);
      this.nodeState.set(node.id, 'done');
      return;
    }
    let handle: string;
    if (outcome.status === 'succeeded') {
      record.status = 'succeeded';
      record.outputs = outcome.outputs;
      handle = outcome.edgeSourceHandle ?? 'source';
    } else {
      const strategy = node.data.error_strategy;
      if (strategy === 'default-value') {
        record.status = 'exception';
        record.outputs = {
          ...Object.fromEntries((node.data.default_value ?? []).map((d) => [d.key, d.value])),
          error_message: outcome.error,
          error_type: outcome.errorType,
        };
        handle = 'source';
      } else if (strategy === 'fail-branch') {
        record.status = 'exception';
        record.outputs = { error_message: outcome.error, error_type: outcome.errorType };
        handle = 'fail-branch';
      } else {
        record.status = 'failed';
        record.outputs = null;
        this.options.observer.nodeFinished(record, node);
        this.nodeState.set(node.id, 'done');
        this.abort({ kind: 'failed', error: outcome.error });
        return;
      }
      this.options.counters.exceptions++;
      record.executionMetadata = { ...record.executionMetadata, error_strategy: strategy };
    }
    record.edgeSourceHandle = handle;
    this.pool.setNodeOutputs(node.id, record.outputs ?? {});
    if (node.type === 'end') this.endOutputs.push(record.outputs ?? {});
    if (node.type === 'loop-end') this.reachedLoopEnd = true;
    this.nodeState.set(node.id, 'done');
    const limitError = this.limitExceeded();
    if (limitError) {
      this.options.observer.nodeFinished(record, node);
      this.abort({ kind: 'failed', error: limitError });
      return;
    }
    // The branches not taken are marked skipped before the node is reported finished, so whoever reads the
    // report (the answer stream) already knows which branch was taken: text of an answer on a branch that
    // will not run must never look decided. Nothing starts until this returns, so the events keep Dify's order.
    this.resolveOutgoing(node.id, handle);
    this.options.observer.nodeFinished(record, node);
  }

  private limitExceeded(): string | null {
    const { maxSteps, maxTimeMs } = this.options.limits;
    if (this.options.counters.steps > maxSteps) return `Max steps ${maxSteps} reached.`;
    if (Date.now() - this.options.startedAt > maxTimeMs) return `Max execution time ${Math.round(maxTimeMs / 1000)}s reached.`;
    return null;
  }

  /** Takes the edges leaving by `handle` and skips the others; "success-branch" edges count as the success path. */
  private resolveOutgoing(nodeId: string, handle: string): void {
    for (const edge of this.outgoing.get(nodeId)!) {
      const taken = edge.sourceHandle === handle || (handle !== 'fail-branch' && edge.sourceHandle === 'success-branch');
      this.edgeState.set(edge.id, taken ? 'taken' : 'skipped');
      if (taken) {
        if (!this.predecessor.has(edge.target)) this.predecessor.set(edge.target, nodeId);
      } else {
        this.propagateSkip(edge.target);
      }
    }
  }

  private propagateSkip(nodeId: string): void {
    if (this.nodeState.get(nodeId) !== 'pending') return;
    const edges = this.incoming.get(nodeId)!;
    if (edges.some((e) => this.edgeState.get(e.id) !== 'skipped')) return;
    this.nodeState.set(nodeId, 'skipped');
    this.options.observer.nodeSkipped?.(nodeId);
    for (const edge of this.outgoing.get(nodeId)!) {
      this.edgeState.set(edge.id, 'skipped');
      this.propagateSkip(edge.target);
    }
  }

  private abort(end: GraphRunEnd): void {
    this.end ??= end;
    this.controller.abort();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
