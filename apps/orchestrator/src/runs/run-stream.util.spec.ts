import type { NodeOutcome, RunStreamEvent } from '@weft/contracts';
import { DslBuilder, templateData, textInput } from '@weft/testing';
import { isNodeRunnerNodeType, readDocument, VariablePool, type GraphNode, type WorkflowGraph } from '@weft/workflow';
import type { NodeContext } from '../engine/engine.types';
import { GraphRun, type RunCounters } from '../engine/graph-run.util';
import { NodeExecutorFactory } from '../nodes/node-executor-factory.service';
import type { NodeJobDispatcher } from '../nodes/node-job-dispatcher.service';
import type { OrchestratorConfig } from '../orchestrator.config';
import type { RunRow } from './run.repository';
import { RunStream } from './run-stream.util';

// The answer stream driven by the real engine (GraphRun with the real local executors), in the order the
// engine reports nodes, not by hand-ordered calls. Node-runner types (llm) are faked, streaming their text.

const executors = new NodeExecutorFactory({} as NodeJobDispatcher, { templates: { timeoutMs: 2000, workers: 1 } } as OrchestratorConfig);
afterAll(() => executors.close());

function graphOf(builder: DslBuilder): WorkflowGraph {
  const result = readDocument(builder.toDocument());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.app.graph!;
}

/** A fake llm node: streams its reply in two chunks, then answers it as `text`. */
async function fakeLlm(node: GraphNode, _pool: VariablePool, ctx: NodeContext): Promise<NodeOutcome> {
  // A code node stands for the list an iteration walks.
  if (node.type === 'code') return { inputs: {}, outputs: { items: ['apple', 'banana'] }, status: 'succeeded' };
  const reply = `${node.id} says hi`;
  ctx.emitChunk(reply.slice(0, 4));
  await new Promise((resolve) => setTimeout(resolve, 5));
  ctx.emitChunk(reply.slice(4));
  return { inputs: {}, outputs: { text: reply }, status: 'succeeded' };
}

/** Runs a chatflow graph and returns the `message` texts its stream sent, in order, and the answer. */
async function chat(graph: WorkflowGraph, inputs: Record<string, unknown>): Promise<{ answer: string; messages: string[] }> {
  const pool = new VariablePool({ system: { query: 'q', workflow_run_id: 'run-1' } });
  for (const [k, v] of Object.entries(inputs)) pool.set([graph.startNodeId, k], v);
  const row = {
    appId: 'app',
    chat: { conversationId: 'c', dialogueCount: 1, messageId: 'm', mode: 'advanced-chat' },
    createdAt: new Date(),
    id: 'run-1',
    taskId: 't',
  } as unknown as RunRow;
  const events: RunStreamEvent[] = [];
  const stream = new RunStream(
    (e) => events.push(e),
    row,
    graph,
    pool,
    (v) => v,
    false,
  );
  const counters: RunCounters = { exceptions: 0, nextIndex: 1, steps: 0, tokens: 0 };
  const topLevel = new Set(
    Object.values(graph.nodes)
      .filter((n) => !n.parentId)
      .map((n) => n.id),
  );
  const run = new GraphRun(graph, { container: null, nodeIds: topLevel, startNodeId: graph.startNodeId }, pool, {
    appId: 'app',
    counters,
    declaredTypes: new Map(),
    execute: (node, p, ctx) =>
      isNodeRunnerNodeType(node.type) ? fakeLlm(node, p, ctx) : Promise.resolve(executors.executorFor(node.type).execute(node, p, ctx)),
    limits: { maxSteps: 500, maxTimeMs: 60_000 },
    observer: {
      containerEvent: (event, data) => stream.containerEvent(event, data),
      nodeChunk: (_record, node, text) => stream.chunk(node.id, text),
      nodeFinished: (record) => stream.nodeFinished(record),
      nodeRetry: (record, _node, index) => stream.nodeRetry(record, index),
      nodeSkipped: (nodeId) => stream.nodeSkipped(nodeId),
      nodeStarted: (record) => stream.nodeStarted(record),
    },
    runId: 'run-1',
    signal: new AbortController().signal,
    startedAt: Date.now(),
    workspaceId: 'ws',
  });
  stream.resume([], 'initial');
  const end = await run.run();
  expect(end).toEqual({ kind: 'completed' });
  return { answer: stream.answer, messages: events.filter((e) => e.event === 'message').map((e) => String(e['answer'])) };
}

/** start → if-else: `go` is "yes" → answer "Literal yes."; else → llm → answer "{{#llm.text#}}". */
function branching(): WorkflowGraph {
  return graphOf(
    new DslBuilder('branches', 'advanced-chat')
      .node('start', 'start', { variables: [textInput('go')] })
      .node('check', 'if-else', {
        cases: [
          {
            case_id: 'true',
            conditions: [{ comparison_operator: 'is', id: 'c1', value: 'yes', variable_selector: ['start', 'go'] }],
            logical_operator: 'and',
          },
        ],
      })
      .node('literal', 'answer', { answer: 'Literal yes.' })
      .node('llm', 'llm', {
        model: { completion_params: {}, mode: 'chat', name: 'm', provider: 'openai' },
        prompt_template: [{ role: 'user', text: 'hi' }],
      })
      .node('spoken', 'answer', { answer: '{{#llm.text#}}' })
      .edge('start', 'check')
      .edge('check', 'literal', 'true')
      .edge('check', 'llm', 'false')
      .chain('llm', 'spoken'),
  );
}

