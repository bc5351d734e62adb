import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  PYTHON_BOOTSTRAP,
  PYTHON_WORKER_SOURCE,
  PythonRunMessage,
  PythonRunOutcome,
  PythonWorkerData,
  PythonWorkerMessage,
} from './python-worker.util';
import { CodeRunResult } from './sandbox.types';

// After the deadline the run is interrupted with KeyboardInterrupt; code that swallows it (or is stuck in a
// long C call) gets this much longer before the worker is terminated and replaced.
const INTERRUPT_GRACE_MS = 300;
// The worker's own JavaScript heap holds Pyodide's glue code and the run's messages, not Python objects.
const WORKER_JS_HEAP_MB = 128;
const SIGINT = 2;

interface Job {
  code: string;
  id: number;
  inputsJson: string;
  resolve: (result: CodeRunResult) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  deadline?: NodeJS.Timeout;
  grace?: NodeJS.Timeout;
  /** Set once the main thread has decided how the run ends (timeout, abort); the worker's reply is then ignored. */
  verdict?: CodeRunResult;
}

interface PooledWorker {
  interrupt: Uint8Array;
  job?: Job;
  ready: boolean;
  worker: Worker;
}

/** Runs Python code nodes in a small pool of Pyodide worker threads, one run per worker at a time. */
export class PythonRunner {
  private readonly pool: PooledWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly pyodidePath = createRequire(__filename).resolve('pyodide/pyodide.js');

  constructor(
    private readonly limits: { maxOutputBytes: number; memoryMb: number; timeoutMs: number; workers: number },
  ) {}

  run(code: string, inputs: Record<string, unknown>, signal?: AbortSignal): Promise<CodeRunResult> {
    if (this.closed) return Promise.resolve({ ok: false, kind: 'aborted', error: 'Code sandbox is closed' });
    if (signal?.aborted) return Promise.resolve(abortedResult());
    let inputsJson: string;
    try {
      inputsJson = JSON.stringify(inputs);
    } catch (error) {
      return Promise.resolve({ ok: false, kind: 'runtime', error: `Inputs are not JSON-serializable: ${messageOf(error)}` });
    }
    return new Promise<CodeRunResult>((resolve) => {
      const job: Job = { code, id: this.nextId++, inputsJson, resolve, signal };
      if (signal) {
        job.onAbort = () => this.stop(job, abortedResult());
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      while (this.pool.length < this.limits.workers) this.spawn();
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, { ok: false, kind: 'aborted', error: 'Code sandbox is closed' });
    const workers = this.pool.splice(0);
    for (const pooled of workers) {
      if (pooled.job) this.settle(pooled.job, { ok: false, kind: 'aborted', error: 'Code sandbox is closed' });
    }
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }

  private spawn(): void {
    const interruptBuffer = new SharedArrayBuffer(1);
    const workerData: PythonWorkerData = {
      bootstrap: PYTHON_BOOTSTRAP,
      interruptBuffer,
      memoryMb: this.limits.memoryMb,
      pyodidePath: this.pyodidePath,
    };
    const worker = new Worker(PYTHON_WORKER_SOURCE, {
      eval: true,
      workerData,
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: WORKER_JS_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    // An idle warm worker must not keep the service process alive on shutdown.
    worker.unref();
    const pooled: PooledWorker = { interrupt: new Uint8Array(interruptBuffer), ready: false, worker };
    this.pool.push(pooled);
    worker.on('message', (message: PythonWorkerMessage) => this.onMessage(pooled, message));
    worker.on('error', (error: Error & { code?: string }) => {
      const result: CodeRunResult =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? this.memoryResult()
          : { ok: false, kind: 'runtime', error: `Python sandbox crashed: ${error.message}` };
      this.retire(pooled, result);
    });
    worker.on('exit', () => this.retire(pooled, { ok: false, kind: 'runtime', error: 'Python sandbox stopped unexpectedly' }));
  }

  private onMessage(pooled: PooledWorker, message: PythonWorkerMessage): void {
    if (message.type === 'ready') {
      pooled.ready = true;
      this.dispatch();
      return;
    }
    if (message.type === 'failed') {
      // Starting again would fail the same way, so fail what is waiting rather than loop.
      this.remove(pooled);
      void pooled.worker.terminate();
      const error = `Python runtime failed to start: ${message.error.split('\n')[0]}`;
      for (const job of this.queue.splice(0)) this.settle(job, { ok: false, kind: 'runtime', error });
      return;
    }
    const job = pooled.job;
    if (!job || job.id !== message.id) return;
    pooled.job = undefined;
    const result = job.verdict ?? this.toResult(message.outcome);
    this.settle(job, result);
    // The heap cannot shrink, so a worker that ran out of memory is replaced rather than reused.
    if (!job.verdict && result.ok === false && result.kind === 'memory') this.replace(pooled);
    else this.dispatch();
  }

  private dispatch(): void {
    for (const pooled of this.pool) {
      if (!pooled.ready || pooled.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      pooled.job = job;
      pooled.interrupt[0] = 0;
      const message: PythonRunMessage = {
        code: job.code,
        id: job.id,
        inputsJson: job.inputsJson,
        maxOutputBytes: this.limits.maxOutputBytes,
      };
      pooled.worker.postMessage(message);
      job.deadline = setTimeout(
        () => this.stop(job, { ok: false, kind: 'timeout', error: `Code ran longer than the ${this.limits.timeoutMs} ms limit` }),
        this.limits.timeoutMs,
      );
    }
  }

  /** Ends a queued or running job with the given result, interrupting and if need be replacing its worker. */
  private stop(job: Job, verdict: CodeRunResult): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, verdict);
      return;
    }
    const pooled = this.pool.find((candidate) => candidate.job === job);
    if (!pooled || job.verdict) return;
    job.verdict = verdict;
    Atomics.store(pooled.interrupt, 0, SIGINT);
    job.grace = setTimeout(() => {
      if (pooled.job !== job) return;
      pooled.job = undefined;
      this.settle(job, verdict);
      this.replace(pooled);
    }, INTERRUPT_GRACE_MS);
  }

  private settle(job: Job, result: CodeRunResult): void {
    clearTimeout(job.deadline);
    clearTimeout(job.grace);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    job.resolve(result);
  }

  private replace(pooled: PooledWorker): void {
    this.remove(pooled);
    void pooled.worker.terminate();
    if (!this.closed) this.spawn();
    this.dispatch();
  }

  /** Handles a worker that died on its own: its run fails, and a fresh worker takes its place. */
  private retire(pooled: PooledWorker, result: CodeRunResult): void {
    if (!this.pool.includes(pooled)) return;
    const job = pooled.job;
    pooled.job = undefined;
    if (job) this.settle(job, job.verdict ?? result);
    this.replace(pooled);
  }

  private remove(pooled: PooledWorker): void {
    const index = this.pool.indexOf(pooled);
    if (index >= 0) this.pool.splice(index, 1);
  }

  private toResult(outcome: PythonRunOutcome): CodeRunResult {
    if (outcome.ok) return outcome;
    if (outcome.kind === 'memory') return this.memoryResult();
    // Only the main thread interrupts, and it sets a verdict first; an interrupt without one is treated as a crash.
    if (outcome.kind === 'interrupted') return { ok: false, kind: 'runtime', error: 'Code was interrupted' };
    return outcome as CodeRunResult;
  }

  private memoryResult(): CodeRunResult {
    return { ok: false, kind: 'memory', error: `Code used more than the ${this.limits.memoryMb} MB memory limit` };
  }
}

function abortedResult(): CodeRunResult {
  return { ok: false, kind: 'aborted', error: 'Code run was aborted' };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
