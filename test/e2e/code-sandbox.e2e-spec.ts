import { DslBuilder, endData, infraUrls, templateData, textInput, TestStack, WeftClient, type ServiceProcess } from '@weft/testing';

// Attacks on the code sandbox the way an editor of an app would try them: real payloads in code nodes of
// published apps, run through the Service API. Each must fail its node with a clear error, leak nothing of
// the host into the run or the logs, and leave the next run working.

type Language = 'javascript' | 'python3';
const runData = (res: { body: Record<string, unknown> }) => res.body['data'] as Record<string, unknown>;

function codeApp(language: Language, code: string, name = `code ${language}`): string {
  return new DslBuilder(name)
    .node('start', 'start', { variables: [textInput('x')] })
    .node('code', 'code', {
      code,
      code_language: language,
      outputs: { result: { children: null, type: 'string' } },
      variables: [{ value_selector: ['start', 'x'], variable: 'x' }],
    })
    .node('end', 'end', endData({ result: ['code', 'result'] }))
    .chain('start', 'code', 'end')
    .toYaml();
}

const ECHO: Record<Language, string> = {
  javascript: 'function main({x}) { return { result: "echo " + x }; }',
  python3: 'def main(x: str) -> dict:\n    return {"result": "echo " + x}\n',
};

function portOf(url: string | undefined, fallback: number): number {
  // NATS_URL may list several servers; the first is enough to aim at.
  const first = url?.split(',')[0];
  return first ? Number(new URL(first).port || fallback) : fallback;
}

