import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DslBuilder, endData, templateData, textInput } from '@weft/testing';
import { isNodeRunnerNodeType, parseDsl, readDocument, VariablePool, type GraphNode, type WorkflowGraph } from '@weft/workflow';
import { NodeExecutorFactory } from '../nodes/node-executor-factory.service';
import type { NodeJobDispatcher } from '../nodes/node-job-dispatcher.service';
import type { OrchestratorConfig } from '../orchestrator.config';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeContext, NodeExecutionRecord } from './engine.types';
import { GraphRun, type GraphRunEnd, type RunCounters } from './graph-run.util';
import { startRunSpan, traceparentOf } from './run-tracing.util';

type Fake = (node: GraphNode, pool: VariablePool, ctx: NodeContext) => Promise<NodeOutcome>;

function graphOf(builder: DslBuilder | string): WorkflowGraph {
  const result = typeof builder === 'string' ? parseDsl(builder) : readDocument(builder.toDocument());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.app.graph!;
}

interface Outcome {
  counters: RunCounters;
  end: GraphRunEnd;
  events: string[];
  outputs: Record<string, unknown>;
  records: NodeExecutionRecord[];
}

// The real local executors, shared by every run of this file so that one set of template workers serves them.
const executors = new NodeExecutorFactory({} as NodeJobDispatcher, { templates: { timeoutMs: 2000, workers: 1 } } as OrchestratorConfig);
afterAll(() => executors.close());

