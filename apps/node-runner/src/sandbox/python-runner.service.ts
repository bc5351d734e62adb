import type { ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PYTHON_ZYGOTE_SOURCE, type PythonZygoteConfig } from './python-zygote.util';
import type { SandboxLauncher } from './sandbox-launcher.service';
import { abortedResult, messageOf } from './code-run-result.util';
import type { CodeRunResult } from './sandbox.types';
import { PYTHON_ONLY_DENIED_SYSCALLS } from './seccomp-policy.util';

/** Settings of the Python runner; the limits apply to every run. */
export interface PythonRunnerOptions {
  maxOutputBytes: number;
  memoryMb: number;
  scratchMb: number;
  spares: number;
  timeoutMs: number;
}

/** What the zygote reports about a run: its result file is complete, or its process ended without one. */
type ZygoteReport =
  { op: 'done'; id: string } | { op: 'exit'; id: string; timedOut: boolean; code?: number; signal?: number } | { op: 'ready' };

interface PendingRun {
  aborted: boolean;
  resolve: (result: CodeRunResult) => void;
}

interface Zygote {
  process: ChildProcess;
  ready: Promise<void>;
  /** It said it was ready: if it dies later, the next run simply starts a new one. */
  started: boolean;
  runs: Map<string, PendingRun>;
  stderr: string;
}

// How long past the zygote's own deadline a run may stay unanswered before the zygote is taken for stuck.
const STUCK_GRACE_MS = 3000;
// Address space beyond memoryMb for the interpreter itself: thread stacks and the allocator's arena.
const HEADROOM_MB = 48;
const MAX_THREADS = 16;
const SIGXCPU = 24;
const SIGXFSZ = 25;
const SIGSEGV = 11;
const SIGKILL = 9;
const RESTART_BACKOFF_MS = 2000;
// The `{"ok": true, "result": …}` around a result, or a failure's kind and message.
const RESULT_ENVELOPE_BYTES = 64 * 1024;

/**
 * Runs Python code nodes with Debian's CPython in a sandboxed zygote (see PYTHON_ZYGOTE_SOURCE): each run gets
 * a process of its own, forked and isolated ahead of time, used once. Payloads and results cross through
 * files in a folder only the sandbox user and the node runner can open.
 */
export class PythonRunner {
  private zygote?: Zygote;
  private ipcDir?: string;
  private nextId = 1;
  private lastFailure?: { at: number; error: string };
  private closed = false;

  constructor(
    private readonly launcher: SandboxLauncher,
    private readonly options: PythonRunnerOptions,
  ) {}

