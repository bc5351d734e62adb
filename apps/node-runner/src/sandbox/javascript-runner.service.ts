import { createRequire } from 'node:module';
import {
  newQuickJSWASMModuleFromVariant,
  QuickJSContext,
  QuickJSHandle,
  QuickJSWASMModule,
  RELEASE_SYNC,
} from 'quickjs-emscripten';
import { CodeRunResult } from './sandbox.types';

// The published variant loads its emscripten module with import(), which Jest's CommonJS runtime rejects;
// requiring the package's CommonJS build of that module works under Jest and in the compiled service alike.
const nodeRequire = createRequire(__filename);
const QUICKJS_VARIANT: typeof RELEASE_SYNC = {
  type: 'sync',
  importFFI: RELEASE_SYNC.importFFI,
  importModuleLoader: () =>
    Promise.resolve(nodeRequire('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as never),
};

const MB = 1024 * 1024;
// Well below the wasm module's own stack, so deep recursion ends as a catchable "stack overflow" in the VM.
const MAX_STACK_BYTES = 256 * 1024;

// The VM gets nothing from the host: QuickJS has no require, process, fetch or file access of its own, and
// this prelude only adds a console whose methods discard their arguments.
const PRELUDE = `globalThis.console = Object.freeze({ log() {}, info() {}, warn() {}, error() {}, debug() {} });`;

// Runs after the user's script so `main` may be a function declaration or a top-level const. It returns the
// output as a JSON string, or an object describing why there is none.
const CALL_MAIN = `(() => {
  const inputs = JSON.parse(globalThis.__weftInputs);
  delete globalThis.__weftInputs;
  if (typeof main !== 'function') return { kind: 'runtime', error: 'Code must define a function named main' };
  const output = main(inputs);
  if (output !== null && typeof output === 'object' && typeof output.then === 'function') {
    return { kind: 'invalid_output', error: 'Output must be an object, but main returned a Promise (async main is not supported)' };
  }
  if (output === null || typeof output !== 'object' || Array.isArray(output)) {
    const got = output === null ? 'null' : Array.isArray(output) ? 'an array' : typeof output;
    return { kind: 'invalid_output', error: 'Output must be an object, got ' + got };
  }
  try {
    return JSON.stringify(output);
  } catch (e) {
    return { kind: 'invalid_output', error: 'Output is not JSON-serializable: ' + (e && e.message) };
  }
})()`;

/** Runs JavaScript code nodes in QuickJS (WebAssembly), one fresh runtime per run. */
export class JavaScriptRunner {
  private module?: Promise<QuickJSWASMModule>;

  constructor(private readonly limits: { maxOutputBytes: number; memoryMb: number; timeoutMs: number }) {}

  /**
   * QuickJS executes synchronously on the calling thread, so a run blocks the event loop for up to timeoutMs.
   * The abort signal is therefore honoured when the run starts and at every interrupt check, which only sees
   * aborts raised from outside this thread's event loop (or before the run).
   */
  async run(code: string, inputs: Record<string, unknown>, signal?: AbortSignal): Promise<CodeRunResult> {
    const quickJs = await this.loadModule();
    if (signal?.aborted) return abortedResult();
    let inputsJson: string;
    try {
      inputsJson = JSON.stringify(inputs);
    } catch (error) {
      return { ok: false, kind: 'runtime', error: `Inputs are not JSON-serializable: ${messageOf(error)}` };
    }

    const runtime = quickJs.newRuntime();
    let stopReason: 'aborted' | 'timeout' | undefined;
    try {
      runtime.setMemoryLimit(this.limits.memoryMb * MB);
      runtime.setMaxStackSize(MAX_STACK_BYTES);
      const deadline = Date.now() + this.limits.timeoutMs;
      runtime.setInterruptHandler(() => {
        if (signal?.aborted) stopReason = 'aborted';
        else if (Date.now() > deadline) stopReason = 'timeout';
        return stopReason !== undefined;
      });
      const context = runtime.newContext();
      try {
        const outcome = this.execute(context, code, inputsJson);
        if (stopReason === 'timeout') return this.timeoutResult();
        if (stopReason === 'aborted') return abortedResult();
        return outcome;
      } finally {
        context.dispose();
      }
    } catch (error) {
      // A failure outside the VM's own exceptions means the wasm module may be in a bad state: start afresh.
      this.module = undefined;
      if (stopReason === 'timeout') return this.timeoutResult();
      if (stopReason === 'aborted') return abortedResult();
      return { ok: false, kind: 'runtime', error: `JavaScript sandbox failed: ${messageOf(error)}` };
    } finally {
      try {
        runtime.dispose();
      } catch {
        this.module = undefined;
      }
    }
  }

  private execute(context: QuickJSContext, code: string, inputsJson: string): CodeRunResult {
    const prelude = context.evalCode(PRELUDE, 'prelude.js');
    if (prelude.error) return this.failure(context, prelude.error);
    prelude.value.dispose();

    const inputsHandle = context.newString(inputsJson);
    context.setProp(context.global, '__weftInputs', inputsHandle);
    inputsHandle.dispose();

    const script = context.evalCode(code, 'code.js');
    if (script.error) return this.failure(context, script.error);
    script.value.dispose();

    const call = context.evalCode(CALL_MAIN, 'call-main.js');
    if (call.error) return this.failure(context, call.error);
    const handle = call.value;
    try {
      if (context.typeof(handle) !== 'string') {
        const problem = context.dump(handle) as { kind: 'invalid_output' | 'runtime'; error: string };
        return { ok: false, kind: problem.kind, error: problem.error };
      }
      const json = context.getString(handle);
      if (Buffer.byteLength(json, 'utf8') > this.limits.maxOutputBytes) {
        return { ok: false, kind: 'invalid_output', error: `Output is larger than the ${this.limits.maxOutputBytes} byte limit` };
      }
      return { ok: true, result: JSON.parse(json) as Record<string, unknown> };
    } finally {
      handle.dispose();
    }
  }

  private failure(context: QuickJSContext, errorHandle: QuickJSHandle): CodeRunResult {
    let dumped: unknown;
    try {
      dumped = context.dump(errorHandle);
    } finally {
      errorHandle.dispose();
    }
    const error = describeVmError(dumped);
    if (/out of memory/i.test(error)) {
      return { ok: false, kind: 'memory', error: `Code used more than the ${this.limits.memoryMb} MB memory limit` };
    }
    return { ok: false, kind: 'runtime', error };
  }

  private timeoutResult(): CodeRunResult {
    return { ok: false, kind: 'timeout', error: `Code ran longer than the ${this.limits.timeoutMs} ms limit` };
  }

  private loadModule(): Promise<QuickJSWASMModule> {
    this.module ??= newQuickJSWASMModuleFromVariant(QUICKJS_VARIANT);
    return this.module;
  }
}

function describeVmError(dumped: unknown): string {
  if (dumped && typeof dumped === 'object') {
    const { name, message, stack } = dumped as { message?: unknown; name?: unknown; stack?: unknown };
    const head = [name, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
    // QuickJS stacks name the file and line ("at main (code.js:3)"), which is what a workflow author needs.
    const where = typeof stack === 'string' ? /\(?(code\.js:\d+(?::\d+)?)\)?/.exec(stack)?.[1] : undefined;
    if (head) return where ? `${head} (${where})` : head;
  }
  // QuickJS reports some out-of-memory conditions as a bare null exception.
  if (dumped === null) return 'out of memory';
  return `Uncaught ${typeof dumped === 'string' ? dumped : JSON.stringify(dumped)}`;
}

function abortedResult(): CodeRunResult {
  return { ok: false, kind: 'aborted', error: 'Code run was aborted' };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
