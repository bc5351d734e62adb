import { readdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { expectEventually } from '@weft/testing';
import { CodeSandbox } from './code-sandbox.service';
import { testSandboxOptions } from './sandbox-test.util';
import type { CodeLanguage, CodeRunResult } from './sandbox.types';

const WORKSPACE = 'workspace-a';
const okRun = (language: CodeLanguage) =>
  language === 'javascript' ? 'function main({ a }) { return { a } }' : 'def main(a) -> dict:\n    return {"a": a}';

function failure(result: CodeRunResult): { kind: string; error: string } {
  if (result.ok) throw new Error(`Expected a failed run, got ${JSON.stringify(result)}`);
  return { kind: result.kind, error: result.error };
}

/** Processes below `pid` (the sandbox's bubblewrap), read from the host's /proc. */
function descendants(pid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the second field after the parenthesised command name.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  let count = 0;
  for (const start of parents.values()) {
    for (let parent = start; parent > 1; parent = parents.get(parent) ?? 0) {
      if (parent === pid) {
        count++;
        break;
      }
    }
  }
  return count;
}

function succeeded(result: CodeRunResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`Expected a successful run, got ${JSON.stringify(result)}`);
  return result.result;
}

describe('CodeSandbox isolation', () => {
  it('runs in bubblewrap on this machine (npm test installs it)', () => {
    const sandbox = new CodeSandbox(testSandboxOptions());
    try {
      expect(sandbox.start()).toEqual({ level: 'bubblewrap' });
    } finally {
      void sandbox.close();
    }
  });

  it('refuses code nodes, saying why, where bubblewrap is missing and weak isolation was not accepted', async () => {
    const sandbox = new CodeSandbox(
      testSandboxOptions({ isolation: { allowWeak: false, bwrapPath: '/nonexistent/bwrap', pythonPath: '/usr/bin/python3' } }),
    );
    try {
      expect(sandbox.start()).toEqual({ level: 'unavailable', reason: expect.stringContaining('bubblewrap is not installed') });
      const result = failure(await sandbox.run({ code: okRun('python3'), inputs: { a: 1 }, language: 'python3', workspaceId: WORKSPACE }));
      expect(result).toEqual({
        kind: 'unavailable',
        error: expect.stringMatching(
          /^Code nodes cannot run on this node runner: the code sandbox is unavailable \(bubblewrap is not installed/,
        ),
      });
      expect(
        failure(await sandbox.run({ code: okRun('javascript'), inputs: { a: 1 }, language: 'javascript', workspaceId: WORKSPACE })).kind,
      ).toBe('unavailable');
    } finally {
      await sandbox.close();
    }
  });

  it('runs code with weak isolation only when the operator accepted it, and says so', async () => {
    const sandbox = new CodeSandbox(
      testSandboxOptions({ isolation: { allowWeak: true, bwrapPath: '/nonexistent/bwrap', pythonPath: '/usr/bin/python3' } }),
    );
    try {
      expect(sandbox.start()).toEqual({ level: 'weak', reason: expect.stringContaining('bubblewrap is not installed') });
      await expect(sandbox.run({ code: okRun('python3'), inputs: { a: 5 }, language: 'python3', workspaceId: WORKSPACE })).resolves.toEqual(
        { ok: true, result: { a: 5 } },
      );
      await expect(
        sandbox.run({ code: okRun('javascript'), inputs: { a: 6 }, language: 'javascript', workspaceId: WORKSPACE }),
      ).resolves.toEqual({ ok: true, result: { a: 6 } });
    } finally {
      await sandbox.close();
    }
  }, 30_000);
});

describe('CodeSandbox with JavaScript', () => {
  const sandbox = new CodeSandbox(testSandboxOptions());
  const run = (code: string, inputs: Record<string, unknown> = {}, signal?: AbortSignal) =>
    sandbox.run({ language: 'javascript', code, inputs, workspaceId: WORKSPACE }, signal);
  afterAll(() => sandbox.close());

  it('calls main with one object holding the inputs', async () => {
    const code = 'function main({arg1, arg2}) { console.log("ignored"); return { result: arg1 + arg2, list: [arg2, null] } }';
    await expect(run(code, { arg1: 'a', arg2: 2 })).resolves.toEqual({ ok: true, result: { result: 'a2', list: [2, null] } });
  }, 30_000);

  it('reports syntax errors and thrown exceptions as runtime errors with the message', async () => {
    expect(failure(await run('function main( {'))).toMatchObject({
      kind: 'runtime',
      error: expect.stringMatching(/^SyntaxError: .*code\.js:1/),
    });
    expect(failure(await run('function main() { throw new Error("boom") }'))).toMatchObject({
      kind: 'runtime',
      error: expect.stringContaining('Error: boom'),
    });
    expect(failure(await run('const x = 1'))).toEqual({ kind: 'runtime', error: 'Code must define a function named main' });
  });

  it('rejects a return value that is not an object', async () => {
    expect(failure(await run('function main() { return [1] }'))).toEqual({
      kind: 'invalid_output',
      error: 'Output must be an object, got an array',
    });
    expect(failure(await run('function main() { return "x" }')).kind).toBe('invalid_output');
    expect(failure(await run('function main() { return { big: "x".repeat(200000) } }'))).toEqual({
      kind: 'invalid_output',
      error: 'Output is larger than the 100000 byte limit',
    });
  });

  it('stops an endless loop at the time limit and then runs the next code', async () => {
    expect(failure(await run('function main() { while (true) {} }'))).toEqual({
      kind: 'timeout',
      error: 'Code ran longer than the 1000 ms limit',
    });
    await expect(run(okRun('javascript'), { a: 1 })).resolves.toEqual({ ok: true, result: { a: 1 } });
  }, 30_000);

  it('stops unbounded allocation at the memory limit and then runs the next code', async () => {
    const roomy = new CodeSandbox(testSandboxOptions({ timeoutMs: 20_000 }));
    try {
      const code = 'function main() { const x = []; while (true) x.push({ n: x.length }) }';
      expect(failure(await roomy.run({ language: 'javascript', code, inputs: {}, workspaceId: WORKSPACE }))).toEqual({
        kind: 'memory',
        error: 'Code used more than the 32 MB memory limit',
      });
    } finally {
      await roomy.close();
    }
    expect(failure(await run('function main() { return { s: "a".repeat(64 * 1024 * 1024) } }')).kind).toBe('memory');
    await expect(run(okRun('javascript'), { a: 2 })).resolves.toEqual({ ok: true, result: { a: 2 } });
  }, 60_000);

  it('turns runaway recursion into a runtime error', async () => {
    expect(failure(await run('function f() { return f() } function main() { return f() }'))).toMatchObject({
      kind: 'runtime',
      error: expect.stringContaining('stack overflow'),
    });
  });

  it('gives code no access to the host', async () => {
    const code =
      'function main() { return { r: typeof require, p: typeof process, f: typeof fetch, m: typeof module, b: typeof Buffer, i: typeof import.meta } }';
    expect(failure(await run(code)).kind).toBe('runtime');
    const probe =
      'function main() { return { r: typeof require, p: typeof process, f: typeof fetch, m: typeof module, b: typeof Buffer } }';
    await expect(run(probe)).resolves.toEqual({
      ok: true,
      result: { r: 'undefined', p: 'undefined', f: 'undefined', m: 'undefined', b: 'undefined' },
    });
  });

  it('starts every run from a fresh interpreter: globals and patched built-ins do not survive', async () => {
    const polluter =
      'globalThis.stash = "secret of run A"; JSON.stringify = () => "HACKED"; Object.prototype.leak = 1;\nfunction main() { return {} }';
    expect(failure(await run(polluter)).kind).toBe('invalid_output');
    const observer =
      'function main() { return { stash: typeof globalThis.stash, json: JSON.stringify([1]), leak: ({}).leak === undefined } }';
    await expect(run(observer)).resolves.toEqual({ ok: true, result: { stash: 'undefined', json: '[1]', leak: true } });
  });

  it('does not run when the signal is already aborted, and aborts a running run', async () => {
    expect(failure(await run(okRun('javascript'), { a: 1 }, AbortSignal.abort())).kind).toBe('aborted');
    const controller = new AbortController();
    const pending = run('function main() { while (true) {} }', {}, controller.signal);
    setTimeout(() => controller.abort(), 200);
    expect(failure(await pending)).toEqual({ kind: 'aborted', error: 'Code run was aborted' });
    await expect(run(okRun('javascript'), { a: 3 })).resolves.toEqual({ ok: true, result: { a: 3 } });
  }, 30_000);

  it('keeps the calling event loop free while code loops', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      expect(failure(await run('function main() { while (true) {} }')).kind).toBe('timeout');
    } finally {
      clearInterval(timer);
    }
    // A one-second busy loop on this thread would have let no tick through.
    expect(ticks).toBeGreaterThan(20);
  }, 30_000);
});