  async run(code: string, inputs: Record<string, unknown>, signal?: AbortSignal): Promise<CodeRunResult> {
    if (this.closed) return { ok: false, kind: 'aborted', error: 'Code sandbox is closed' };
    if (signal?.aborted) return abortedResult();
    let payload: string;
    try {
      payload = JSON.stringify({ code, inputs });
    } catch (error) {
      return { ok: false, kind: 'runtime', error: `Inputs are not JSON-serializable: ${messageOf(error)}` };
    }
    let zygote: Zygote;
    try {
      zygote = await this.ensureZygote();
    } catch (error) {
      return { ok: false, kind: 'runtime', error: `Python sandbox failed to start: ${messageOf(error)}` };
    }
    const id = String(this.nextId++);
    const ipc = this.requireIpcDir();
    try {
      await writeFile(join(ipc, `${id}.in`), payload, { mode: 0o644 });
    } catch (error) {
      void this.cleanup(id);
      return { ok: false, kind: 'runtime', error: `Could not hand the code to the Python sandbox: ${messageOf(error)}` };
    }
    return new Promise<CodeRunResult>((resolve) => {
      const onAbort = (): void => {
        pending.aborted = true;
        this.send(zygote, { id, op: 'kill' });
      };
      const stuck = setTimeout(
        () => this.restart(zygote, `Python sandbox did not answer within ${this.options.timeoutMs + STUCK_GRACE_MS} ms`),
        this.options.timeoutMs + STUCK_GRACE_MS,
      );
      const pending: PendingRun = {
        aborted: false,
        resolve: (result) => {
          clearTimeout(stuck);
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      zygote.runs.set(id, pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send(zygote, { id, op: 'run' });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const zygote = this.zygote;
    this.zygote = undefined;
    if (zygote) this.fail(zygote, { ok: false, kind: 'aborted', error: 'Code sandbox is closed' });
    zygote?.process.stdin?.end();
    zygote?.process.kill('SIGKILL');
  }

  private send(zygote: Zygote, message: { id: string; op: 'kill' | 'run' }): void {
    zygote.process.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private requireIpcDir(): string {
    this.ipcDir ??= this.launcher.privateDir('python-ipc');
    return this.ipcDir;
  }

  private ensureZygote(): Promise<Zygote> {
    if (this.zygote) return this.zygote.ready.then(() => this.zygote as Zygote);
    if (this.lastFailure && Date.now() - this.lastFailure.at < RESTART_BACKOFF_MS) return Promise.reject(new Error(this.lastFailure.error));
    const zygote = this.startZygote();
    this.zygote = zygote;
    return zygote.ready.then(() => zygote);
  }

  private startZygote(): Zygote {
    const ipc = this.requireIpcDir();
    const weak = this.launcher.isolation().level === 'weak';
    const config: PythonZygoteConfig = {
      headroomMb: HEADROOM_MB,
      ipc: weak ? ipc : '/ipc',
      isolate: !weak,
      maxOutputBytes: this.options.maxOutputBytes,
      maxThreads: MAX_THREADS,
      memoryMb: this.options.memoryMb,
      scratch: weak ? ipc : '/tmp',
      scratchMb: this.options.scratchMb,
      seccompFilter: this.launcher.seccompProgram(PYTHON_ONLY_DENIED_SYSCALLS).toString('base64'),
      spares: this.options.spares,
      timeoutMs: this.options.timeoutMs,
    };
    const child = this.launcher.launch({
      binds: [{ from: ipc, to: '/ipc', writable: true }],
      command: [this.launcher.pythonPath(), '-I', '-B', '-c', PYTHON_ZYGOTE_SOURCE, JSON.stringify(config)],
      proc: true,
      seccomp: false,
    });
    const zygote: Zygote = { process: child, ready: Promise.resolve(), runs: new Map(), started: false, stderr: '' };
    zygote.ready = new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        zygote.stderr = (zygote.stderr + chunk.toString()).slice(-4000);
      });
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let report: ZygoteReport;
        try {
          report = JSON.parse(line) as ZygoteReport;
        } catch {
          return;
        }
        if (report.op === 'ready') {
          zygote.started = true;
          resolve();
        } else void this.settle(zygote, report);
      });
      child.on('error', (error) => reject(error));
      child.on('exit', (code, signal) => {
        const error = `Python sandbox exited (${signal ?? `code ${String(code)}`})${zygote.stderr ? `: ${lastLine(zygote.stderr)}` : ''}`;
        reject(new Error(error));
        if (this.zygote === zygote) {
          this.zygote = undefined;
          // One that never started would fail the same way at once: wait a little before trying again.
          if (!zygote.started) this.lastFailure = { at: Date.now(), error };
        }
        this.fail(zygote, { ok: false, kind: 'runtime', error });
      });
    });
    // A zygote that failed to start is reported through run results; the rejection itself is not an error here.
    zygote.ready.catch(() => undefined);
    // A zygote killed mid-write resets its pipes; its exit is what reports the runs.
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.on('error', () => undefined);
    return zygote;
  }

  private restart(zygote: Zygote, reason: string): void {
    if (this.zygote === zygote) this.zygote = undefined;
    this.fail(zygote, { ok: false, kind: 'runtime', error: reason });
    zygote.process.kill('SIGKILL');
  }

