import { JavaScriptRunner } from './javascript-runner.service';
import { PythonRunner } from './python-runner.service';
import { CodeRunRequest, CodeRunResult, CodeSandboxOptions } from './sandbox.types';

/**
 * Runs the code of Dify "code" nodes with Dify's calling convention: JavaScript `main({ ...inputs })` in
 * QuickJS, Python `main(**inputs)` in Pyodide worker threads. Every run is limited in time and memory and
 * fails alone: the sandbox keeps serving the next run.
 */
export class CodeSandbox {
  private readonly javascript: JavaScriptRunner;
  private readonly python: PythonRunner;

  constructor(options: CodeSandboxOptions) {
    const { maxOutputBytes, memoryMb, timeoutMs } = options;
    this.javascript = new JavaScriptRunner({ maxOutputBytes, memoryMb, timeoutMs });
    this.python = new PythonRunner({ maxOutputBytes, memoryMb, timeoutMs, workers: Math.max(1, options.pythonWorkers ?? 1) });
  }

  /** Runs one code node; resolves with its result or the reason it failed, never rejects for user code. */
  run(request: CodeRunRequest, signal?: AbortSignal): Promise<CodeRunResult> {
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

  /** Stops the Python workers; runs still waiting or running end as aborted. */
  close(): Promise<void> {
    return this.python.close();
  }
}
