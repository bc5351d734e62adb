import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { JavaScriptRunner } from './javascript-runner.service';
import { PythonRunner } from './python-runner.service';
import { SandboxLauncher } from './sandbox-launcher.service';
import type { CodeRunRequest, CodeRunResult, CodeSandboxOptions, IsolationStatus } from './sandbox.types';
import { SlotWaitAborted, WorkspaceSlots } from './workspace-slots.util';

/**
 * Runs the code of Dify "code" nodes with Dify's calling convention, behind an operating-system boundary:
 * Python `main(**inputs)` in Debian's CPython, one fresh isolated process per run; JavaScript `main({...inputs})`
 * in QuickJS, one fresh WebAssembly instance per run, in sandboxed host processes. Every run is limited in
 * time, memory and output and fails alone. Runs share a fixed number of slots, a bounded share per workspace.
 * Where the sandbox cannot start (and weak isolation was not accepted), every run fails saying why.
 */
export class CodeSandbox {
  private readonly launcher: SandboxLauncher;
  private readonly javascript: JavaScriptRunner;
  private readonly python: PythonRunner;
  private readonly slots: WorkspaceSlots;
  private status?: IsolationStatus;

  constructor(private readonly options: CodeSandboxOptions) {
    const { maxOutputBytes, memoryMb, timeoutMs } = options;
    this.launcher = new SandboxLauncher(options.isolation);
    this.javascript = new JavaScriptRunner(this.launcher, { hosts: options.javascriptWorkers, maxOutputBytes, memoryMb, timeoutMs });
    this.python = new PythonRunner(this.launcher, {
      maxOutputBytes,
      memoryMb,
      scratchMb: options.scratchMb,
      spares: options.pythonWorkers,
      timeoutMs,
    });
    this.slots = new WorkspaceSlots(options.maxConcurrent, Math.min(options.maxConcurrentPerWorkspace, options.maxConcurrent));
  }

  /** Checks the sandbox once and says how code will be confined on this node runner. */
  start(): IsolationStatus {
    this.status ??= this.launcher.start();
    return this.status;
  }

  isolation(): IsolationStatus {
    return this.status ?? this.start();
  }

  /**
   * Runs one code node; resolves with its result or the reason it failed, never rejects for user code. Each run
   * is a `weft.code.execute` span: language, time spent running (not waiting for a slot), and which limit it hit.
   */
  async run(request: CodeRunRequest, signal?: AbortSignal): Promise<CodeRunResult> {
    const span = trace.getTracer('weft').startSpan('weft.code.execute', { attributes: { 'weft.code.language': request.language } });
    try {
      const result = await this.runInSlot(request, span, signal);
      span.setAttribute('weft.code.limit_hit', limitHit(result));
      if (!result.ok) {
        span.setAttribute('weft.code.error_kind', result.kind);
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
      }
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  private async runInSlot(request: CodeRunRequest, span: Span, signal?: AbortSignal): Promise<CodeRunResult> {
    const status = this.isolation();
    if (status.level === 'unavailable') {
      return {
        ok: false,
        kind: 'unavailable',
        error: `Code nodes cannot run on this node runner: the code sandbox is unavailable (${status.reason ?? 'unknown reason'}). See docs/security.md, "Code sandbox".`,
      };
    }
    let release: () => void;
    try {
      release = await this.slots.acquire(request.workspaceId, signal);
    } catch (error) {
      if (error instanceof SlotWaitAborted) return { ok: false, kind: 'aborted', error: error.message };
      throw error;
    }
    const started = process.hrtime.bigint();
    try {
      return await this.execute(request, signal);
    } finally {
      span.setAttribute('weft.code.duration_ms', Number(process.hrtime.bigint() - started) / 1e6);
      release();
    }
  }

  /** Stops the sandboxes; runs still waiting or running end as aborted. */
  async close(): Promise<void> {
    await Promise.all([this.javascript.close(), this.python.close()]);
    this.launcher.close();
  }

  private execute(request: CodeRunRequest, signal?: AbortSignal): Promise<CodeRunResult> {
    switch (request.language) {
      case 'javascript':
        return this.javascript.run(request.code, request.inputs, signal);
      case 'python3':
        return this.python.run(request.code, request.inputs, signal);
      default: {
        const unknown: never = request.language;
        return Promise.resolve({ ok: false, kind: 'runtime', error: `Unsupported code language "${String(unknown)}"` });
      }
    }
  }
}

/** Which of the sandbox's limits ended a run: time (wall or CPU), memory, output size, scratch file size, or none. */
export function limitHit(result: CodeRunResult): 'file' | 'memory' | 'none' | 'output' | 'timeout' {
  if (result.ok) return 'none';
  if (result.kind === 'timeout') return 'timeout';
  if (result.kind === 'memory') return 'memory';
  // The runners report an oversized result as invalid output, saying which limit it passed.
  if (result.kind === 'invalid_output' && /byte limit/.test(result.error)) return 'output';
  if (result.kind === 'runtime' && /wrote a file larger than/.test(result.error)) return 'file';
  return 'none';
}