/** start → answer "Fruit: " → list → iteration (body: answer per item) → answer "done". */
function iterationChat(settings: Record<string, unknown>): WorkflowGraph {
  return graphOf(
    new DslBuilder('rounds', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('intro', 'answer', { answer: 'Fruit: ' })
      .node('list', 'code', { code: '', code_language: 'javascript', outputs: { items: { type: 'array[string]' } }, variables: [] })
      .node('it', 'iteration', {
        iterator_selector: ['list', 'items'],
        output_selector: ['shout', 'output'],
        start_node_id: 'itstart',
        ...settings,
      })
      .node('itstart', 'iteration-start', {}, { parentId: 'it' })
      .node('shout', 'template-transform', templateData('{{ item }}!', { item: ['it', 'item'] }), { parentId: 'it' })
      .node('say', 'answer', { answer: '{{#it.item#}} ({{#shout.output#}}) ' }, { parentId: 'it' })
      .node('done', 'answer', { answer: 'done' })
      .chain('start', 'intro', 'list', 'it', 'done')
      .chain('itstart', 'shout', 'say'),
  );
}

/** start → loop of two rounds whose body says "tick " → answer "{{#loop.loop_round#}} rounds". */
function loopChat(): WorkflowGraph {
  return graphOf(
    new DslBuilder('ticks', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('loop', 'loop', { break_conditions: [], logical_operator: 'and', loop_count: 2, loop_variables: [], start_node_id: 'lstart' })
      .node('lstart', 'loop-start', {}, { parentId: 'loop' })
      .node('tick', 'answer', { answer: 'tick ' }, { parentId: 'loop' })
      .node('done', 'answer', { answer: 'after the loop' })
      .chain('start', 'loop', 'done')
      .edge('lstart', 'tick'),
  );
}

describe('RunStream driven by the engine', () => {
  it.each([
    ['sequential', { is_parallel: false }],
    ['parallel', { is_parallel: true, parallel_nums: 2 }],
  ])('sends an answer inside an iteration once per round (%s), between the answers around it', async (_mode, settings) => {
    const result = await chat(iterationChat(settings), {});
    expect(result.answer).toBe('Fruit: apple (apple!) banana (banana!) done');
    expect(result.messages.join('')).toBe(result.answer);
    expect(result.messages[0]).toBe('Fruit: ');
    expect(result.messages.at(-1)).toBe('done');
  });

  it('waits for an answer to finish before the next one speaks, even when the next is only literal text', async () => {
    const graph = graphOf(
      new DslBuilder('two answers', 'advanced-chat')
        .node('start', 'start', { variables: [] })
        .node('llm', 'llm', {
          model: { completion_params: {}, mode: 'chat', name: 'm', provider: 'openai' },
          prompt_template: [{ role: 'user', text: 'hi' }],
        })
        .node('first', 'answer', { answer: '{{#llm.text#}}' })
        .node('second', 'answer', { answer: ' Second.' })
        .chain('start', 'llm', 'first', 'second'),
    );
    const result = await chat(graph, {});
    expect(result.messages).toEqual(['llm ', 'says hi', ' Second.']);
  });

  it("sends a non-streaming node's value once it has finished, and system values at once", async () => {
    const graph = graphOf(
      new DslBuilder('values', 'advanced-chat')
        .node('start', 'start', { variables: [textInput('name')] })
        .node('t', 'template-transform', templateData('Hello {{ name }}', { name: ['start', 'name'] }))
        .node('say', 'answer', { answer: 'You asked {{#sys.query#}}; {{#t.output#}}.' })
        .chain('start', 't', 'say'),
    );
    const result = await chat(graph, { name: 'Ada' });
    expect(result.messages).toEqual(['You asked ', 'q', '; ', 'Hello Ada', '.']);
    expect(result.answer).toBe('You asked q; Hello Ada.');
  });

  it('sends an answer inside a loop once per round', async () => {
    const result = await chat(loopChat(), {});
    expect(result.messages).toEqual(['tick ', 'tick ', 'after the loop']);
    expect(result.answer).toBe('tick tick after the loop');
  });

  it('sends nothing of an answer on the branch not taken', async () => {
    const taken = await chat(branching(), { go: 'no' });
    expect(taken.answer).toBe('llm says hi');
    expect(taken.messages.join('')).toBe('llm says hi');
    expect(taken.messages.some((m) => m.includes('Literal'))).toBe(false);
  });

  it('sends the taken branch literal answer whole', async () => {
    const taken = await chat(branching(), { go: 'yes' });
    expect(taken.answer).toBe('Literal yes.');
    expect(taken.messages.join('')).toBe('Literal yes.');
  });

  it('streams an answer after an llm token by token and the text before it at once', async () => {
    const graph = graphOf(
      new DslBuilder('stream', 'advanced-chat')
        .node('start', 'start', { variables: [] })
        .node('llm', 'llm', {
          model: { completion_params: {}, mode: 'chat', name: 'm', provider: 'openai' },
          prompt_template: [{ role: 'user', text: 'hi' }],
        })
        .node('spoken', 'answer', { answer: 'Reply: {{#llm.text#}}!' })
        .chain('start', 'llm', 'spoken'),
    );
    const result = await chat(graph, {});
    expect(result.messages).toEqual(['Reply: ', 'llm ', 'says hi', '!']);
    expect(result.answer).toBe('Reply: llm says hi!');
  });
});
