import { SERVICE_NAMES } from '@weft/contracts';
import { DslBuilder, endData, pollUntil, templateData, TestStack, textInput, WeftClient } from '@weft/testing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { exposedFamilies, isExposed, monitoredMetrics } from '../deploy/metrics.util';

const SMOKE = join(__dirname, '..', 'smoke', 'smoke.mjs');

function smoke(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SMOKE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('deployment checks against the local stack', () => {
  let stack: TestStack;
  let key: string;
  let datasetKey: string;
  let datasetId: string;

  beforeAll(async () => {
    stack = await TestStack.create();
    await stack.start();
    const client = new WeftClient(stack.gateway.baseUrl);
    const token = await client.register();
    const app = new DslBuilder('smoke')
      .node('start', 'start', { variables: [textInput('query')] })
      .node('greet', 'template-transform', templateData('Smoke: {{ q }}', { q: ['start', 'query'] }))
      .node('end', 'end', endData({ answer: ['greet', 'output'] }))
      .chain('start', 'greet', 'end')
      .toYaml();
    key = (await client.deploy(token, app)).key;
    datasetKey = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token })).body.token;
    const dataset = await client.call<{ id: string }>('POST', '/v1/datasets', {
      body: { indexing_technique: 'high_quality', name: 'smoke' },
      token: datasetKey,
    });
    datasetId = dataset.body.id;
    const doc = await client.call<{ batch: string }>('POST', `/v1/datasets/${datasetId}/document/create-by-text`, {
      body: { name: 'smoke.txt', process_rule: { mode: 'automatic' }, text: 'Smoke tests check that a deployment answers.' },
      token: datasetKey,
    });
    await pollUntil(async () => {
      const status = await client.call<{ data: { indexing_status: string }[] }>(
        'GET',
        `/v1/datasets/${datasetId}/documents/${doc.body.batch}/indexing-status`,
        { token: datasetKey },
      );
      return status.body.data?.[0]?.indexing_status === 'completed';
    });
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  describe('test/smoke/smoke.mjs', () => {
    it('passes against the stack: health, readiness, a blocking and a streamed run, a retrieval', async () => {
      const { code, output } = await smoke([
        '--base-url',
        stack.gateway.baseUrl,
        '--app-key',
        key,
        '--dataset-key',
        datasetKey,
        '--dataset-id',
        datasetId,
        '--query',
        'smoke tests',
      ]);
      expect(output).toContain('smoke: 6 passed, 0 failed');
      expect(output).toMatch(/^ok {3}retrieval .*\b[1-3] records$/m);
      expect(output).toMatch(/^ok {3}run-streaming .*events, run [0-9a-f-]{36}$/m);
      expect(code).toBe(0);
    });

    it('exits non-zero naming what failed: a wrong app key, and a dataset it cannot retrieve from', async () => {
      const { code, output } = await smoke([
        '--base-url',
        stack.gateway.baseUrl,
        '--app-key',
        'app-not-a-key',
        '--dataset-key',
        'dataset-not-a-key',
        '--dataset-id',
        '00000000-0000-0000-0000-000000000000',
      ]);
      expect(code).toBe(1);
      expect(output).toMatch(/^ok {3}health/m);
      expect(output).toMatch(/^ok {3}ready/m);
      expect(output).toContain('Failed: parameters, run-blocking, run-streaming, retrieval');
      expect(output).toMatch(/^FAIL run-blocking: POST \/v1\/workflows\/run \(blocking\) answered 401/m);
    });
  });

  describe('metrics the dashboard and the alert rules use', () => {
    let scraped: Map<string, { families: Map<string, string>; text: string }>;

    beforeAll(async () => {
      // After the smoke runs above, so that run, node and handler series carry values.
      scraped = new Map();
      for (const service of SERVICE_NAMES) {
        const res = await fetch(`${stack.processes[service].baseUrl}/metrics`);
        expect(res.status).toBe(200);
        const text = await res.text();
        scraped.set(service, { families: exposedFamilies(text), text });
      }
    });

    it("are every one exported by a running service (Weft's own; exporters' are listed in test/deploy/metrics.util.ts)", () => {
      const all = new Map<string, string>();
      for (const { families } of scraped.values()) for (const [name, type] of families) all.set(name, type);
      const { weft } = monitoredMetrics();
      expect(weft.length).toBeGreaterThan(5);
      expect(weft.filter((name) => !isExposed(name, all))).toEqual([]);
    });

    it('the per-service ones are exported by every service', () => {
      for (const [service, { families }] of scraped) {
        for (const name of [
          'dify_requests_total',
          'dify_request_duration_seconds_bucket',
          'dify_active_connections',
          'weft_nats_handler_total',
          'process_resident_memory_bytes',
          'nodejs_eventloop_lag_p99_seconds',
          'process_cpu_seconds_total',
        ]) {
          expect([service, name, isExposed(name, families)]).toEqual([service, name, true]);
        }
      }
    });

    it('carry the label values the rules select on', () => {
      const orchestrator = scraped.get('orchestrator')!.text;
      // WeftRunsStuck compares accepted run commands with ended runs.
      expect(orchestrator).toMatch(/^weft_nats_handler_total\{[^}]*subject="wf\.run\.start\.v1"[^}]*outcome="ok"[^}]*\} [1-9]/m);
      expect(orchestrator).toMatch(/^dify_workflow_executions_total\{status="succeeded"\} [1-9]/m);
      expect(orchestrator).toMatch(/^dify_node_executions_total\{[^}]*node_type="template-transform"[^}]*\} [1-9]/m);
      expect(scraped.get('gateway')!.text).toMatch(/^dify_requests_total\{[^}]*endpoint="\/v1\/workflows\/run"[^}]*\} [1-9]/m);
    });
  });
});
