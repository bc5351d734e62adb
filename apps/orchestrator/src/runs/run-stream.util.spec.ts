import type { AgentStep, NodeOutcome, RunStreamEvent } from '@weft/contracts';
import { DslBuilder, templateData, textInput } from '@weft/testing';
import { isNodeRunnerNodeType, readDocument, VariablePool, type GraphNode, type WorkflowGraph } from '@weft/workflow';
import type { NodeContext, NodeExecutionRecord, RunResult } from '../engine/engine.types';
import { GraphRun, type RunCounters } from '../engine/graph-run.util';
import { NodeExecutorFactory } from '../nodes/node-executor-factory.service';
import type { NodeJobDispatcher } from '../nodes/node-job-dispatcher.service';
import type { OrchestratorConfig } from '../orchestrator.config';
import type { RunRow } from './run.repository';
import { agentSteps, agentThoughtId, agentThoughtRecord, endingEvents, type ChatRunRow } from './chat-events.util';
import { RunStream } from './run-stream.util';
import { createSecretMask, type SecretMask } from './secret-mask.util';

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

describe("RunStream: an agent-chat app's live agent thoughts", () => {
  // The steps and text exactly as the node runner's agent executor sends them for a function-calling turn
  // with one tool call and an answer (agent.executor.spec.ts asserts this sequence against a model server).
  const at = 1_700_000_100;
  const thinking = { input: { expression: '6*7' }, name: 'eval_expression' };
  const executorSent: ({ text: string } | { step: AgentStep })[] = [
    { step: { createdAt: at, position: 1, thought: '', tools: [] } },
    { text: 'Let me compute.' },
    { step: { createdAt: at, position: 1, thought: 'Let me compute.', tools: [{ ...thinking, observation: null }] } },
    { step: { createdAt: at, position: 1, thought: 'Let me compute.', tools: [{ ...thinking, observation: '42' }] } },
    { step: { createdAt: at + 1, position: 2, thought: '', tools: [] } },
    { text: 'It is ' },
    { text: '42.' },
    { step: { createdAt: at + 1, position: 2, thought: 'It is 42.', tools: [] } },
  ];
  const agentLog = [
    { created_at: at, observation: '42', position: 1, thought: 'Let me compute.', tool: 'eval_expression', tool_input: thinking.input },
    { created_at: at + 1, observation: '', position: 2, thought: 'It is 42.', tool: '', tool_input: {} },
  ];

  const graph = (): WorkflowGraph =>
    graphOf(
      new DslBuilder('agent', 'advanced-chat')
        .node('start', 'start', { variables: [] })
        .node('agent', 'agent', {
          agent_parameters: {
            model: { type: 'constant', value: { mode: 'chat', model: 'm', provider: 'openai' } },
            query: { type: 'constant', value: '{{#sys.query#}}' },
            tools: { type: 'constant', value: [] },
          },
          agent_strategy_name: 'function_calling',
          agent_strategy_provider_name: 'langgenius/agent/agent',
        })
        .node('reply', 'answer', { answer: '{{#agent.text#}}' })
        .chain('start', 'agent', 'reply'),
    );

  /** Runs the agent app's graph with a fake agent node that sends `attempts` times what the executor sends (a redelivered job). */
  async function agentChat(mode: 'agent-chat' | 'advanced-chat', attempts = 1, mask: SecretMask = (v) => v) {
    const g = graph();
    const pool = new VariablePool({ system: { query: 'q', workflow_run_id: 'run-1' } });
    const row = {
      appId: 'app',
      chat: { conversationId: 'c', dialogueCount: 1, messageId: '5b0c3c52-8a51-4f0e-9a3b-0d6c1c1f7a10', mode, query: 'q' },
      createdAt: new Date(at * 1000),
      creator: { accountId: null, endUserId: 'e', role: 'end_user', sessionId: 'u' },
      id: 'run-1',
      taskId: 't',
    } as unknown as ChatRunRow;
    const events: RunStreamEvent[] = [];
    const stream = new RunStream((e) => events.push(e), row, g, pool, mask, false);
    const records: NodeExecutionRecord[] = [];
    const run = new GraphRun(g, { container: null, nodeIds: new Set(Object.keys(g.nodes)), startNodeId: g.startNodeId }, pool, {
      appId: 'app',
      counters: { exceptions: 0, nextIndex: 1, steps: 0, tokens: 0 },
      declaredTypes: new Map(),
      execute: async (node, p, ctx) => {
        if (node.type !== 'agent') return executors.executorFor(node.type).execute(node, p, ctx);
        for (let attempt = 0; attempt < attempts; attempt++)
          for (const item of executorSent) {
            if ('text' in item) ctx.emitChunk(item.text);
            else ctx.emitStep!(item.step);
            await Promise.resolve();
          }
        return { inputs: {}, outputs: { text: 'Let me compute.It is 42.' }, processData: { agent_log: agentLog }, status: 'succeeded' };
      },
      limits: { maxSteps: 50, maxTimeMs: 60_000 },
      observer: {
        containerEvent: (event, data) => stream.containerEvent(event, data),
        nodeChunk: (_record, node, text) => stream.chunk(node.id, text),
        nodeFinished: (record) => (records.push(record), stream.nodeFinished(record)),
        nodeRetry: (record, _node, index) => stream.nodeRetry(record, index),
        nodeStarted: (record) => stream.nodeStarted(record),
        nodeStep: (_record, _node, step) => stream.agentStep(step),
      },
      runId: 'run-1',
      signal: new AbortController().signal,
      startedAt: Date.now(),
      workspaceId: 'ws',
    });
    stream.resume([], 'initial');
    expect(await run.run()).toEqual({ kind: 'completed' });
    const result = { outputs: { answer: stream.answer }, status: 'succeeded' } as unknown as RunResult;
    return { ending: endingEvents(row, result, records, stream.liveThoughts), events, records, row, stream };
  }

  const brief = (e: RunStreamEvent) =>
    e.event === 'agent_thought'
      ? `thought:${String(e['position'])}:${String(e['tool'])}:${String(e['observation'])}:${String(e['thought'])}`
      : `${e.event}:${String(e['answer'])}`;

  it("sends Dify's agent_thought as each step happens, before the answer text that follows it, and agent_message for the text", async () => {
    const { ending, events, row } = await agentChat('agent-chat');
    expect(events.map(brief)).toEqual([
      'thought:1:::',
      'agent_message:Let me compute.',
      'thought:1:eval_expression::Let me compute.',
      'thought:1:eval_expression:{"eval_expression":"42"}:Let me compute.',
      'thought:2:::',
      'agent_message:It is ',
      'agent_message:42.',
      'thought:2:::It is 42.',
    ]);
    const thoughts = events.filter((e) => e.event === 'agent_thought');
    // One id per thought, the same across its updates; Dify's fields; the envelope of a chat stream.
    expect(new Set(thoughts.filter((e) => e['position'] === 1).map((e) => e['id'])).size).toBe(1);
    expect(thoughts[0]!['id']).not.toBe(thoughts[4]!['id']);
    expect(thoughts[2]).toEqual({
      conversation_id: 'c',
      created_at: at,
      event: 'agent_thought',
      id: agentThoughtId(row.chat.messageId, 1),
      message_files: [],
      message_id: row.chat.messageId,
      observation: '{"eval_expression":"42"}',
      position: 1,
      task_id: 't',
      thought: 'Let me compute.',
      tool: 'eval_expression',
      tool_input: '{"eval_expression":{"expression":"6*7"}}',
      tool_labels: { eval_expression: { en_US: 'eval_expression', zh_Hans: 'eval_expression' } },
    });
    expect(thoughts[0]!['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The stream heard every thought as it is stored: the ending repeats none, and message_end closes it.
    expect(ending.map((e) => e.event)).toEqual(['message_end', 'workflow_finished'].slice(0, 1));
  });

  it('keeps the thoughts the stored node run gives, with the ids the stream used', async () => {
    const { events, records, row, stream } = await agentChat('agent-chat');
    const stored = agentSteps(row, stream.answer, records, stream.liveThoughts).map((step) => agentThoughtRecord(row, step));
    const lastSent = (position: number) => events.filter((e) => e.event === 'agent_thought' && e['position'] === position).at(-1)!;
    expect(stored).toEqual([1, 2].map((position) => expect.objectContaining({ id: lastSent(position)['id'], position })));
    expect(stored[0]).toEqual({
      chain_id: null,
      created_at: at,
      files: [],
      id: agentThoughtId(row.chat.messageId, 1),
      message_id: row.chat.messageId,
      observation: '{"eval_expression":"42"}',
      position: 1,
      thought: 'Let me compute.',
      tool: 'eval_expression',
      tool_input: '{"eval_expression":{"expression":"6*7"}}',
      tool_labels: { eval_expression: { en_US: 'eval_expression', zh_Hans: 'eval_expression' } },
    });
  });

  it('sends no thought twice when the job is delivered again, and a client that missed the stream gets them all at the end', async () => {
    const { events, records, row } = await agentChat('agent-chat', 2);
    expect(events.filter((e) => e.event === 'agent_thought')).toHaveLength(5);
    const missed = endingEvents(row, { outputs: { answer: 'x' }, status: 'succeeded' } as unknown as RunResult, records);
    expect(missed.map(brief)).toEqual([
      'thought:1:eval_expression:{"eval_expression":"42"}:Let me compute.',
      'thought:2:::It is 42.',
      'message_end:undefined',
    ]);
    expect(missed.at(-1)).toMatchObject({ event: 'message_end' });
  });

  it("masks the workflow's secrets in thoughts", async () => {
    const { events } = await agentChat('agent-chat', 1, createSecretMask(['compute', '6*7=']));
    const thoughts = events.filter((e) => e.event === 'agent_thought');
    expect(JSON.stringify(thoughts)).not.toContain('compute');
    expect(thoughts.map((e) => e['thought'])).toContain('Let me ******.');
  });

  it('shows a chatflow only the agent text as message events, as Dify does', async () => {
    const { events } = await agentChat('advanced-chat');
    expect(events.some((e) => e.event === 'agent_thought' || e.event === 'agent_message')).toBe(false);
    expect(
      events
        .filter((e) => e.event === 'message')
        .map((e) => e['answer'])
        .join(''),
    ).toBe('Let me compute.It is 42.');
  });
});
