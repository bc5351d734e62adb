import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { JAVASCRIPT_HOST_SOURCE, type JavaScriptHostConfig } from './javascript-host.util';
import type { SandboxLauncher } from './sandbox-launcher.service';
import { abortedResult, messageOf } from './code-run-result.util';
import type { CodeRunResult } from './sandbox.types';

/** Settings of the JavaScript runner; the limits apply to every run. */
export interface JavaScriptRunnerOptions {
  hosts: number;
  maxOutputBytes: number;
  memoryMb: number;
  timeoutMs: number;
}

interface Job {
  id: number;
  inputsJson: string;
  code: string;
  resolve: (result: CodeRunResult) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  timer?: NodeJS.Timeout;
}

interface Host {
  process: ChildProcess;
  ready: boolean;
  /** Its next QuickJS instance is prepared, so a run starts at once. */
  warm: boolean;
  job?: Job;
  stderr: string;
}

// QuickJS checks its own deadline at every interrupt poll; the host is killed only if it misses it by this much.
const HOST_DEADLINE_GRACE_MS = 1000;
const RESTART_BACKOFF_MS = 2000;
// The host's own V8 heap holds the run's strings and QuickJS's glue, not user objects (those live in wasm memory).
const HOST_HEAP_MB = 128;
// What Node itself maps before any code runs, as RLIMIT_DATA counts it: under 300 MB on Node 20, about 580 MB
// on Node 26, whose V8 reserves its code range up front (below that it stops at start with "Failed to reserve
// virtual memory for CodeRange"). Reserved, not resident: the limit is a backstop, QuickJS's own limit governs.
const NODE_BASELINE_MB = 768;

/**
 * Runs JavaScript code nodes in a small pool of sandboxed host processes (see JAVASCRIPT_HOST_SOURCE), one
 * run per host at a time, so user code never runs on the node runner's event loop. A host that overruns its
 * deadline, or whose run is aborted, is killed and replaced.
 */