describe('CodeSandbox with Python', () => {
  const sandbox = new CodeSandbox(testSandboxOptions());
  const run = (code: string, inputs: Record<string, unknown> = {}, signal?: AbortSignal, workspaceId = WORKSPACE) =>
    sandbox.run({ language: 'python3', code, inputs, workspaceId }, signal);
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
    const code =
      'def main(arg1: str, arg2: int) -> dict:\n    return {"result": arg1 * arg2, "none": None, "nums": [1, 2.5, True], "nested": {"k": (1, 2)}}';
    await expect(run(code, { arg1: 'ab', arg2: 2 })).resolves.toEqual({
      ok: true,
      result: { result: 'abab', none: null, nums: [1, 2.5, true], nested: { k: [1, 2] } },
    });
  }, 30_000);

  it('is CPython with its standard library', async () => {
    const code =
      'import sys, json, re, datetime, hashlib, statistics\ndef main():\n    return {"impl": sys.implementation.name, "mean": statistics.mean([1, 2, 3]), "sha": hashlib.sha256(b"x").hexdigest()[:8]}';
    await expect(run(code)).resolves.toEqual({ ok: true, result: { impl: 'cpython', mean: 2, sha: '2d711642' } });
  });

  it('reports syntax errors and exceptions as runtime errors with the message', async () => {
    expect(failure(await run('def main(:\n    pass'))).toMatchObject({
      kind: 'runtime',
      error: expect.stringMatching(/^SyntaxError: .*\(line 1\)$/),
    });
    expect(failure(await run('def main():\n    raise ValueError("boom")'))).toEqual({
      kind: 'runtime',
      error: 'ValueError: boom (line 2)',
    });
    expect(failure(await run('x = 1'))).toEqual({ kind: 'runtime', error: 'Code must define a function named main' });
  });

  it('rejects a return value that is not a dict, not JSON or too large', async () => {
    expect(failure(await run('def main():\n    return [1]'))).toEqual({ kind: 'invalid_output', error: 'Output must be a dict, got list' });
    expect(failure(await run('def main():\n    return {"x": float("nan")}')).kind).toBe('invalid_output');
    expect(failure(await run('def main():\n    return {"x": "y" * 200000}'))).toEqual({
      kind: 'invalid_output',
      error: 'Output is larger than the 100000 byte limit',
    });
  });

  it('starts every run from a fresh interpreter: globals, modules and monkey-patches do not survive', async () => {
    const polluter =
      'import json, sys\njson.dumps = lambda *a, **k: "HACKED"\nsys.modules["stash"] = "secret of run A"\nleak = 42\ndef main():\n    return {"patched": json.dumps([1])}';
    await expect(run(polluter)).resolves.toEqual({ ok: true, result: { patched: 'HACKED' } });
    const observer =
      'import json, sys\ndef main():\n    return {"json": json.dumps([1]), "stash": "stash" in sys.modules, "leak": "leak" in globals()}';
    await expect(run(observer, {}, undefined, 'workspace-b')).resolves.toEqual({
      ok: true,
      result: { json: '[1]', stash: false, leak: false },
    });
  });

  it('gets a private scratch folder that the next run does not see', async () => {
    const writer =
      'import os\ndef main():\n    open("/tmp/note.txt", "w").write("from run A")\n    return {"cwd": os.getcwd(), "files": os.listdir(".")}';
    await expect(run(writer)).resolves.toEqual({ ok: true, result: { cwd: '/tmp', files: ['note.txt'] } });
    await expect(run('import os\ndef main():\n    return {"files": os.listdir("/tmp")}')).resolves.toEqual({
      ok: true,
      result: { files: [] },
    });
  });

  it('sees nothing of the host: no /etc, no environment, no processes, a read-only root', async () => {
    for (const path of ['/etc/passwd', '/proc/self/environ', '/proc/1/environ']) {
      expect(failure(await run(`def main():\n    return {"r": open("${path}").read()}`))).toMatchObject({
        kind: 'runtime',
        error: expect.stringContaining('FileNotFoundError'),
      });
    }
    expect(failure(await run('import os\ndef main():\n    return {"root": os.listdir("/")}'))).toMatchObject({
      error: expect.stringContaining('PermissionError'),
    });
    const listing = succeeded(await run('import os\ndef main():\n    return {"env": dict(os.environ), "proc": os.listdir("/proc")}'));
    expect(Object.keys(listing['env'] as object).sort()).toEqual(['GLIBC_TUNABLES', 'HOME', 'LANG', 'PATH', 'PWD']);
    expect(listing['proc']).toEqual([]);
    for (const path of ['/escape.txt', '/usr/escape.txt']) {
      expect(failure(await run(`def main():\n    open("${path}", "w").write("x")\n    return {}`))).toMatchObject({
        error: expect.stringContaining('Read-only file system'),
      });
    }
  });

  it('cannot start processes, load host bridges or open sockets', async () => {
    const attempts: Record<string, string> = {
      'os.system': 'import os\ndef main():\n    return {"r": os.system("cat /etc/passwd")}',
      subprocess: 'import subprocess\ndef main():\n    return {"r": subprocess.run(["cat", "/etc/passwd"]).returncode}',
      fork: 'import os\ndef main():\n    while True:\n        os.fork()',
      ctypes: 'import ctypes\ndef main():\n    return {"r": ctypes.CDLL(None).getpid()}',
      js: 'import js\ndef main():\n    return {}',
      pyodide_js: 'import pyodide_js\ndef main():\n    return {}',
      'pyodide.ffi': 'import pyodide.ffi\ndef main():\n    return {}',
      socket: `import socket\ndef main():\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n    return {}`,
    };
    for (const [name, code] of Object.entries(attempts)) {
      const result = failure(await run(code));
      expect({ name, kind: result.kind }).toEqual({ name, kind: 'runtime' });
      expect(result.error).toMatch(/PermissionError|ImportError|not allowed|not available/);
    }
    expect(connections).toBe(0);
  });

  it('bounds threads, memory and files by the kernel, then runs the next code', async () => {
    const threads =
      'import threading, time\ndef main():\n    while True:\n        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()';
    expect(failure(await run(threads))).toMatchObject({ kind: 'runtime', error: expect.stringContaining("can't start new thread") });
    expect(failure(await run('def main():\n    x = bytearray(10 * 1024 ** 3)\n    return {}'))).toEqual({
      kind: 'memory',
      error: 'Code used more than the 32 MB memory limit',
    });
    const filler = 'def main():\n    with open("/tmp/big", "wb") as f:\n        while True:\n            f.write(b"x" * 1048576)';
    expect(failure(await run(filler))).toMatchObject({ kind: 'runtime', error: expect.stringMatching(/File too large|No space left/) });
    await expect(run(okRun('python3'), { a: 3 })).resolves.toEqual({ ok: true, result: { a: 3 } });
  }, 30_000);

  it('stops an endless loop, and code that swallows signals, at the time limit', async () => {
    // Whichever limit stops it first: the 1 s wall clock, or (on a loaded machine, where the wall-clock timer
    // fires late) the CPU-time limit the kernel enforces as the backstop.
    expect(failure(await run('def main():\n    while True:\n        pass'))).toEqual({
      kind: 'timeout',
      error: expect.stringMatching(/^(Code ran longer than the 1000 ms limit|Code used more than the 2 s CPU time limit)$/),
    });
    const stubborn =
      'import time\ndef main():\n    while True:\n        try:\n            time.sleep(10)\n        except BaseException:\n            pass';
    expect(failure(await run(stubborn)).kind).toBe('timeout');
    await expect(run(okRun('python3'), { a: 'after' })).resolves.toEqual({ ok: true, result: { a: 'after' } });
  }, 30_000);

  it('aborts a running run and then runs the next code', async () => {
    const controller = new AbortController();
    const pending = run('def main():\n    while True:\n        pass', {}, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(failure(await pending)).toEqual({ kind: 'aborted', error: 'Code run was aborted' });
    await expect(run(okRun('python3'), { a: 4 })).resolves.toEqual({ ok: true, result: { a: 4 } });
  }, 30_000);

  // Code that finds the harness's own descriptors: the result file (a regular file open for writing) and the
  // status pipe by which the run says it is done.
  const HARNESS_FDS =
    'import os, stat\ndef harness_fds():\n    files, pipes = [], []\n    for fd in range(3, 64):\n        try:\n            mode = os.fstat(fd).st_mode\n        except OSError:\n            continue\n        (files if stat.S_ISREG(mode) else pipes if stat.S_ISFIFO(mode) else []).append(fd)\n    return files, pipes\n';

  it('does not let code that reports itself done early go on running', async () => {
    await expect(run(okRun('python3'), { a: 'warm' })).resolves.toMatchObject({ ok: true });
    const zygotePid = (sandbox as unknown as { python: { zygote: { process: { pid: number } } } }).python.zygote.process.pid;
    await expectEventually(() => expect(descendants(zygotePid)).toBeLessThanOrEqual(4));
    const before = descendants(zygotePid);
    const lingerer = `${HARNESS_FDS}def main():\n    for fd in harness_fds()[1]:\n        os.write(fd, b"1")\n    import time\n    time.sleep(60)\n    return {}`;
    expect(failure(await run(lingerer)).kind).toBe('invalid_output');
    await expectEventually(() => expect(descendants(zygotePid)).toBeLessThanOrEqual(before));
  }, 30_000);

  it('holds code that writes its own result file to the output limit', async () => {
    const forger = `${HARNESS_FDS}def main():\n    files, pipes = harness_fds()\n    for fd in files:\n        os.write(fd, b'{"ok": true, "result": {"x": "' + b"y" * 200000 + b'"}}')\n    for fd in pipes:\n        os.write(fd, b"1")\n    os._exit(0)`;
    expect(failure(await run(forger))).toEqual({ kind: 'invalid_output', error: 'Output is larger than the 100000 byte limit' });
    await expect(run(okRun('python3'), { a: 'next' })).resolves.toEqual({ ok: true, result: { a: 'next' } });
  }, 30_000);

  it('starts a new zygote for the next run when the zygote dies', async () => {
    await expect(run(okRun('python3'), { a: 'before' })).resolves.toEqual({ ok: true, result: { a: 'before' } });
    const zygote = (sandbox as unknown as { python: { zygote?: { process: { kill(signal: string): boolean } } } }).python.zygote;
    expect(zygote).toBeDefined();
    const exited = new Promise((resolve) => (zygote!.process as unknown as NodeJS.EventEmitter).once('exit', resolve));
    zygote!.process.kill('SIGKILL');
    await exited;
    await expect(run(okRun('python3'), { a: 'after' })).resolves.toEqual({ ok: true, result: { a: 'after' } });
  }, 30_000);

  it('answers every run of a burst, however their ends interleave', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => run(okRun('python3'), { a: i })));
    expect(results).toEqual(Array.from({ length: 24 }, (_, i) => ({ ok: true, result: { a: i } })));
  }, 30_000);

  it('runs several runs at once, each in its own process', async () => {
    const code = 'import os, time\ndef main(i):\n    time.sleep(0.2)\n    return {"i": i, "pid": os.getpid()}';
    const results = await Promise.all([1, 2, 3, 4].map((i) => run(code, { i })));
    const pids = results.map((result) => succeeded(result)['pid']);
    expect(results.map((result) => succeeded(result)['i'])).toEqual([1, 2, 3, 4]);
    expect(new Set(pids).size).toBe(4);
  }, 30_000);
});