  private fail(zygote: Zygote, result: CodeRunResult): void {
    for (const [id, pending] of zygote.runs) {
      zygote.runs.delete(id);
      pending.resolve(result);
      void this.cleanup(id);
    }
  }

  private async settle(zygote: Zygote, report: Exclude<ZygoteReport, { op: 'ready' }>): Promise<void> {
    const pending = zygote.runs.get(report.id);
    if (!pending) return;
    zygote.runs.delete(report.id);
    let result: CodeRunResult;
    if (report.op === 'done') {
      result = await this.readResult(report.id);
      if (!result.ok && result.kind === 'memory')
        result = { ok: false, kind: 'memory', error: `Code used more than the ${this.options.memoryMb} MB memory limit` };
    } else {
      result = this.exitResult(report, pending.aborted);
    }
    void this.cleanup(report.id);
    pending.resolve(pending.aborted && report.op === 'exit' ? abortedResult() : result);
  }

  /**
   * The run's result file. Its size is checked here as well as by the harness: user code can write to the
   * file itself (up to the scratch size) and must not get past CODE_MAX_OUTPUT_BYTES that way.
   */
  private async readResult(id: string): Promise<CodeRunResult> {
    const text = await readFile(join(this.requireIpcDir(), `${id}.out`)).catch(() => Buffer.alloc(0));
    if (text.length > this.options.maxOutputBytes + RESULT_ENVELOPE_BYTES) {
      return { ok: false, kind: 'invalid_output', error: `Output is larger than the ${this.options.maxOutputBytes} byte limit` };
    }
    return parseResult(text.toString('utf8'));
  }

  private exitResult(report: { timedOut: boolean; code?: number; signal?: number }, aborted: boolean): CodeRunResult {
    if (aborted) return abortedResult();
    if (report.timedOut) return { ok: false, kind: 'timeout', error: `Code ran longer than the ${this.options.timeoutMs} ms limit` };
    switch (report.signal) {
      case SIGXCPU:
      case SIGKILL:
        return {
          ok: false,
          kind: 'timeout',
          error: `Code used more than the ${Math.ceil(this.options.timeoutMs / 1000) + 1} s CPU time limit`,
        };
      case SIGXFSZ:
        return { ok: false, kind: 'runtime', error: `Code wrote a file larger than the ${this.options.scratchMb} MB limit` };
      case SIGSEGV:
        return { ok: false, kind: 'runtime', error: 'Code crashed the Python interpreter (segmentation fault)' };
      case undefined:
        return { ok: false, kind: 'runtime', error: `Code sandbox process ended without a result (exit code ${String(report.code)})` };
      default:
        return { ok: false, kind: 'runtime', error: `Code sandbox process was ended by signal ${report.signal}` };
    }
  }

  private async cleanup(id: string): Promise<void> {
    const ipc = this.requireIpcDir();
    await Promise.all([rm(join(ipc, `${id}.in`), { force: true }), rm(join(ipc, `${id}.out`), { force: true })]);
  }
}

/** The run process's result file: the `{ok, ...}` envelope the zygote's harness writes. */
function parseResult(text: string): CodeRunResult {
  try {
    const parsed = JSON.parse(text) as { ok?: unknown; result?: unknown; kind?: unknown; error?: unknown };
    if (parsed.ok === true && parsed.result !== null && typeof parsed.result === 'object' && !Array.isArray(parsed.result)) {
      return { ok: true, result: parsed.result as Record<string, unknown> };
    }
    if (parsed.ok === false && typeof parsed.error === 'string') {
      const kind = parsed.kind === 'memory' || parsed.kind === 'invalid_output' ? parsed.kind : 'runtime';
      return { ok: false, kind, error: parsed.error };
    }
  } catch {
    // fall through: the result was not written completely
  }
  return { ok: false, kind: 'invalid_output', error: 'Code sandbox returned an unreadable result' };
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? text;
}
