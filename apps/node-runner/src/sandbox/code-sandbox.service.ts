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

  /** Runs one code node; resolves with its result or the reason it failed, never rejects for user code. */
  async run(request: CodeRunRequest, signal?: AbortSignal): Promise<CodeRunResult> {
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
    try {
      return await this.execute(request, signal);
    } finally {
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
