/** Data a Pyodide worker starts with. */
export interface PythonWorkerData {
  bootstrap: string;
  /** One byte Pyodide polls between bytecodes; writing 2 (SIGINT) raises KeyboardInterrupt in the running code. */
  interruptBuffer: SharedArrayBuffer;
  memoryMb: number;
  pyodidePath: string;
}

/** A message from the main thread asking a worker to run one code node. */
export interface PythonRunMessage {
  code: string;
  id: number;
  inputsJson: string;
  maxOutputBytes: number;
}

/** What a worker reports: that it is ready, that it could not start, or how a run ended. */
export type PythonWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'done'; id: number; outcome: PythonRunOutcome };

/** How one run ended inside the worker; `interrupted` means the main thread stopped it. */
export type PythonRunOutcome =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; kind: 'interrupted' | 'invalid_output' | 'memory' | 'runtime'; error: string };

/**
 * Python that runs once per worker and defines `_weft_run(code, inputs_json, max_output_bytes)`, which runs
 * one code node in a fresh globals dict and returns a JSON envelope. The import guard is a first line only:
 * Python code can reach the real import machinery by introspection, so the JavaScript-side hardening in
 * PYTHON_WORKER_SOURCE is what actually keeps files and sockets out of reach.
 */
export const PYTHON_BOOTSTRAP = String.raw`
def _weft_make_runner():
    import builtins, json, traceback

    blocked = {
        "_pyodide", "_pyodide_core", "_socket", "_ssl", "ctypes", "_ctypes", "http.client", "importlib",
        "js", "micropip", "pyodide", "pyodide_js", "select", "selectors", "socket", "socketserver", "ssl",
        "urllib.request", "xmlrpc", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib", "asyncio",
    }
    real_import = builtins.__import__

    def is_blocked(name):
        parts = name.split(".")
        return any(".".join(parts[: i + 1]) in blocked for i in range(len(parts)))

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (
            is_blocked(name) or any(isinstance(item, str) and is_blocked(name + "." + item) for item in fromlist or ())
        ):
            raise ImportError("Importing '" + name + "' is not allowed in the code sandbox")
        return real_import(name, globals, locals, fromlist, level)

    safe_builtins = dict(vars(builtins))
    safe_builtins["__import__"] = guarded_import
    for name in ("breakpoint", "input", "help"):
        safe_builtins.pop(name, None)

    def describe(error):
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        if isinstance(error, SyntaxError):
            return text.splitlines()[-1] + " (line " + str(error.lineno) + ")" if error.lineno else text
        line = None
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<code>":
                line = tb.tb_lineno
            tb = tb.tb_next
        return text + " (line " + str(line) + ")" if line else text

    def failure(kind, error):
        return json.dumps({"ok": False, "kind": kind, "error": error})

    def run(code, inputs_json, max_output_bytes):
        try:
            inputs = json.loads(inputs_json)
            namespace = {"__builtins__": dict(safe_builtins), "__name__": "__main__"}
            exec(compile(code, "<code>", "exec"), namespace)
            main = namespace.get("main")
            if not callable(main):
                return failure("runtime", "Code must define a function named main")
            result = main(**inputs)
            if not isinstance(result, dict):
                return failure("invalid_output", "Output must be a dict, got " + type(result).__name__)
            try:
                output = json.dumps(result, ensure_ascii=False, allow_nan=False)
            except (TypeError, ValueError) as error:
                return failure("invalid_output", "Output is not JSON-serializable: " + str(error))
            if len(output.encode("utf-8")) > max_output_bytes:
                return failure("invalid_output", "Output is larger than the " + str(max_output_bytes) + " byte limit")
            return '{"ok": true, "result": ' + output + "}"
        except MemoryError:
            return failure("memory", "MemoryError")
        except KeyboardInterrupt:
            return failure("interrupted", "KeyboardInterrupt")
        except BaseException as error:
            return failure("runtime", describe(error))

    return run

_weft_run = _weft_make_runner()
del _weft_make_runner
`;

/**
 * The worker thread, as CommonJS source run with `eval: true` so it needs no build step of its own. After
 * Pyodide loads it removes what Python could use to leave the sandbox:
 * - `js` resolves to an empty null-prototype object instead of the worker's globalThis;
 * - the emscripten socket layer refuses to create sockets (Pyodide on Node otherwise reaches the network);
 * - host-backed file systems (NODEFS and friends) and host file loaders are removed, so only the in-memory
 *   file system is visible and /etc/passwd does not exist;
 * - Function.prototype.constructor is cut, so a JavaScript object reached from Python cannot be used to
 *   compile code (and from there `import('node:fs')`);
 * - the worker gets an empty environment (Worker option env).
 * Memory: WebAssembly.Memory#grow is capped at the heap size after start-up plus memoryMb, so Python's
 * allocator fails and user code gets MemoryError. That counts every byte of the wasm heap (Python objects,
 * interpreter state, the run's input and output strings); it does not count the worker's JavaScript heap,
 * which the Worker's resourceLimits bound separately. The heap never shrinks, so a worker that hit the cap is
 * replaced by the pool.
 */
export const PYTHON_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');

async function start() {
  const { loadPyodide } = require(workerData.pyodidePath);
  const pyodide = await loadPyodide({
    jsglobals: Object.create(null),
    env: { HOME: '/home/pyodide' },
    stdout: () => {},
    stderr: () => {},
  });
  pyodide.runPython(workerData.bootstrap);
  const run = pyodide.globals.get('_weft_run');
  pyodide.globals.delete('_weft_run');

  const module = pyodide._module;
  module.SOCKFS.createSocket = () => {
    throw new module.FS.ErrnoError(pyodide.ERRNO_CODES.EACCES);
  };
  for (const name of Object.keys(module.FS.filesystems)) {
    if (name !== 'MEMFS') delete module.FS.filesystems[name];
  }
  const refuse = () => {
    throw new Error('Not available in the code sandbox');
  };
  pyodide.loadPackage = refuse;
  pyodide.mountNodeFS = refuse;
  pyodide._api.loadBinaryFile = refuse;
  pyodide._api.initializeNodeSockFS = refuse;
  for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    Object.defineProperty(Object.getPrototypeOf(fn), 'constructor', { value: undefined });
  }

  const heapCap = module.HEAP8.buffer.byteLength + workerData.memoryMb * 1024 * 1024;
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (pages) {
    if (this.buffer.byteLength + pages * 65536 > heapCap) throw new RangeError('Sandbox memory limit reached');
    return grow.call(this, pages);
  };

  const interrupt = new Uint8Array(workerData.interruptBuffer);
  pyodide.setInterruptBuffer(interrupt);

  parentPort.on('message', (message) => {
    let outcome;
    try {
      outcome = JSON.parse(run(message.code, message.inputsJson, message.maxOutputBytes));
    } catch (error) {
      outcome = { ok: false, kind: 'runtime', error: String((error && error.message) || error) };
    }
    parentPort.postMessage({ type: 'done', id: message.id, outcome });
  });
  parentPort.postMessage({ type: 'ready' });
}

start().catch((error) => {
  parentPort.postMessage({ type: 'failed', error: String((error && error.stack) || error) });
});
`;
