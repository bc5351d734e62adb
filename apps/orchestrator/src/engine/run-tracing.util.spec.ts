import { propagation, SpanStatusCode, trace, context, type Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { NodeOutcome } from '@weft/contracts';
import { DslBuilder, endData, recordSpans, templateData, type SpanRecorder } from '@weft/testing';
import { createSecretMask, isNodeRunnerNodeType, readDocument, VariablePool, type GraphNode, type WorkflowGraph } from '@weft/workflow';
import { NodeExecutorFactory } from '../nodes/node-executor-factory.service';
import type { NodeJobDispatcher } from '../nodes/node-job-dispatcher.service';
import type { OrchestratorConfig } from '../orchestrator.config';
import type { NodeContext } from './engine.types';
import { GraphRun, type GraphRunEnd } from './graph-run.util';
import { endRunSpan, parseTraceparent, runContext, startRunSpan, traceparentOf, type TracedRun } from './run-tracing.util';

type Fake = (node: GraphNode, pool: VariablePool, ctx: NodeContext) => Promise<NodeOutcome>;

let recorder: SpanRecorder;
beforeAll(() => {
  recorder = recordSpans();
});
afterAll(() => recorder.stop());
beforeEach(() => recorder.reset());

const executors = new NodeExecutorFactory({} as NodeJobDispatcher, { templates: { timeoutMs: 2000, workers: 1 } } as OrchestratorConfig);
afterAll(() => executors.close());

const RUN: TracedRun = {
  appId: '00000000-0000-4000-8000-0000000000a1',
  chat: null,
  id: '00000000-0000-4000-8000-0000000000r1',
  workflowId: '00000000-0000-4000-8000-0000000000f1',
  workspaceId: '00000000-0000-4000-8000-0000000000w1',
};

function graphOf(builder: DslBuilder): WorkflowGraph {
  const result = readDocument(builder.toDocument());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.app.graph!;
}

/** Runs a graph as RunService does: under a run span, the node runner types answered by `fake`. */
async function tracedRun(graph: WorkflowGraph, fake: Fake, secrets: string[] = []): Promise<{ end: GraphRunEnd; run: Span }> {
  const run = startRunSpan(RUN, 'initial');
  const pool = new VariablePool({ system: { workflow_run_id: RUN.id } });
  const topLevel = new Set(
    Object.values(graph.nodes)
      .filter((n) => !n.parentId)
      .map((n) => n.id),
  );
  const runner = new GraphRun(graph, { container: null, nodeIds: topLevel, startNodeId: graph.startNodeId }, pool, {
    appId: RUN.appId,
    counters: { exceptions: 0, nextIndex: 1, steps: 0, tokens: 0 },
    declaredTypes: new Map(),
    execute: (node, p, ctx) =>
      isNodeRunnerNodeType(node.type) ? fake(node, p, ctx) : Promise.resolve(executors.executorFor(node.type).execute(node, p, ctx)),
    limits: { maxSteps: 500, maxTimeMs: 60_000 },
    observer: {
      containerEvent: () => undefined,
      nodeChunk: () => undefined,
      nodeFinished: () => undefined,
      nodeRetry: () => undefined,
      nodeStarted: () => undefined,
    },
    runId: RUN.id,
    secretMask: createSecretMask(secrets),
    signal: new AbortController().signal,
    startedAt: Date.now(),
    traceContext: runContext(run),
    workspaceId: RUN.workspaceId,
  });
  const end = await runner.run();
  endRunSpan(run, end.kind === 'failed' ? { error: end.error, status: 'failed' } : { error: null, status: 'succeeded' });
  return { end, run };
}

const nodeSpans = (nodeId: string): ReadableSpan[] =>
  recorder.named('weft.node.execute').filter((s) => s.attributes['weft.node.id'] === nodeId);
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe('run and node spans', () => {
  it('gives each node execution a child span of the run span, and runs a node runner job inside its node span', async () => {
    const graph = graphOf(
      new DslBuilder('traced')
        .node('start', 'start', { variables: [] })
        .node('call', 'http-request', { method: 'get', url: 'http://x' }, { title: 'Fetch' })
        .node('end', 'end', endData({ body: ['call', 'body'] }))
        .chain('start', 'call', 'end'),
    );
    const headers: Record<string, string> = {};
    let active: string | undefined;
    const { end, run } = await tracedRun(graph, async () => {
      // What the message bus does when it publishes the job: inject the active context into the NATS headers.
      await Promise.resolve();
      active = trace.getActiveSpan()?.spanContext().spanId;
      propagation.inject(context.active(), headers);
      return { inputs: {}, outputs: { body: 'ok' }, status: 'succeeded' };
    });
    expect(end).toEqual({ kind: 'completed' });

    const [runSpan] = recorder.named('weft.workflow.run');
    expect(runSpan!.spanContext().spanId).toBe(run.spanContext().spanId);
    expect(runSpan!.attributes).toMatchObject({
      'weft.app.id': RUN.appId,
      'weft.run.id': RUN.id,
      'weft.run.mode': 'workflow',
      'weft.run.resumed': false,
      'weft.run.status': 'succeeded',
      'weft.workflow.id': RUN.workflowId,
      'weft.workspace.id': RUN.workspaceId,
    });
    const nodes = recorder.named('weft.node.execute');
    expect(nodes.map((s) => s.attributes['weft.node.type'])).toEqual(['start', 'http-request', 'end']);
    for (const node of nodes) {
      expect(parentOf(node)).toBe(runSpan!.spanContext().spanId);
      expect(node.spanContext().traceId).toBe(runSpan!.spanContext().traceId);
    }
    const [call] = nodeSpans('call');
    expect(call!.attributes).toMatchObject({
      'weft.node.id': 'call',
      'weft.node.retry_index': 0,
      'weft.node.status': 'succeeded',
      'weft.node.title': 'Fetch',
      'weft.node.type': 'http-request',
    });
    expect(call!.attributes['weft.node.iteration_index']).toBeUndefined();
    expect(call!.status.code).toBe(SpanStatusCode.UNSET);
    // The job left inside the node span: the node runner's span for it is the node span's child.
    expect(active).toBe(call!.spanContext().spanId);
    expect(headers['traceparent']).toBe(`00-${call!.spanContext().traceId}-${call!.spanContext().spanId}-01`);
  });

  it('gives each attempt of a retried node its own span with its retry index; failed attempts are errors', async () => {
    const graph = graphOf(
      new DslBuilder('retry')
        .node('start', 'start', { variables: [] })
        .node('call', 'http-request', {
          method: 'get',
          retry_config: { max_retries: 3, retry_enabled: true, retry_interval: 1 },
          url: 'http://x',
        })
        .node('end', 'end', endData({ body: ['call', 'body'] }))
        .chain('start', 'call', 'end'),
    );
    let attempts = 0;
    await tracedRun(graph, async () =>
      ++attempts < 3
        ? { error: 'flaky upstream', errorType: 'X', inputs: {}, status: 'failed' }
        : { inputs: {}, outputs: { body: 'finally' }, status: 'succeeded' },
    );
    const spans = nodeSpans('call');
    expect(spans.map((s) => [s.attributes['weft.node.retry_index'], s.attributes['weft.node.status'], s.status.code])).toEqual([
      [0, 'retry', SpanStatusCode.ERROR],
      [1, 'retry', SpanStatusCode.ERROR],
      [2, 'succeeded', SpanStatusCode.UNSET],
    ]);
    expect(spans[0]!.attributes['weft.node.error']).toBe('flaky upstream');
    expect(spans[0]!.status.message).toBe('flaky upstream');
  });

  it('puts the nodes of an iteration under the iteration node span, each with its iteration index', async () => {
    const graph = graphOf(
      new DslBuilder('iteration')
        .node('start', 'start', { variables: [] })
        .node('list', 'code', { code: '', code_language: 'javascript', outputs: { items: { type: 'array[string]' } }, variables: [] })
        .node('it', 'iteration', { iterator_selector: ['list', 'items'], output_selector: ['t', 'output'], start_node_id: 'itstart' })
        .node('itstart', 'iteration-start', {}, { parentId: 'it' })
        .node('t', 'template-transform', templateData('{{ item }}', { item: ['it', 'item'] }), { parentId: 'it' })
        .node('end', 'end', endData({ out: ['it', 'output'] }))
        .chain('start', 'list', 'it', 'end')
        .edge('itstart', 't'),
    );
    await tracedRun(graph, async () => ({ inputs: {}, outputs: { items: ['a', 'b', 'c'] }, status: 'succeeded' }));
    const [iteration] = nodeSpans('it');
    const bodies = nodeSpans('t');
    expect(bodies.map((s) => s.attributes['weft.node.iteration_index']).sort()).toEqual([0, 1, 2]);
    for (const body of bodies) {
      expect(parentOf(body)).toBe(iteration!.spanContext().spanId);
      expect(body.attributes['weft.node.container_id']).toBe('it');
    }
  });

  it('marks a failed node and its failed run as errors, with the workflow secrets masked', async () => {
    const graph = graphOf(
      new DslBuilder('fails')
        .node('start', 'start', { variables: [] })
        .node('call', 'http-request', { method: 'get', url: 'http://x' })
        .node('end', 'end', endData({}))
        .chain('start', 'call', 'end'),
    );
    const { end } = await tracedRun(
      graph,
      async () => ({ error: 'HTTP 401 for key sk-secret-123456', errorType: 'HTTPError', inputs: {}, status: 'failed' }),
      ['sk-secret-123456'],
    );
    expect(end.kind).toBe('failed');
    const [call] = nodeSpans('call');
    expect(call!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 401 for key ******' });
    expect(call!.attributes).toMatchObject({ 'weft.node.error': 'HTTP 401 for key ******', 'weft.node.status': 'failed' });
    const [runSpan] = recorder.named('weft.workflow.run');
    expect(runSpan!.status.code).toBe(SpanStatusCode.ERROR);
    expect(runSpan!.attributes['weft.run.status']).toBe('failed');
    expect(JSON.stringify(recorder.spans().map((s) => s.attributes))).not.toContain('sk-secret-123456');
  });
});

describe('a resumed run', () => {
  it('stores a traceparent for its first span and links its resumption span to it', () => {
    const original = startRunSpan({ ...RUN, chat: { mode: 'advanced-chat' } }, 'initial');
    const stored = traceparentOf(original);
    original.end();
    expect(stored).toBe(`00-${original.spanContext().traceId}-${original.spanContext().spanId}-01`);

    const resumed = startRunSpan({ ...RUN, traceParent: stored }, 'resumption');
    resumed.end();
    const [first, second] = recorder.named('weft.workflow.run');
    expect(first!.attributes['weft.run.mode']).toBe('advanced-chat');
    expect(second!.attributes['weft.run.resumed']).toBe(true);
    // A new trace (the orphan is claimed by a timer, not a request), linked to the original one.
    expect(second!.spanContext().traceId).not.toBe(original.spanContext().traceId);
    expect(second!.links).toHaveLength(1);
    expect(second!.links[0]!.context).toMatchObject({ spanId: original.spanContext().spanId, traceId: original.spanContext().traceId });
    expect(second!.links[0]!.attributes).toEqual({ 'weft.link.reason': 'resumed' });
  });

  it('resumes without a link when nothing (or something invalid) was stored', () => {
    startRunSpan({ ...RUN, traceParent: null }, 'resumption').end();
    startRunSpan({ ...RUN, traceParent: 'not-a-traceparent' }, 'resumption').end();
    expect(recorder.named('weft.workflow.run').map((s) => s.links.length)).toEqual([0, 0]);
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`)).toBeNull();
    expect(parseTraceparent(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`)).toMatchObject({ isRemote: true, traceFlags: 1 });
  });

  it('ends the span of a start that lost its run to another start as superseded, not as the run', () => {
    const span = startRunSpan(RUN, 'initial');
    endRunSpan(span, null);
    const [ended] = recorder.named('weft.workflow.run');
    expect(ended!.attributes['weft.run.superseded']).toBe(true);
    expect(ended!.attributes['weft.run.status']).toBeUndefined();
  });
});