// What must never appear in a run's output, error or the node runner's log.
const HOST_SECRETS = [/root:x:0:0/, /postgres(ql)?:\/\/[^\s"]*@/, /SECRET_KEY=/, /DATABASE_URL=/, /NATS_URL=/];

describe('the code sandbox, attacked through the Service API', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let otherToken: string;
  const echo: Partial<Record<Language, string>> = {};

  beforeAll(async () => {
    stack = await TestStack.create({
      env: { CODE_EXECUTION_TIMEOUT_MS: '1500', CODE_MAX_MEMORY_MB: '32', TEMPLATE_RENDER_TIMEOUT_MS: '1000' },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
    otherToken = await client.register();
    for (const language of ['javascript', 'python3'] as const)
      echo[language] = (await client.deploy(token, codeApp(language, ECHO[language]))).key;
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  async function expectContained(language: Language, code: string, error: RegExp): Promise<void> {
    const app = await client.deploy(token, codeApp(language, code));
    const res = await client.run(app.key, { x: 'attack' });
    const data = runData(res);
    expect({ status: data['status'], error: String(data['error']) }).toEqual({ status: 'failed', error: expect.stringMatching(error) });
    const seen = JSON.stringify(res.body);
    for (const secret of HOST_SECRETS) expect(seen).not.toMatch(secret);
    // The next run of an ordinary app still works.
    expect(runData(await client.run(echo[language]!, { x: 'after' }))).toMatchObject({
      outputs: { result: 'echo after' },
      status: 'succeeded',
    });
  }

  const infraPorts = (): Record<string, number> => {
    const urls = infraUrls();
    return {
      gateway: Number(new URL(stack.gateway.baseUrl).port),
      nats: portOf(urls.natsUrl, 4222),
      postgres: portOf(urls.databaseUrl, 5432),
      redis: portOf(urls.redisUrl, 6379),
    };
  };

  describe('Python', () => {
    it.each([
      ['/etc/passwd', 'def main(x):\n    return {"result": open("/etc/passwd").read()}', /FileNotFoundError/],
      ['/proc/self/environ', 'def main(x):\n    return {"result": open("/proc/self/environ").read()}', /FileNotFoundError/],
      ['/proc/1/environ', 'def main(x):\n    return {"result": open("/proc/1/environ").read()}', /FileNotFoundError/],
      ['a listing of /', 'import os\ndef main(x):\n    return {"result": ",".join(os.listdir("/"))}', /PermissionError/],
      [
        'a file outside scratch',
        'def main(x):\n    open("/usr/lib/weft-was-here", "w").write(x)\n    return {"result": "written"}',
        /Read-only file system/,
      ],
      ['the root', 'def main(x):\n    open("/weft-was-here", "w").write(x)\n    return {"result": "written"}', /Read-only file system/],
    ])('cannot read or write the host: %s', async (_what, code, error) => {
      await expectContained('python3', code, error);
    });

    it.each([
      ['js', 'import js\ndef main(x):\n    return {"result": str(js.process.env)}', /ImportError: Module 'js' is not available/],
      [
        'pyodide_js',
        'import pyodide_js\ndef main(x):\n    return {"result": str(pyodide_js)}',
        /ImportError: Module 'pyodide_js' is not available/,
      ],
      [
        'pyodide.ffi',
        'from pyodide.ffi import to_js\ndef main(x):\n    return {"result": "x"}',
        /ImportError: Module 'pyodide(\.ffi)?' is not available/,
      ],
      [
        'ctypes',
        'import ctypes\ndef main(x):\n    libc = ctypes.CDLL(None)\n    return {"result": str(libc.getuid())}',
        /ImportError: Module 'ctypes' is not available/,
      ],
      [
        'builtins.__import__',
        'import builtins\ndef main(x):\n    m = builtins.__import__("pyodide_js")\n    return {"result": str(m)}',
        /ImportError: Module 'pyodide_js' is not available/,
      ],
      [
        'os.system',
        'import os\ndef main(x):\n    return {"result": str(os.system("cat /etc/passwd"))}',
        /PermissionError: Starting processes is not allowed/,
      ],
      [
        'subprocess',
        'import subprocess\ndef main(x):\n    return {"result": subprocess.check_output(["cat", "/etc/passwd"]).decode()}',
        /PermissionError/,
      ],
    ])('cannot reach the host through %s', async (_what, code, error) => {
      await expectContained('python3', code, error);
    });

    it('cannot open a TCP connection to the stack or to 127.0.0.1', async () => {
      for (const [name, port] of Object.entries(infraPorts())) {
        const code = `import socket\ndef main(x):\n    s = socket.create_connection(("127.0.0.1", ${port}), timeout=2)\n    return {"result": "connected to ${name}"}`;
        await expectContained('python3', code, /PermissionError/);
      }
    });

    it.each([
      ['a fork bomb', 'import os\ndef main(x):\n    while True:\n        os.fork()', /PermissionError/],
      [
        'a thread bomb',
        'import threading, time\ndef main(x):\n    while True:\n        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()',
        /can't start new thread/,
      ],
      [
        'a 10 GB allocation',
        'def main(x):\n    block = bytearray(10 * 1024 ** 3)\n    return {"result": str(len(block))}',
        /more than the 32 MB memory limit/,
      ],
      ['a 100 MB output', 'def main(x):\n    return {"result": "x" * (100 * 1024 * 1024)}', /memory limit|larger than/],
      ['an endless loop', 'def main(x):\n    while True:\n        pass', /longer than the 1500 ms limit/],
    ])('ends %s with a clear error', async (_what, code, error) => {
      await expectContained('python3', code, error);
    });
  });

  describe('JavaScript', () => {
    it.each([
      [
        'require("fs")',
        'function main({x}) { return { result: require("fs").readFileSync("/etc/passwd", "utf8") }; }',
        /ReferenceError: 'require' is not defined|require is not defined/,
      ],
      ['process.env', 'function main({x}) { return { result: JSON.stringify(process.env) }; }', /ReferenceError/],
      [
        'the Function constructor',
        'function main({x}) { return { result: JSON.stringify(Function("return this")().process.env) }; }',
        /TypeError|ReferenceError/,
      ],
      ["QuickJS's std module", 'function main({x}) { return { result: std.loadFile("/etc/passwd") }; }', /ReferenceError/],
      [
        'fetch',
        'async function probe() { return fetch("http://127.0.0.1:5432") }\nfunction main({x}) { probe(); return { result: String(fetch) }; }',
        /ReferenceError/,
      ],
    ])('cannot reach the host through %s', async (_what, code, error) => {
      await expectContained('javascript', code, error);
    });

    it.each([
      [
        'a 10 GB allocation',
        'function main({x}) { const b = new ArrayBuffer(10 * 1024 ** 3); return { result: String(b.byteLength) }; }',
        /memory|RangeError|invalid array buffer length/i,
      ],
      ['a 100 MB output', 'function main({x}) { return { result: "x".repeat(100 * 1024 * 1024) }; }', /memory limit|larger than/],
      ['an endless loop', 'function main({x}) { while (true) {} }', /longer than the 1500 ms limit/],
      ['a worker bomb', 'function main({x}) { while (true) new Worker("data:,"); }', /ReferenceError/],
    ])('ends %s with a clear error', async (_what, code, error) => {
      await expectContained('javascript', code, error);
    });
  });

  it('leaks nothing of the host into the node runner log', () => {
    const logs = stack.processes['node-runner'].logs();
    for (const secret of HOST_SECRETS) expect(logs).not.toMatch(secret);
  });

  it.each([
    [
      'python3',
      'import json, sys\ndef main(x):\n    seen = sys.modules.get("weft_stash")\n    sys.modules["weft_stash"] = x\n    json.dumps = lambda *a, **k: "patched by " + x\n    return {"result": "seen=" + str(seen)}',
    ],
    [
      'javascript',
      'function main({x}) { const seen = globalThis.weftStash; globalThis.weftStash = x; JSON.parse = () => "patched by " + x; return { result: "seen=" + String(seen === undefined ? "None" : seen) }; }',
    ],
  ] as const)('keeps no %s state between runs, of the same workspace or another', async (language, code) => {
    const mine = await client.deploy(token, codeApp(language, code, `stash ${language} A`));
    const theirs = await client.deploy(otherToken, codeApp(language, code, `stash ${language} B`));
    expect(runData(await client.run(mine.key, { x: 'secret-of-A' }))).toMatchObject({
      outputs: { result: 'seen=None' },
      status: 'succeeded',
    });
    expect(runData(await client.run(theirs.key, { x: 'secret-of-B' }))).toMatchObject({
      outputs: { result: 'seen=None' },
      status: 'succeeded',
    });
    expect(runData(await client.run(mine.key, { x: 'secret-of-A' }))).toMatchObject({
      outputs: { result: 'seen=None' },
      status: 'succeeded',
    });
    // The patched serializer did not outlive its run either.
    expect(runData(await client.run(echo[language]!, { x: 'clean' }))).toMatchObject({
      outputs: { result: 'echo clean' },
      status: 'succeeded',
    });
  });

  it('fails a template bomb within its budget while the orchestrator keeps answering and other runs complete', async () => {
    const bomb = await client.deploy(
      token,
      new DslBuilder('template bomb')
        .node('start', 'start', { variables: [textInput('x')] })
        .node(
          't',
          'template-transform',
          templateData('{% for i in range(3000) %}{% for j in range(1000) %}{{ x }}{% endfor %}{% endfor %}', { x: ['start', 'x'] }),
        )
        .node('end', 'end', endData({ out: ['t', 'output'] }))
        .chain('start', 't', 'end')
        .toYaml(),
    );
    const orchestrator: ServiceProcess = stack.processes['orchestrator'];
    let slowest = 0;
    let answered = 0;
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const started = performance.now();
        const res = await fetch(`${orchestrator.baseUrl}/health`);
        slowest = Math.max(slowest, performance.now() - started);
        if (res.ok) answered++;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const bombRun = client.run(bomb.key, { x: 'y' });
    const others = await Promise.all([1, 2, 3].map((i) => client.run(echo.python3!, { x: `other ${i}` })));
    const bombed = runData(await bombRun);
    probing = false;
    await probes;
    expect({ status: bombed['status'], error: String(bombed['error']) }).toEqual({
      status: 'failed',
      error: expect.stringMatching(/Template rendering took longer than the 1000 ms limit/),
    });
    expect(others.map((res) => runData(res)['status'])).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(answered).toBeGreaterThan(10);
    // Rendered on the orchestrator's event loop, this template held it for about nine seconds.
    expect(slowest).toBeLessThan(1000);
  });

  it('lets no workspace take every sandbox slot: another workspace runs while one floods', async () => {
    // Two slots, one per workspace (a replica configured so, replacing the stack's node runner).
    await stack.processes['node-runner'].stop();
    const runner = (
      await stack.replica('node-runner', { CODE_MAX_CONCURRENT: '2', CODE_MAX_CONCURRENT_PER_WORKSPACE: '1', WORKER_CONCURRENCY: '16' })
    ).start();
    await runner.waitReady();
    try {
      const slow = await client.deploy(token, codeApp('python3', 'import time\ndef main(x):\n    time.sleep(1)\n    return {"result": x}'));
      const quick = await client.deploy(otherToken, codeApp('python3', ECHO.python3));
      const finished: string[] = [];
      const flood = [1, 2, 3, 4].map((i) => client.run(slow.key, { x: `flood ${i}` }).then((res) => (finished.push(`flood ${i}`), res)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const other = await client.run(quick.key, { x: 'other workspace' });
      finished.push('other');
      expect(runData(other)).toMatchObject({ outputs: { result: 'echo other workspace' }, status: 'succeeded' });
      const flooded = await Promise.all(flood);
      expect(flooded.map((res) => runData(res)['status'])).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      // With one slot per workspace the flood runs one at a time (about four seconds); the other workspace's
      // run took the second slot and finished before most of the flood.
      expect(finished.indexOf('other')).toBeLessThan(2);
    } finally {
      await runner.stop();
      await stack.processes['node-runner'].start().waitReady();
    }
  });

  it('refuses code nodes, and says why, on a node runner where the sandbox cannot start', async () => {
    await stack.processes['node-runner'].stop();
    const runner = (await stack.replica('node-runner', { CODE_SANDBOX_BWRAP_PATH: '/nonexistent/bwrap' })).start();
    await runner.waitReady();
    try {
      const res = await client.run(echo.python3!, { x: 'refused' });
      expect(runData(res)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/code sandbox is unavailable \(bubblewrap is not installed/),
      });
      expect(runner.logs()).toMatch(/Code nodes are refused: the code sandbox is unavailable/);
      const status = (await (await fetch(`${stack.gateway.baseUrl}/v1/system/status`)).json()) as {
        services: { name: string; warnings: string[] }[];
      };
      expect(status.services.find((s) => s.name === 'node-runner')?.warnings).toEqual([expect.stringMatching(/Code nodes are refused/)]);
    } finally {
      await runner.stop();
    }
    const weak = (
      await stack.replica('node-runner', { CODE_SANDBOX_ALLOW_WEAK_ISOLATION: 'true', CODE_SANDBOX_BWRAP_PATH: '/nonexistent/bwrap' })
    ).start();
    await weak.waitReady();
    try {
      expect(runData(await client.run(echo.python3!, { x: 'weak' }))).toMatchObject({
        outputs: { result: 'echo weak' },
        status: 'succeeded',
      });
      expect(weak.logs()).toMatch(/Code nodes run with WEAK isolation/);
      const status = (await (await fetch(`${stack.gateway.baseUrl}/v1/system/status`)).json()) as {
        services: { name: string; warnings: string[] }[];
      };
      expect(status.services.find((s) => s.name === 'node-runner')?.warnings).toEqual([expect.stringMatching(/WEAK isolation/)]);
    } finally {
      await weak.stop();
    }
  });
});