/** Runs a graph with the real local executors; node types that go to node runners use `fake`. */
async function run(
  graph: WorkflowGraph,
  inputs: Record<string, unknown>,
  fake?: Fake,
  opts: { maxSteps?: number; signal?: AbortSignal; replay?: NodeExecutionRecord[] } = {},
): Promise<Outcome> {
  const pool = new VariablePool({ system: { workflow_run_id: 'run-1' } });
  for (const [k, v] of Object.entries(inputs)) pool.set([graph.startNodeId, k], v);
  const records: NodeExecutionRecord[] = [];
  const events: string[] = [];
  const counters: RunCounters = { exceptions: 0, nextIndex: 1, steps: 0, tokens: 0 };
  const topLevel = new Set(
    Object.values(graph.nodes)
      .filter((n) => !n.parentId)
      .map((n) => n.id),
  );
  const runner = new GraphRun(graph, { container: null, nodeIds: topLevel, startNodeId: graph.startNodeId }, pool, {
    appId: 'app',
    counters,
    declaredTypes: new Map(),
    execute: (node, p, ctx) =>
      isNodeRunnerNodeType(node.type) ? fake!(node, p, ctx) : Promise.resolve(executors.executorFor(node.type).execute(node, p, ctx)),
    limits: { maxSteps: opts.maxSteps ?? 500, maxTimeMs: 60_000 },
    observer: {
      containerEvent: (event) => events.push(event),
      nodeFinished: (record) => {
        records.push({ ...record });
        events.push(`finished:${record.nodeId}:${record.status}`);
      },
      nodeChunk: (record, _n, text) => events.push(`chunk:${record.nodeId}:${text}`),
      nodeRetry: (record, _n, index) => events.push(`retry:${record.nodeId}:${index}`),
      nodeStarted: (record) => events.push(`started:${record.nodeId}`),
    },
    runId: 'run-1',
    signal: opts.signal ?? new AbortController().signal,
    startedAt: Date.now(),
    workspaceId: 'ws',
  });
  runner.replay(opts.replay ?? []);
  const end = await runner.run();
  return { counters, end, events, outputs: Object.assign({}, ...runner.endOutputs), records };
}

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../libs/workflow/src/dsl/fixtures', `${name}.yml`), 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GraphRun', () => {
  it('runs a chain in order with increasing indexes and the end node outputs', async () => {
    const out = await run(graphOf(fixture('simple-template')), { name: 'Ada', language: 'French' });
    expect(out.end).toEqual({ kind: 'completed' });
    expect(out.outputs).toEqual({ greeting: 'Bonjour, Ada!' });
    expect(out.records.map((r) => [r.index, r.nodeType])).toEqual([
      [1, 'start'],
      [2, 'template-transform'],
      [3, 'end'],
    ]);
    expect(out.records[1]!.predecessorNodeId).toBe(out.records[0]!.nodeId);
  });

  it.each([
    [95, 'distinction', 'Ann passed with distinction.'],
    [70, 'pass', 'Ann passed.'],
    [10, 'fail', 'Ann did not pass (10).'],
  ])('takes only the matching if-else branch (score %d) and runs the join once', async (score, key, text) => {
    const out = await run(graphOf(fixture('if-else-join')), { score, student: 'Ann' });
    expect(out.end.kind).toBe('completed');
    expect(out.outputs[key]).toBe(text);
    const templates = out.records.filter((r) => r.nodeType === 'template-transform');
    expect(templates).toHaveLength(1);
    expect(out.records.filter((r) => r.nodeType === 'end')).toHaveLength(1);
  });

  it('runs independent branches at the same time and joins after both', async () => {
    const g = new DslBuilder('parallel')
      .node('start', 'start', { variables: [] })
      .node('a', 'http-request', { method: 'get', url: 'http://a' })
      .node('b', 'http-request', { method: 'get', url: 'http://b' })
      .node('end', 'end', endData({ a: ['a', 'body'], b: ['b', 'body'] }))
      .edge('start', 'a')
      .edge('start', 'b')
      .edge('a', 'end')
      .edge('b', 'end');
    let running = 0;
    let peak = 0;
    const out = await run(graphOf(g), {}, async (node) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(30);
      running--;
      return { inputs: {}, outputs: { body: node.id }, status: 'succeeded' };
    });
    expect(peak).toBe(2);
    expect(out.outputs).toEqual({ a: 'a', b: 'b' });
    expect(out.records.filter((r) => r.nodeId === 'end')).toHaveLength(1);
  });

  const failing = (strategy: Record<string, unknown>) => {
    const b = new DslBuilder('errors')
      .node('start', 'start', { variables: [] })
      .node('call', 'http-request', { method: 'get', url: 'http://x', ...strategy })
      .node('ok', 'template-transform', templateData('ok {{ body }}', { body: ['call', 'body'] }))
      .node('fallback', 'template-transform', templateData('failed: {{ e }}', { e: ['call', 'error_message'] }))
      .node('end', 'end', endData({ ok: ['ok', 'output'], fallback: ['fallback', 'output'] }))
      .edge('start', 'call')
      .edge('call', 'ok', 'source')
      .edge('ok', 'end');
    return strategy['error_strategy'] === 'fail-branch'
      ? b.edge('call', 'fallback', 'fail-branch').edge('fallback', 'end')
      : b.edge('ok', 'fallback').edge('fallback', 'end');
  };
  const boom: Fake = async () => ({ error: 'connection refused', errorType: 'HTTPRequestNodeError', inputs: {}, status: 'failed' });

  it('routes a failure to the fail branch and counts it as an exception', async () => {
    const out = await run(graphOf(failing({ error_strategy: 'fail-branch' })), {}, boom);
    expect(out.end.kind).toBe('completed');
    expect(out.counters.exceptions).toBe(1);
    expect(out.outputs).toEqual({ fallback: 'failed: connection refused', ok: null });
    expect(out.records.find((r) => r.nodeId === 'call')).toMatchObject({ edgeSourceHandle: 'fail-branch', status: 'exception' });
  });

  it('substitutes default values and continues on the success path', async () => {
    const out = await run(
      graphOf(failing({ default_value: [{ key: 'body', type: 'string', value: 'cached' }], error_strategy: 'default-value' })),
      {},
      boom,
    );
    expect(out.counters.exceptions).toBe(1);
    expect(out.outputs).toMatchObject({ ok: 'ok cached' });
    expect(out.records.find((r) => r.nodeId === 'call')).toMatchObject({
      outputs: { body: 'cached', error_message: 'connection refused' },
      status: 'exception',
    });
  });

  it('fails the run on a node failure without a strategy and cancels the nodes still running', async () => {
    const g = new DslBuilder('abort')
      .node('start', 'start', { variables: [] })
      .node('bad', 'http-request', { method: 'get', url: 'http://bad' })
      .node('slow', 'http-request', { method: 'get', url: 'http://slow' })
      .node('end', 'end', endData({}))
      .edge('start', 'bad')
      .edge('start', 'slow')
      .edge('bad', 'end')
      .edge('slow', 'end');
    const out = await run(graphOf(g), {}, async (node, _p, ctx) => {
      if (node.id === 'bad') return { error: 'boom', errorType: 'X', inputs: {}, status: 'failed' };
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { error: 'cancelled', errorType: 'Stopped', inputs: {}, status: 'failed' };
    });
    expect(out.end).toEqual({ error: 'boom', kind: 'failed' });
    expect(out.records.find((r) => r.nodeId === 'slow')?.status).toBe('stopped');
    expect(out.records.some((r) => r.nodeId === 'end')).toBe(false);
  });

  it('retries a failing node per retry_config and emits a retry event each time', async () => {
    const g = new DslBuilder('retry')
      .node('start', 'start', { variables: [] })
      .node('call', 'http-request', {
        method: 'get',
        retry_config: { max_retries: 3, retry_enabled: true, retry_interval: 1 },
        url: 'http://x',
      })
      .node('end', 'end', endData({ body: ['call', 'body'] }))
      .chain('start', 'call', 'end');
    let attempts = 0;
    const out = await run(graphOf(g), {}, async () =>
      ++attempts < 3
        ? { error: 'flaky', errorType: 'X', inputs: {}, status: 'failed' }
        : { inputs: {}, outputs: { body: 'finally' }, status: 'succeeded' },
    );
    expect(attempts).toBe(3);
    expect(out.events.filter((e) => e.startsWith('retry:'))).toEqual(['retry:call:0', 'retry:call:1']);
    expect(out.outputs).toEqual({ body: 'finally' });
  });

  it('stops at the step limit', async () => {
    const out = await run(graphOf(fixture('simple-template')), { name: 'A' }, undefined, { maxSteps: 2 });
    expect(out.end).toEqual({ error: 'Max steps 2 reached.', kind: 'failed' });
  });

  it('stops when asked and marks the running node stopped', async () => {
    const g = new DslBuilder('stop')
      .node('start', 'start', { variables: [] })
      .node('slow', 'http-request', { method: 'get', url: 'http://x' })
      .node('end', 'end', endData({}))
      .chain('start', 'slow', 'end');
    const controller = new AbortController();
    const out = await run(
      graphOf(g),
      {},
      async (_n, _p, ctx) => {
        setTimeout(() => controller.abort(), 5);
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return { error: 'stopped', errorType: 'Stopped', inputs: {}, status: 'failed' };
      },
      { signal: controller.signal },
    );
    expect(out.end).toEqual({ kind: 'stopped' });
    expect(out.records.find((r) => r.nodeId === 'slow')?.status).toBe('stopped');
  });

  it('resumes from stored executions: finished nodes are not run again', async () => {
    const graph = graphOf(fixture('simple-template'));
    const first = await run(graph, { name: 'Ada', language: 'English' });
    const stored = first.records.filter((r) => r.nodeType !== 'end');
    const resumed = await run(graph, { name: 'Ada', language: 'English' }, undefined, { replay: stored });
    expect(resumed.records.map((r) => r.nodeType)).toEqual(['end']);
    expect(resumed.outputs).toEqual({ greeting: 'Hello, Ada!' });
  });

  it('runs a loop with loop variables, an assigner and a break condition', async () => {
    const out = await run(graphOf(fixture('loop')), { limit: 4 });
    expect(out.end).toEqual({ kind: 'completed' });
    expect(out.outputs['num']).toBe(4);
    expect(out.events.filter((e) => e === 'loop_next').length).toBeGreaterThan(0);
  });

  const iteration = (settings: Record<string, unknown>) =>
    new DslBuilder('iteration')
      .node('start', 'start', { variables: [textInput('unused', { required: false })] })
      .node('list', 'code', { code: '', code_language: 'javascript', outputs: { items: { type: 'array[string]' } }, variables: [] })
      .node('it', 'iteration', {
        iterator_selector: ['list', 'items'],
        output_selector: ['t', 'output'],
        start_node_id: 'itstart',
        ...settings,
      })
      .node('itstart', 'iteration-start', {}, { parentId: 'it' })
      .node(
        't',
        'template-transform',
        templateData('{{ i }}:{{ item }}{% if item == "bad" %}{{ fail() }}{% endif %}', { i: ['it', 'index'], item: ['it', 'item'] }),
        { parentId: 'it' },
      )
      .node('end', 'end', endData({ out: ['it', 'output'] }))
      .chain('start', 'list', 'it', 'end')
      .edge('itstart', 't');
  const items =
    (list: string[]): Fake =>
    async () => ({ inputs: {}, outputs: { items: list }, status: 'succeeded' });

  it.each([
    ['sequential', { is_parallel: false }],
    ['parallel', { is_parallel: true, parallel_nums: 3 }],
  ])('iterates %s and keeps item order in the output', async (_name, settings) => {
    const out = await run(graphOf(iteration(settings)), {}, items(['a', 'b', 'c', 'd']));
    expect(out.outputs).toEqual({ out: ['0:a', '1:b', '2:c', '3:d'] });
    expect(
      out.records
        .filter((r) => r.nodeId === 't')
        .map((r) => r.executionMetadata?.['iteration_index'])
        .sort(),
    ).toEqual([0, 1, 2, 3]);
  });

  it.each([
    ['terminated', { kind: 'failed' }, undefined],
    ['continue-on-error', { kind: 'completed' }, ['0:a', null, '2:c']],
    ['remove-abnormal-output', { kind: 'completed' }, ['0:a', '2:c']],
  ])('applies the iteration error mode %s', async (mode, end, output) => {
    const out = await run(graphOf(iteration({ error_handle_mode: mode })), {}, items(['a', 'bad', 'c']));
    expect(out.end).toMatchObject(end);
    if (output) expect(out.outputs).toEqual({ out: output });
  });
});

describe('GraphRun with no tracer provider registered (tracing off)', () => {
  it('runs as before, and its run span has no context to store with the run', async () => {
    const span = startRunSpan({ appId: 'app', chat: null, id: 'run-1', workflowId: 'wf', workspaceId: 'ws' }, 'initial');
    expect(span.isRecording()).toBe(false);
    expect(traceparentOf(span)).toBeNull();
    const out = await run(graphOf(fixture('simple-template')), { name: 'Ada', language: 'French' });
    expect(out.outputs).toEqual({ greeting: 'Bonjour, Ada!' });
    span.end();
  });
});
