import { createServer, Server } from 'node:net';
import { CodeSandbox } from './code-sandbox.service';
import { CodeRunResult } from './sandbox.types';

const limits = { maxOutputBytes: 100_000, memoryMb: 32, timeoutMs: 1000 };
const okRun = (language: 'javascript' | 'python3') =>
  language === 'javascript' ? 'function main({ a }) { return { a } }' : 'def main(a) -> dict:\n    return {"a": a}';

function failure(result: CodeRunResult): { kind: string; error: string } {
  if (result.ok) throw new Error(`Expected a failed run, got ${JSON.stringify(result)}`);
  return { kind: result.kind, error: result.error };
}

describe('CodeSandbox with JavaScript', () => {
  const sandbox = new CodeSandbox(limits);
  const run = (code: string, inputs: Record<string, unknown> = {}, signal?: AbortSignal) =>
    sandbox.run({ language: 'javascript', code, inputs }, signal);
  afterAll(() => sandbox.close());

  it('calls main with one object holding the inputs', async () => {
    const code = 'function main({arg1, arg2}) { console.log("ignored"); return { result: arg1 + arg2, list: [arg2, null] } }';
    await expect(run(code, { arg1: 'a', arg2: 2 })).resolves.toEqual({ ok: true, result: { result: 'a2', list: [2, null] } });
  });

  it('reports syntax errors and thrown exceptions as runtime errors with the message', async () => {
    expect(failure(await run('function main( {'))).toMatchObject({ kind: 'runtime', error: expect.stringMatching(/^SyntaxError: .*code\.js:1/) });
    expect(failure(await run('function main() { throw new Error("boom") }'))).toMatchObject({ kind: 'runtime', error: expect.stringContaining('Error: boom') });
    expect(failure(await run('const x = 1'))).toEqual({ kind: 'runtime', error: 'Code must define a function named main' });
  });

  it('rejects a return value that is not an object', async () => {
    expect(failure(await run('function main() { return [1] }'))).toEqual({ kind: 'invalid_output', error: 'Output must be an object, got an array' });
    expect(failure(await run('function main() { return "x" }')).kind).toBe('invalid_output');
    expect(failure(await run('function main() { return { big: "x".repeat(200000) } }'))).toMatchObject({
      kind: 'invalid_output',
      error: 'Output is larger than the 100000 byte limit',
    });
  });

  it('stops an endless loop at the time limit and then runs the next code', async () => {
    const started = Date.now();
    expect(failure(await run('function main() { while (true) {} }'))).toEqual({ kind: 'timeout', error: 'Code ran longer than the 1000 ms limit' });
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(run(okRun('javascript'), { a: 1 })).resolves.toEqual({ ok: true, result: { a: 1 } });
  });

  it('stops unbounded allocation at the memory limit and then runs the next code', async () => {
    // A sandbox with a generous time limit, so that on a loaded machine small allocations reach the memory
    // limit before the clock runs out: this test is about memory, the endless-loop test about time.
    const roomy = new CodeSandbox({ ...limits, timeoutMs: 20_000 });
    try {
      expect(failure(await roomy.run({ language: 'javascript', code: 'function main() { const x = []; while (true) x.push({ n: x.length }) }', inputs: {} }))).toEqual({
        kind: 'memory',
        error: 'Code used more than the 32 MB memory limit',
      });
    } finally {
      await roomy.close();
    }
    expect(failure(await run('function main() { return { s: "a".repeat(64 * 1024 * 1024) } }')).kind).toBe('memory');
    await expect(run(okRun('javascript'), { a: 2 })).resolves.toEqual({ ok: true, result: { a: 2 } });
  });

  it('turns runaway recursion into a runtime error', async () => {
    expect(failure(await run('function f() { return f() } function main() { return f() }'))).toMatchObject({
      kind: 'runtime',
      error: expect.stringContaining('stack overflow'),
    });
  });

  it('gives code no access to the host', async () => {
    const code = 'function main() { return { r: typeof require, p: typeof process, f: typeof fetch, m: typeof module, b: typeof Buffer } }';
    await expect(run(code)).resolves.toEqual({ ok: true, result: { r: 'undefined', p: 'undefined', f: 'undefined', m: 'undefined', b: 'undefined' } });
  });

  it('does not run when the signal is already aborted', async () => {
    expect(failure(await run(okRun('javascript'), { a: 1 }, AbortSignal.abort())).kind).toBe('aborted');
  });
});