export class JavaScriptRunner {
  private readonly hosts: Host[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private lastFailure?: { at: number; error: string };

  constructor(
    private readonly launcher: SandboxLauncher,
    private readonly options: JavaScriptRunnerOptions,
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
    if (this.lastFailure && Date.now() - this.lastFailure.at < RESTART_BACKOFF_MS && this.hosts.every((host) => !host.ready)) {
      return Promise.resolve({ ok: false, kind: 'runtime', error: `JavaScript sandbox failed to start: ${this.lastFailure.error}` });
    }
    return new Promise<CodeRunResult>((resolve) => {
      const job: Job = { code, id: this.nextId++, inputsJson, resolve, signal };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      while (this.hosts.length < this.options.hosts) this.spawn();
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, { ok: false, kind: 'aborted', error: 'Code sandbox is closed' });
    for (const host of this.hosts.splice(0)) {
      if (host.job) this.settle(host.job, { ok: false, kind: 'aborted', error: 'Code sandbox is closed' });
      host.process.kill('SIGKILL');
    }
  }

  private spawn(): void {
    const config: JavaScriptHostConfig = {
      maxOutputBytes: this.options.maxOutputBytes,
      memoryMb: this.options.memoryMb,
      nodeModules: this.launcher.nodeModulesPath(),
      timeoutMs: this.options.timeoutMs,
    };
    const process = this.launcher.launch({
      binds: [this.launcher.nodeModulesBind(), { from: globalThis.process.execPath, to: '/sandbox/node' }],
      command: [
        // The kernel's backstop for memory: the current and the prepared QuickJS instance, the host's own heap, Node itself.
        '/usr/bin/prlimit',
        '--core=0',
        `--data=${(2 * this.options.memoryMb + HOST_HEAP_MB + NODE_BASELINE_MB) * 1024 * 1024}`,
        '--fsize=0',
        '--nofile=256',
        '--nproc=64',
        '--',
        this.launcher.nodePath(),
        `--max-old-space-size=${HOST_HEAP_MB}`,
        '-e',
        JAVASCRIPT_HOST_SOURCE,
        JSON.stringify(config),
      ],
      proc: false,
      seccomp: true,
    });
    const host: Host = { process, ready: false, stderr: '', warm: false };
    this.hosts.push(host);
    process.stderr?.on('data', (chunk: Buffer) => {
      host.stderr = (host.stderr + chunk.toString()).slice(-4000);
    });
    // A host killed mid-write resets its pipes; its exit is what reports the run.
    for (const stream of [process.stdin, process.stdout, process.stderr]) stream?.on('error', () => undefined);
    createInterface({ input: process.stdout! }).on('line', (line) => this.onLine(host, line));
    process.on('error', (error) => this.retire(host, `JavaScript sandbox failed to start: ${error.message}`));
    process.on('exit', (code, signal) => {
      const said = host.stderr.trim().split('\n').pop();
      this.retire(host, `JavaScript sandbox stopped (${signal ?? `exit code ${String(code)}`})${said ? `: ${said}` : ''}`);
    });
  }

  private onLine(host: Host, line: string): void {
    let message: { op?: string; id?: number; outcome?: CodeRunResult };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.op === 'ready' || message.op === 'warm') {
      host.ready = true;
      host.warm = true;
      this.lastFailure = undefined;
      this.dispatch();
      return;
    }
    const job = host.job;
    if (!job || job.id !== message.id || !message.outcome) return;
    host.job = undefined;
    this.settle(job, message.outcome);
    // The heap a run filled to its memory limit is not worth keeping: replace the host.
    if (!message.outcome.ok && message.outcome.kind === 'memory') this.replace(host);
    this.dispatch();
  }

  private dispatch(): void {
    // Hosts whose next instance is prepared first; the others would make the run wait for that.
    const idle = this.hosts.filter((host) => host.ready && !host.job).sort((a, b) => Number(b.warm) - Number(a.warm));
    for (const host of idle) {
      const job = this.queue.shift();
      if (!job) return;
      host.job = job;
      host.warm = false;
      host.process.stdin?.write(`${JSON.stringify({ code: job.code, id: job.id, inputsJson: job.inputsJson })}\n`);
      job.timer = setTimeout(() => {
        if (host.job !== job) return;
        host.job = undefined;
        this.settle(job, { ok: false, kind: 'timeout', error: `Code ran longer than the ${this.options.timeoutMs} ms limit` });
        this.replace(host);
      }, this.options.timeoutMs + HOST_DEADLINE_GRACE_MS);
    }
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, abortedResult());
      return;
    }
    const host = this.hosts.find((candidate) => candidate.job === job);
    if (!host) return;
    host.job = undefined;
    this.settle(job, abortedResult());
    this.replace(host);
  }

  private settle(job: Job, result: CodeRunResult): void {
    clearTimeout(job.timer);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    job.resolve(result);
  }

  private replace(host: Host): void {
    this.remove(host);
    host.process.kill('SIGKILL');
    if (!this.closed && (this.queue.length > 0 || this.hosts.length < this.options.hosts)) this.spawn();
  }

  /** A host that died on its own: its run fails, and a fresh host takes its place while work is waiting. */
  private retire(host: Host, error: string): void {
    if (!this.hosts.includes(host)) return;
    this.remove(host);
    const job = host.job;
    host.job = undefined;
    if (job) this.settle(job, { ok: false, kind: 'runtime', error });
    if (!host.ready) {
      // It never started: starting again at once would fail the same way, so fail what waits instead of looping.
      this.lastFailure = { at: Date.now(), error };
      for (const waiting of this.queue.splice(0)) this.settle(waiting, { ok: false, kind: 'runtime', error });
      return;
    }
    if (!this.closed && this.queue.length > 0) this.spawn();
  }

  private remove(host: Host): void {
    const index = this.hosts.indexOf(host);
    if (index >= 0) this.hosts.splice(index, 1);
  }
}
