import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { fromNodeResult, toNodeResult, type AgentStep, type ConversationTurn, type NodeOutcome, type NodeResult } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { JobGrants } from '@weft/security';
import { readMemory, type GraphNode, type VariablePool } from '@weft/workflow';
import type { NodeContext } from '../engine/engine.types';
import type { NodeExecutor } from './node-executor.types';

interface Pending {
  resolve: (result: NodeResult) => void;
  onChunk?: (text: string) => void;
  onStep?: (step: AgentStep) => void;
}

/** How long a node job may take before the orchestrator gives up on it (node runners enforce their own, shorter limits). */
export const NODE_JOB_TIMEOUT_MS = 10 * 60_000;

/**
 * How long a job's grant outlives the job's own limit: time in the queue, and a redelivery to another
 * runner after its first one died. Past it the job can no longer reach its workspace's credentials.
 */
export const NODE_JOB_GRANT_GRACE_MS = 15 * 60_000;

/**
 * How long queuing a node job is retried when JetStream does not take it (nats-server restarting, a lost
 * quorum): a few seconds of NATS outage must not fail a run. Each try carries the job id as the message id, so
 * JetStream's duplicate window (2 min) stores the job once even if an earlier try was stored unacknowledged.
 */
export const NODE_JOB_QUEUE_RETRY_MS = 30_000;
const NODE_JOB_QUEUE_RETRY_PAUSE_MS = 500;

/**
 * The executor of every node type whose contract runs it on a node runner (I/O, user code): the node is
 * handed to the node-runner queue as a durable job (a runner that dies mid-node leaves the job to be
 * redelivered to another), answered on this orchestrator's own result subject. Cancelling the run
 * cancels the job wherever it runs.
 */
@Injectable()
export class NodeJobDispatcher implements NodeExecutor, OnModuleDestroy {
  private readonly logger = new Logger(NodeJobDispatcher.name);
  private readonly pending = new Map<string, Pending>();
  private unsubscribe: (() => void)[] = [];
  private instanceKey = '';

  constructor(
    private readonly bus: MessageBus,
    private readonly grants: JobGrants,
  ) {}

  /** Starts listening for results addressed to this instance; called once the bus is connected. */
  listen(instanceId: string): void {
    this.instanceKey = instanceId.replace(/[^A-Za-z0-9_-]/g, '_');
    this.unsubscribe = [
      this.bus.listen('wf.node.result.v1', this.instanceKey, (result) => {
        const pending = this.pending.get(result.jobId);
        if (pending) {
          this.pending.delete(result.jobId);
          pending.resolve(result);
        }
      }),
      this.bus.listen('wf.node.chunk.v1', this.instanceKey, (chunk) => {
        const pending = this.pending.get(chunk.jobId);
        if (chunk.step) pending?.onStep?.(chunk.step);
        else pending?.onChunk?.(chunk.text);
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }

  async execute(node: GraphNode, pool: VariablePool, ctx: NodeContext): Promise<NodeOutcome> {
    const jobId = randomUUID();
    // A node with memory gets its conversation's earlier turns inside the job: the orchestrator owns them.
    const memory = ctx.conversationHistory ? readMemory(node.data) : null;
    let history: ConversationTurn[] = [];
    if (memory) {
      try {
        history = await ctx.conversationHistory!(memory.turns);
      } catch (error) {
        return {
          error: `Could not load the conversation history: ${(error as Error).message}`,
          errorType: 'MemoryError',
          inputs: null,
          status: 'failed',
        };
      }
    }
    const result = await new Promise<NodeResult | { aborted: true } | { timedOut: true }>((resolve) => {
      const timer = setTimeout(() => finish({ timedOut: true }), NODE_JOB_TIMEOUT_MS);
      const onAbort = () => {
        this.bus.publish('wf.node.cancel.v1', null, { jobId });
        finish({ aborted: true });
      };
      const finish = (value: NodeResult | { aborted: true } | { timedOut: true }) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        this.pending.delete(jobId);
        resolve(value);
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(jobId, { onChunk: ctx.emitChunk, onStep: ctx.emitStep, resolve: finish });
      const job = {
        appId: ctx.appId,
        attempt: 0,
        data: node.data,
        // The node runner reaches this workspace's credentials, files and knowledge only with this grant.
        grant: this.grants.issue({ runId: ctx.runId, workspaceId: ctx.workspaceId }, NODE_JOB_TIMEOUT_MS + NODE_JOB_GRANT_GRACE_MS),
        history,
        jobId,
        nodeId: node.id,
        nodeType: node.type,
        replyTo: this.instanceKey,
        runId: ctx.runId,
        timeoutMs: NODE_JOB_TIMEOUT_MS,
        variables: flatten(pool),
        workspaceId: ctx.workspaceId,
      };
      const giveUpAt = Date.now() + NODE_JOB_QUEUE_RETRY_MS;
      const queue = async (): Promise<void> => {
        for (let attempt = 1; ; attempt++) {
          try {
            await this.bus.publishEvent('wf.node.execute.v1', job, jobId);
            return;
          } catch (error) {
            // Finished meanwhile (cancelled, or answered by a try that was stored after all): nothing to do.
            if (!this.pending.has(jobId)) return;
            const message = (error as Error).message;
            if (Date.now() + NODE_JOB_QUEUE_RETRY_PAUSE_MS >= giveUpAt) {
              this.logger.warn(`Could not queue node "${node.id}" of run "${ctx.runId}" (${attempt} tries): ${message}`);
              finish(
                toNodeResult(jobId, {
                  error: `Could not reach the node runners: ${message}`,
                  errorType: 'NodeRunnerUnavailable',
                  inputs: null,
                  status: 'failed',
                }),
              );
              return;
            }
            this.logger.warn(`Could not queue node "${node.id}" of run "${ctx.runId}" (try ${attempt}): ${message}; trying again`);
            await new Promise((resolve) => setTimeout(resolve, NODE_JOB_QUEUE_RETRY_PAUSE_MS));
            if (!this.pending.has(jobId)) return;
          }
        }
      };
      void queue();
    });
    if ('aborted' in result) return { error: 'Workflow execution stopped.', errorType: 'Stopped', inputs: null, status: 'failed' };
    if ('timedOut' in result)
      return { error: `Node did not finish within ${NODE_JOB_TIMEOUT_MS / 1000} s`, errorType: 'Timeout', inputs: null, status: 'failed' };
    return fromNodeResult(result);
  }
}

/** Every variable the node could read, flattened across the pool's scopes (inner scopes win). */
function flatten(pool: VariablePool): Record<string, Record<string, unknown>> {
  const chain = [];
  for (let snapshot: ReturnType<VariablePool['snapshot']> | undefined = pool.snapshot(); snapshot; snapshot = snapshot.parent)
    chain.unshift(snapshot.variables);
  const merged: Record<string, Record<string, unknown>> = {};
  for (const variables of chain)
    for (const [nodeId, values] of Object.entries(variables)) merged[nodeId] = { ...merged[nodeId], ...values };
  return merged;
}