describe('CodeSandbox with Python', () => {
  const sandbox = new CodeSandbox(limits);
  const run = (code: string, inputs: Record<string, unknown> = {}, signal?: AbortSignal) =>
    sandbox.run({ language: 'python3', code, inputs }, signal);
  let server: Server;
  let connections = 0;
  let port = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('calls main with keyword arguments and converts the dict to JSON values', async () => {
    const code = 'def main(arg1: str, arg2: int) -> dict:\n    return {"result": arg1 * arg2, "none": None, "nums": [1, 2.5, True], "nested": {"k": (1, 2)}}';
    await expect(run(code, { arg1: 'ab', arg2: 2 })).resolves.toEqual({
      ok: true,
      result: { result: 'abab', none: null, nums: [1, 2.5, true], nested: { k: [1, 2] } },
    });
  }, 30_000);

  it('reports syntax errors and exceptions as runtime errors with the message', async () => {
    expect(failure(await run('def main(:\n    pass'))).toMatchObject({ kind: 'runtime', error: expect.stringMatching(/^SyntaxError: .*\(line 1\)$/) });
    expect(failure(await run('def main():\n    raise ValueError("boom")'))).toEqual({ kind: 'runtime', error: 'ValueError: boom (line 2)' });
    expect(failure(await run('x = 1'))).toEqual({ kind: 'runtime', error: 'Code must define a function named main' });
  });

  it('rejects a return value that is not a dict', async () => {
    expect(failure(await run('def main():\n    return [1]'))).toEqual({ kind: 'invalid_output', error: 'Output must be a dict, got list' });
    expect(failure(await run('def main():\n    return {"x": float("nan")}')).kind).toBe('invalid_output');
  });

  it('gives every run a fresh namespace', async () => {
    await run('leak = 42\ndef main():\n    return {}');
    await expect(run('def main():\n    return {"seen": "leak" in globals()}')).resolves.toEqual({ ok: true, result: { seen: false } });
  });

  it('stops an endless loop at the time limit and then runs the next code', async () => {
    expect(failure(await run('def main():\n    while True:\n        pass'))).toEqual({ kind: 'timeout', error: 'Code ran longer than the 1000 ms limit' });
    await expect(run(okRun('python3'), { a: 1 })).resolves.toEqual({ ok: true, result: { a: 1 } });
  }, 30_000);

  it('terminates code that swallows the interrupt and replaces the worker', async () => {
    const code = 'def main():\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass';
    expect(failure(await run(code)).kind).toBe('timeout');
    await expect(run(okRun('python3'), { a: 'after' })).resolves.toEqual({ ok: true, result: { a: 'after' } });
  }, 30_000);

  it('stops unbounded allocation at the memory limit and then runs the next code', async () => {
    const code = 'def main():\n    x = []\n    while True:\n        x.append("a" * 1_000_000)';
    expect(failure(await run(code))).toEqual({ kind: 'memory', error: 'Code used more than the 32 MB memory limit' });
    await expect(run(okRun('python3'), { a: 3 })).resolves.toEqual({ ok: true, result: { a: 3 } });
  }, 30_000);

  it('cannot read host files', async () => {
    expect(failure(await run('def main():\n    return {"r": open("/etc/passwd").read()}'))).toMatchObject({
      kind: 'runtime',
      error: expect.stringContaining('FileNotFoundError'),
    });
  });

  it('cannot import the JavaScript bridge or network modules', async () => {
    for (const module of ['js', 'pyodide_js', 'pyodide.ffi', 'socket', 'urllib.request']) {
      expect(failure(await run(`def main():\n    import ${module}\n    return {}`))).toMatchObject({
        kind: 'runtime',
        error: `ImportError: Importing '${module}' is not allowed in the code sandbox (line 2)`,
      });
    }
  });

  it('cannot open a socket even when the import guard is bypassed', async () => {
    const code = `def main():\n    socket = print.__self__.__import__("socket")\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n    return {}`;
    expect(failure(await run(code))).toMatchObject({ kind: 'runtime', error: expect.stringContaining('PermissionError') });
    expect(connections).toBe(0);
  });

  it('cannot compile JavaScript through objects of the bridge', async () => {
    const code = 'def main():\n    api = print.__self__.__import__("sys").modules["pyodide_js"]\n    return {"ctor": str(api.constructor.constructor)}';
    // Without the hardening this is "function Function() { [native code] }", a way to compile host code.
    await expect(run(code)).resolves.toEqual({ ok: true, result: { ctor: 'None' } });
  });

  it('aborts a running run and then runs the next code', async () => {
    const controller = new AbortController();
    const pending = run('def main():\n    while True:\n        pass', {}, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(failure(await pending)).toEqual({ kind: 'aborted', error: 'Code run was aborted' });
    await expect(run(okRun('python3'), { a: 4 })).resolves.toEqual({ ok: true, result: { a: 4 } });
  }, 30_000);
});
