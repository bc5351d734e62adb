import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  JINJA_WORKER_SOURCE,
  type JinjaRenderMessage,
  type JinjaWorkerData,
  type JinjaWorkerMessage,
  type JinjaWorkerOutcome,
} from './jinja-worker.util';

const CACHE_SIZE = 500;
const DEFAULT_MEMORY_MB = 256;
const DEFAULT_TIMEOUT_MS = 2000;

/** Why a render failed: over its time budget, over the output limit, out of worker memory, or a parse or render error. */
export type JinjaRenderFailureKind = 'error' | 'memory' | 'output_too_large' | 'timeout';

/** How a render ended; `errorName` is the thrown error's class (e.g. SyntaxError) when `kind` is 'error'. */
export type JinjaRenderResult =
  { ok: true; output: string } | { ok: false; kind: JinjaRenderFailureKind; error: string; errorName?: string };

/** Limits of a JinjaRenderer. */
export interface JinjaRendererOptions {
  /** Longest output, in characters (JavaScript string length); default: no limit. */
  maxOutputLength?: number;
  /** JavaScript heap of each worker (its `maxOldGenerationSizeMb`), which holds the variables, parsed templates and output. */
  memoryMb?: number;
  /** Time one render may take once a worker has started it (time spent queued does not count). */
  timeoutMs?: number;
  /** Worker threads rendering at once; further renders queue. */
  workers?: number;
}

interface Job {
  deadline?: NodeJS.Timeout;
  id: number;
  resolve: (result: JinjaRenderResult) => void;
  template: string;
  variables: Record<string, unknown>;
}

interface PooledWorker {
  job?: Job;
  ready: boolean;
  worker: Worker;
}

/**
 * Renders Jinja2 templates in a small pool of worker threads, one render per worker at a time, so a template
 * that loops for seconds or allocates without bound cannot stall the service's event loop. A render over its
 * time budget terminates its worker (a busy JavaScript loop cannot be interrupted any other way), and a worker
 * that ran out of memory or was terminated is replaced by a fresh one.
 */
export class JinjaRenderer {
  private readonly limits: Required<JinjaRendererOptions>;
  private readonly pool: PooledWorker[] = [];
  private readonly queue: Job[] = [];
  private readonly jinjaPath = createRequire(__filename).resolve('@huggingface/jinja');
  private nextId = 1;
  private closed = false;

  constructor(options: JinjaRendererOptions = {}) {
    this.limits = {
      maxOutputLength: options.maxOutputLength ?? Number.POSITIVE_INFINITY,
      memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      workers: Math.max(1, options.workers ?? 1),
    };
  }

  /** Renders `template` with `variables` (JSON values, copied to the worker); whatever the template does, it resolves with a result. */
  render(template: string, variables: Record<string, unknown>): Promise<JinjaRenderResult> {
    if (this.closed) return Promise.resolve(closedResult());
    return new Promise<JinjaRenderResult>((resolve) => {
      this.queue.push({ id: this.nextId++, resolve, template, variables });
      while (this.pool.length < this.limits.workers) this.spawn();
      this.dispatch();
    });
  }

  /** Ends queued and running renders (as failed) and stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, closedResult());
    const workers = this.pool.splice(0);
    for (const pooled of workers) {
      if (pooled.job) this.settle(pooled.job, closedResult());
      pooled.job = undefined;
    }
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }

  private spawn(): void {
    const workerData: JinjaWorkerData = { cacheSize: CACHE_SIZE, jinjaPath: this.jinjaPath, maxOutputLength: this.limits.maxOutputLength };
    const worker = new Worker(JINJA_WORKER_SOURCE, {
      eval: true,
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb },
      workerData,
    });
    // A worker must not keep the service process alive on shutdown; while a render runs, its deadline timer does.
    worker.unref();
    const pooled: PooledWorker = { ready: false, worker };
    this.pool.push(pooled);
    worker.on('message', (message: JinjaWorkerMessage) => this.onMessage(pooled, message));
    worker.on('error', (error: Error & { code?: string }) => {
      this.retire(
        pooled,
        error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? this.memoryResult() : failure('error', `Template renderer crashed: ${error.message}`),
      );
    });
    worker.on('exit', () => this.retire(pooled, failure('error', 'Template renderer stopped unexpectedly')));
  }

  private onMessage(pooled: PooledWorker, message: JinjaWorkerMessage): void {
    if (message.type === 'ready') {
      pooled.ready = true;
      this.dispatch();
      return;
    }
    const job = pooled.job;
    if (!job || job.id !== message.id) return;
    pooled.job = undefined;
    this.settle(job, this.toResult(message.outcome));
    this.dispatch();
  }

  private dispatch(): void {
    for (const pooled of this.pool) {
      while (pooled.ready && !pooled.job && this.queue.length > 0) {
        const job = this.queue.shift()!;
        const message: JinjaRenderMessage = { id: job.id, template: job.template, variables: job.variables };
        try {
          pooled.worker.postMessage(message);
        } catch (error) {
          this.settle(job, failure('error', `Template variables cannot be passed to the renderer: ${(error as Error).message}`));
          continue;
        }
        pooled.job = job;
        job.deadline = setTimeout(() => this.expire(pooled, job), this.limits.timeoutMs);
      }
    }
  }

  private expire(pooled: PooledWorker, job: Job): void {
    if (pooled.job !== job) return;
    pooled.job = undefined;
    this.settle(job, failure('timeout', `Template rendering took longer than the ${this.limits.timeoutMs} ms limit`));
    this.remove(pooled);
    void pooled.worker.terminate();
    if (!this.closed) this.spawn();
    this.dispatch();
  }

  /** Handles a worker that died on its own (out of memory, crashed): its render fails, and a fresh worker takes its place. */
  private retire(pooled: PooledWorker, result: JinjaRenderResult): void {
    if (!this.remove(pooled)) return;
    const job = pooled.job;
    pooled.job = undefined;
    if (job) this.settle(job, result);
    if (!pooled.ready) {
      // A worker that could not even start would fail the same way again: fail what waits instead of looping.
      const error = result.ok ? 'Template renderer failed to start' : `Template renderer failed to start: ${result.error}`;
      for (const queued of this.queue.splice(0)) this.settle(queued, failure('error', error));
      return;
    }
    if (!this.closed) this.spawn();
    this.dispatch();
  }

  private remove(pooled: PooledWorker): boolean {
    const index = this.pool.indexOf(pooled);
    if (index < 0) return false;
    this.pool.splice(index, 1);
    return true;
  }

  private settle(job: Job, result: JinjaRenderResult): void {
    clearTimeout(job.deadline);
    job.resolve(result);
  }

  private toResult(outcome: JinjaWorkerOutcome): JinjaRenderResult {
    if (outcome.ok) return outcome;
    if (outcome.kind === 'output_too_large')
      return failure('output_too_large', `Output length exceeds ${this.limits.maxOutputLength} characters`);
    return outcome;
  }

  private memoryResult(): JinjaRenderResult {
    return failure('memory', `Template rendering used more than the ${this.limits.memoryMb} MB memory limit`);
  }
}

function failure(kind: JinjaRenderFailureKind, error: string): JinjaRenderResult {
  return { ok: false, kind, error };
}

function closedResult(): JinjaRenderResult {
  return failure('error', 'Template renderer is closed');
}
