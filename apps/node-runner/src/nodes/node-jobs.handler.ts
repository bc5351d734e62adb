import { currentCorrelationId, runWithContext } from '@weft/logging';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { toNodeResult, type AgentStep, type NodeJob, type NodeOutcome } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { InjectMetric } from '@weft/metrics';
import type { Counter } from 'prom-client';
import { VariablePool } from '@weft/workflow';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { failed } from './node-job-executor.types';
import { resolveProviderName } from '../providers/provider-registry.util';
import { NodeJobExecutorFactory } from './node-job-executor-factory.service';

/** The durable pull consumer every node-runner replica shares, so each job goes to one of them. */
export const NODE_JOBS_CONSUMER = 'node-runner';
const MAX_DELIVER = 3;
// A cancel can arrive before any runner has taken the job; remembering it lets the job be skipped.
const CANCEL_MEMORY_MS = 10 * 60_000;
const CANCEL_MEMORY_ENTRIES = 10_000;

class NodeTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Node did not finish within ${timeoutMs / 1000} s`);
  }
}

/** What a worker gets from the bus for each job. */
export interface NodeJobContext {
  deliveryCount: number;
  working(): void;
}

/**
 * Takes node jobs from the work queue, runs them, and answers on the orchestrator's own result subject.
 * Whatever the node does, an answer is published and the job acked; the job is left to be redelivered
 * only when no answer can be sent (NATS is gone) or when this process dies mid-node, which is how a
 * node survives the loss of its runner.
 */
@Injectable()
export class NodeJobsHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NodeJobsHandler.name);
  private readonly running = new Map<string, AbortController>();
  private readonly cancelled = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private closing = false;

  constructor(
    @Inject(NODE_RUNNER_CONFIG) private readonly config: NodeRunnerConfig,
    private readonly bus: MessageBus,
    private readonly executors: NodeJobExecutorFactory,
    @InjectMetric('dify_api_cost_total') private readonly cost: Counter<string>,
  ) {}

  onModuleInit(): void {
    void this.bus.start().then(() => {
      if (this.closing) return;
      // Listen for cancels before taking jobs, so no job starts without a way to stop it.
      this.unsubscribe = this.bus.listen('wf.node.cancel.v1', null, ({ jobId }) => this.cancel(jobId));
      this.bus.work(
        'wf.node.execute.v1',
        NODE_JOBS_CONSUMER,
        { ackWaitMs: this.config.worker.ackWaitMs, concurrency: this.config.worker.concurrency, maxDeliver: MAX_DELIVER },
        (job, ctx) => this.handle(job, ctx),
      );
    });
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.unsubscribe?.();
  }

  /** Runs one job and publishes its result; throws (so the job is redelivered) only when the result cannot be sent. */
  async handle(job: NodeJob, ctx: NodeJobContext): Promise<void> {
    if (ctx.deliveryCount > 1)
      this.logger.warn(`Node "${job.nodeId}" of run "${job.runId}" is delivered again (delivery ${ctx.deliveryCount}); running it anew`);
    const outcome = await this.run(job, ctx);
    this.recordCost(outcome);
    if (!this.bus.isConnected()) throw new Error(`Cannot answer node job "${job.jobId}": not connected to NATS`);
    this.bus.publish('wf.node.result.v1', job.replyTo, toNodeResult(job.jobId, outcome));
  }

  private recordCost(outcome: NodeOutcome): void {
    const price = Number(outcome.metadata?.['total_price'] ?? 0);
    const provider = outcome.processData?.['model_provider'];
    if (price > 0 && typeof provider === 'string')
      this.cost.inc({ currency: String(outcome.metadata?.['currency'] ?? 'USD'), provider: resolveProviderName(provider) }, price);
  }

  /** Aborts the job if it runs here, and remembers the cancel in case it has not started yet. */
  cancel(jobId: string): void {
    const controller = this.running.get(jobId);
    if (controller) {
      controller.abort(new Error('Workflow execution stopped.'));
      return;
    }
    const now = Date.now();
    if (this.cancelled.size >= CANCEL_MEMORY_ENTRIES) {
      for (const [id, expiresAt] of this.cancelled) if (expiresAt <= now) this.cancelled.delete(id);
      if (this.cancelled.size >= CANCEL_MEMORY_ENTRIES) this.cancelled.delete(this.cancelled.keys().next().value as string);
    }
    this.cancelled.set(jobId, now + CANCEL_MEMORY_MS);
  }

  /**
   * Sends an agent's thought as it now stands. A step too large for a bus message is lost, not the node: the
   * node run keeps every thought, and the run's ending sends again what the live stream missed.
   */
  private publishStep(job: NodeJob, step: AgentStep): void {
    try {
      this.bus.publish('wf.node.chunk.v1', job.replyTo, { jobId: job.jobId, step, text: '' });
    } catch (error) {
      this.logger.warn(
        `Thought ${step.position} of node "${job.nodeId}" of run "${job.runId}" was not sent live: ${(error as Error).message}`,
      );
    }
  }

  private async run(job: NodeJob, ctx: NodeJobContext): Promise<NodeOutcome> {
    const cancelledUntil = this.cancelled.get(job.jobId);
    if (cancelledUntil !== undefined) {
      this.cancelled.delete(job.jobId);
      if (cancelledUntil > Date.now()) return stopped();
    }
    const controller = new AbortController();
    this.running.set(job.jobId, controller);
    // A sign of life well inside the ack wait (NODE_JOB_ACK_WAIT_MS), after which JetStream presumes this runner dead.
    const heartbeat = setInterval(() => ctx.working(), Math.max(250, Math.floor(this.config.worker.ackWaitMs / 3)));
    const timeout = setTimeout(() => controller.abort(new NodeTimeoutError(job.timeoutMs)), job.timeoutMs);
    const started = Date.now();
    try {
      const pool = VariablePool.fromSnapshot({ version: 1, variables: job.variables });
      // Whatever the node asks of other services (credentials, files, knowledge) carries the job's grant.
      const outcome = await runWithContext(
        { correlationId: currentCorrelationId(), jobGrant: job.grant, workspaceId: job.workspaceId },
        () =>
          this.executors.execute(job, {
            pool,
            signal: controller.signal,
            emitChunk: (text) => this.bus.publish('wf.node.chunk.v1', job.replyTo, { jobId: job.jobId, text }),
            emitStep: (step) => this.publishStep(job, step),
          }),
      );
      if (controller.signal.aborted) return aborted(controller.signal, outcome);
      this.logger.debug(`Node "${job.nodeId}" (${job.nodeType}) of run "${job.runId}" ${outcome.status} in ${Date.now() - started} ms`);
      return outcome;
    } catch (error) {
      if (controller.signal.aborted) return aborted(controller.signal, null);
      // An executor bug is still an answer: the run sees a failed node instead of waiting for a timeout.
      this.logger.error({ err: error }, `Node "${job.nodeId}" (${job.nodeType}) of run "${job.runId}" failed unexpectedly`);
      return failed(
        error instanceof Error && error.name !== 'Error' ? error.name : 'NodeRunError',
        `Node failed unexpectedly: ${(error as Error).message}`,
      );
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
      this.running.delete(job.jobId);
    }
  }
}

function stopped(inputs: NodeOutcome['inputs'] = null): NodeOutcome {
  return failed('Stopped', 'Workflow execution stopped.', { inputs });
}

/** A job stopped by its cancel or its time limit, keeping the inputs the executor had gathered. */
function aborted(signal: AbortSignal, outcome: NodeOutcome | null): NodeOutcome {
  const reason: unknown = signal.reason;
  if (reason instanceof NodeTimeoutError) return failed('TimeoutError', reason.message, { inputs: outcome?.inputs ?? null });
  return stopped(outcome?.inputs ?? null);
}
