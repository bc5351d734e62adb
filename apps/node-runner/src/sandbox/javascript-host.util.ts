/** The JavaScript host's one argument. */
export interface JavaScriptHostConfig {
  maxOutputBytes: number;
  memoryMb: number;
  /** Folder holding quickjs-emscripten-core and its WebAssembly variant, as the host sees it. */
  nodeModules: string;
  timeoutMs: number;
}

/**
 * The JavaScript host, CommonJS run by `node -e` inside bubblewrap (see SandboxLauncher) with one JSON
 * argument ({@link JavaScriptHostConfig}). It runs JavaScript code nodes in QuickJS compiled to WebAssembly,
 * and every run gets a new WebAssembly instance: fresh linear memory holding the whole interpreter, so
 * nothing a run leaves behind (globals, prototypes, heap contents) exists for the next one. The next instance
 * is prepared while the host waits, so a run does not pay for it. QuickJS gives user code no host objects
 * at all (no require, process, fetch or file access); the sandbox around the host is the second wall.
 *
 * Protocol, one JSON object per line. In on stdin: `{"id", "code", "inputsJson"}`, one at a time. Out on
 * stdout: `{"op":"ready"}` once, then `{"id", "outcome"}` per run, where outcome is a CodeRunResult, and
 * `{"op":"warm"}` once the instance for the next run is ready.
 */
export const JAVASCRIPT_HOST_SOURCE = String.raw`
'use strict';
const config = JSON.parse(process.argv[process.argv.length - 1]);
const fs = require('node:fs');
const readline = require('node:readline');
const core = require(config.nodeModules + '/quickjs-emscripten-core');
const baseVariant = require(config.nodeModules + '/@jitl/quickjs-wasmfile-release-sync').default;

const MB = 1024 * 1024;
// Well below the wasm module's own stack, so deep recursion ends as a catchable "stack overflow" in the VM.
const MAX_STACK_BYTES = 256 * 1024;
const PRELUDE = 'globalThis.console = Object.freeze({ log() {}, info() {}, warn() {}, error() {}, debug() {} });';
// Runs after the user's script so main may be a function declaration or a top-level const.
const CALL_MAIN = [
  '(() => {',
  '  const inputs = JSON.parse(globalThis.__weftInputs);',
  '  delete globalThis.__weftInputs;',
  "  if (typeof main !== 'function') return { kind: 'runtime', error: 'Code must define a function named main' };",
  '  const output = main(inputs);',
  "  if (output !== null && typeof output === 'object' && typeof output.then === 'function') {",
  "    return { kind: 'invalid_output', error: 'Output must be an object, but main returned a Promise (async main is not supported)' };",
  '  }',
  "  if (output === null || typeof output !== 'object' || Array.isArray(output)) {",
  "    const got = output === null ? 'null' : Array.isArray(output) ? 'an array' : typeof output;",
  "    return { kind: 'invalid_output', error: 'Output must be an object, got ' + got };",
  '  }',
  '  try {',
  '    return JSON.stringify(output);',
  '  } catch (e) {',
  "    return { kind: 'invalid_output', error: 'Output is not JSON-serializable: ' + (e && e.message) };",
  '  }',
  '})()',
].join('\n');

const wasmPath = config.nodeModules + '/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm';
const variant = core.newVariant(baseVariant, { wasmModule: new WebAssembly.Module(fs.readFileSync(wasmPath)) });
let next = core.newQuickJSWASMModuleFromVariant(variant);

function describeVmError(dumped) {
  if (dumped && typeof dumped === 'object') {
    const head = [dumped.name, dumped.message].filter((part) => typeof part === 'string' && part !== '').join(': ');
    const where = typeof dumped.stack === 'string' ? /\(?(code\.js:\d+(?::\d+)?)\)?/.exec(dumped.stack) : null;
    if (head) return where ? head + ' (' + where[1] + ')' : head;
  }
  // QuickJS reports some out-of-memory conditions as a bare null exception.
  if (dumped === null) return 'out of memory';
  return 'Uncaught ' + (typeof dumped === 'string' ? dumped : JSON.stringify(dumped));
}

function failure(context, errorHandle) {
  let dumped;
  try {
    dumped = context.dump(errorHandle);
  } finally {
    errorHandle.dispose();
  }
  const error = describeVmError(dumped);
  if (/out of memory/i.test(error)) return { ok: false, kind: 'memory', error: 'Code used more than the ' + config.memoryMb + ' MB memory limit' };
  return { ok: false, kind: 'runtime', error };
}

function execute(context, code, inputsJson) {
  const prelude = context.evalCode(PRELUDE, 'prelude.js');
  if (prelude.error) return failure(context, prelude.error);
  prelude.value.dispose();
  const inputs = context.newString(inputsJson);
  context.setProp(context.global, '__weftInputs', inputs);
  inputs.dispose();
  const script = context.evalCode(code, 'code.js');
  if (script.error) return failure(context, script.error);
  script.value.dispose();
  const call = context.evalCode(CALL_MAIN, 'call-main.js');
  if (call.error) return failure(context, call.error);
  const handle = call.value;
  try {
    if (context.typeof(handle) !== 'string') {
      const problem = context.dump(handle);
      return { ok: false, kind: problem.kind, error: problem.error };
    }
    const json = context.getString(handle);
    if (Buffer.byteLength(json, 'utf8') > config.maxOutputBytes) {
      return { ok: false, kind: 'invalid_output', error: 'Output is larger than the ' + config.maxOutputBytes + ' byte limit' };
    }
    try {
      return { ok: true, result: JSON.parse(json) };
    } catch (error) {
      // The run replaced JSON.stringify: its own output is all it can spoil.
      return { ok: false, kind: 'invalid_output', error: 'Output is not valid JSON: ' + error.message };
    }
  } finally {
    handle.dispose();
  }
}

async function run(request) {
  const quickJs = await next;
  next = core.newQuickJSWASMModuleFromVariant(variant);
  const runtime = quickJs.newRuntime();
  const deadline = Date.now() + config.timeoutMs;
  let timedOut = false;
  runtime.setMemoryLimit(config.memoryMb * MB);
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  runtime.setInterruptHandler(() => (timedOut = Date.now() > deadline));
  const context = runtime.newContext();
  try {
    const outcome = execute(context, request.code, request.inputsJson);
    return timedOut ? { ok: false, kind: 'timeout', error: 'Code ran longer than the ' + config.timeoutMs + ' ms limit' } : outcome;
  } catch (error) {
    if (timedOut) return { ok: false, kind: 'timeout', error: 'Code ran longer than the ' + config.timeoutMs + ' ms limit' };
    return { ok: false, kind: 'runtime', error: 'JavaScript sandbox failed: ' + ((error && error.message) || String(error)) };
  }
  // The instance is dropped, not disposed: it is never used again, and freeing into a heap a run may have
  // corrupted could fail. Its memory goes with it.
}

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  queue = queue.then(async () => {
    send({ id: request.id, outcome: await run(request) });
    // Preparing the next instance keeps this host busy for a few milliseconds: say when it is done, so the
    // node runner can prefer a host that is ready at once.
    next.then(() => send({ op: 'warm' }), () => undefined);
  });
});
process.stdin.on('end', () => process.exit(0));
next.then(() => send({ op: 'ready' }), (error) => {
  process.stderr.write('QuickJS failed to load: ' + ((error && error.stack) || error) + '\n');
  process.exit(1);
});
`;
