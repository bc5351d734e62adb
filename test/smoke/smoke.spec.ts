import { spawn } from 'node:child_process';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

const SMOKE = join(__dirname, 'smoke.mjs');

interface Behaviour {
  ready: number;
  stream: 'ok' | 'failed' | 'no-finish';
}

interface Seen {
  inputs: unknown[];
  retrieval?: { auth?: string; body: Record<string, unknown> };
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {}));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A stand-in for the gateway that answers the smoke test's calls the way Weft (and Dify) do. */
function fakeGateway(behaviour: Behaviour, seen: Seen): Server {
  return createServer((req, res) => {
    void (async () => {
      const auth = req.headers.authorization;
      if (req.url === '/health') return json(res, 200, { status: 'ok' });
      if (req.url === '/ready')
        return json(
          res,
          behaviour.ready,
          behaviour.ready === 200 ? { status: 'ok' } : { status: 'error', error: { postgres: { up: false } } },
        );
      if (req.url?.startsWith('/v1/datasets/')) {
        seen.retrieval = { auth, body: await readBody(req) };
        return json(res, 200, { query: { content: 'q' }, records: [{ score: 0.9, segment: { content: 'Weft is...' } }] });
      }
      if (auth !== 'Bearer app-good') return json(res, 401, { code: 'unauthorized', message: 'Access token is invalid', status: 401 });
      if (req.url === '/v1/parameters') {
        return json(res, 200, {
          user_input_form: [
            { 'text-input': { label: 'q', required: true, variable: 'query' } },
            { select: { options: ['a', 'b'], required: false, variable: 'tone' } },
          ],
        });
      }
      if (req.url === '/v1/workflows/run' && req.method === 'POST') {
        const body = await readBody(req);
        seen.inputs.push(body['inputs']);
        if (body['response_mode'] === 'blocking') {
          return json(res, 200, {
            data: { error: null, id: 'run-1', outputs: { answer: 'hi' }, status: 'succeeded' },
            task_id: 't1',
            workflow_run_id: 'run-1',
          });
        }
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        const events = [
          { event: 'workflow_started', workflow_run_id: 'run-2', data: { id: 'run-2' } },
          { event: 'node_started', workflow_run_id: 'run-2', data: { node_type: 'start' } },
        ];
        if (behaviour.stream !== 'no-finish') {
          events.push({
            event: 'workflow_finished',
            workflow_run_id: 'run-2',
            data: {
              id: 'run-2',
              status: behaviour.stream === 'ok' ? 'succeeded' : 'failed',
              error: behaviour.stream === 'ok' ? null : 'boom',
            } as never,
          });
        }
        const text = `event: ping\n\n${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}`;
        // Split the stream at awkward places, as proxies do.
        for (let i = 0; i < text.length; i += 37) res.write(text.slice(i, i + 37));
        return res.end();
      }
      json(res, 404, { code: 'not_found', message: 'no route', status: 404 });
    })();
  });
}

async function runSmoke(args: string[], behaviour: Behaviour): Promise<{ code: number | null; output: string; seen: Seen }> {
  const seen: Seen = { inputs: [] };
  const server = fakeGateway(behaviour, seen);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const child = spawn(process.execPath, [SMOKE, '--base-url', base, '--timeout-ms', '5000', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, output, seen };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const healthy: Behaviour = { ready: 200, stream: 'ok' };

describe('smoke test script (against a stand-in gateway)', () => {
  it('passes every step, filling required inputs from the app form, and reads SSE split anywhere', async () => {
    const { code, output, seen } = await runSmoke(['--app-key', 'app-good'], healthy);
    expect(output).toMatch(/^ok {3}health/m);
    expect(output).toMatch(/^ok {3}run-streaming .*3 events, run run-2$/m);
    expect(output).toContain('smoke: 5 passed, 0 failed');
    expect(code).toBe(0);
    expect(seen.inputs).toEqual([{ query: 'Weft smoke test' }, { query: 'Weft smoke test' }]);
  });

  it('keeps inputs it is given', async () => {
    const { code, seen } = await runSmoke(['--app-key', 'app-good', '--inputs', '{"query":"mine","extra":1}'], healthy);
    expect(code).toBe(0);
    expect(seen.inputs[0]).toEqual({ extra: 1, query: 'mine' });
  });

  it("retrieves from a dataset with the dataset key, in Dify's request shape", async () => {
    const { code, output, seen } = await runSmoke(
      ['--app-key', 'app-good', '--dataset-key', 'dataset-k', '--dataset-id', 'ds1', '--query', 'what?'],
      healthy,
    );
    expect(code).toBe(0);
    expect(output).toMatch(/^ok {3}retrieval .*1 records$/m);
    expect(seen.retrieval).toEqual({
      auth: 'Bearer dataset-k',
      body: { query: 'what?', retrieval_model: expect.objectContaining({ search_method: 'semantic_search', top_k: 3 }) },
    });
  });

  it('exits 1 naming each failed step: not ready, a bad key', async () => {
    const { code, output } = await runSmoke(['--app-key', 'app-bad'], { ready: 503, stream: 'ok' });
    expect(code).toBe(1);
    expect(output).toMatch(/^FAIL ready: GET \/ready answered 503/m);
    expect(output).toMatch(/^FAIL run-blocking: POST \/v1\/workflows\/run \(blocking\) answered 401/m);
    expect(output).toContain('Failed: ready, parameters, run-blocking, run-streaming');
  });

  it('fails the streaming step when the run fails or the stream ends without workflow_finished', async () => {
    const failed = await runSmoke(['--app-key', 'app-good'], { ready: 200, stream: 'failed' });
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/^FAIL run-streaming: workflow_finished: the run ended "failed": boom$/m);
    const cut = await runSmoke(['--app-key', 'app-good'], { ready: 200, stream: 'no-finish' });
    expect(cut.output).toMatch(
      /^FAIL run-streaming: the stream ended without workflow_finished \(events: workflow_started, node_started\)$/m,
    );
  });

  it('refuses missing or half-given options with exit 2', async () => {
    const noKey = await runSmoke([], healthy);
    expect([noKey.code, noKey.output]).toEqual([2, expect.stringContaining('--app-key (or WEFT_APP_KEY) is required')]);
    const half = await runSmoke(['--app-key', 'k', '--dataset-key', 'd'], healthy);
    expect([half.code, half.output]).toEqual([2, expect.stringContaining('--dataset-key and --dataset-id go together')]);
  });
});
