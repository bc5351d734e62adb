import type { AgentStep } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { ToolRegistry } from '../../tools/tool-registry.service';
import { blob } from '../../tools/tool-runtime.types';
import { failureOf, outputsOf, replyOpenAi, testChatProviders, testConfig, testContext, testJob, testToolFiles } from '../node-test.util';
import { parseReactAction, runFunctionCalling, runReact, toolJsonSchema, type AgentModel } from './agent-loop.util';
import { AgentExecutor, sumUsage } from './agent.executor';

const http = { guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, timeoutMs: 5_000 };
const registry = new ToolRegistry({ request: () => Promise.resolve({ provider: null }) } as unknown as MessageBus, testConfig());

function agentData(overrides: Record<string, unknown> = {}, tools: unknown[] = []): Record<string, unknown> {
  return {
    agent_parameters: {
      instruction: { type: 'constant', value: 'You compute for {{#start.who#}}.' },
      maximum_iterations: { type: 'constant', value: 3 },
      model: { type: 'constant', value: { completion_params: {}, mode: 'chat', model: 'mock-1', provider: 'weft-mock' } },
      query: { type: 'mixed', value: 'expression: 6*7' },
      tools: { type: 'constant', value: tools },
    },
    agent_strategy_name: 'function_calling',
    ...overrides,
  };
}

const MATHS = {
  enabled: true,
  parameters: { expression: { auto: 1, value: null } },
  provider_name: 'maths',
  settings: {},
  tool_name: 'eval_expression',
  type: 'builtin',
};
const usage = (tokens: number) => ({
  completion_price: '0.0000010',
  completion_price_unit: '0.000001',
  completion_tokens: tokens,
  completion_unit_price: '1',
  currency: 'USD',
  latency: 0.5,
  prompt_price: '0.0000020',
  prompt_price_unit: '0.000001',
  prompt_tokens: tokens * 2,
  prompt_unit_price: '1',
  total_price: '0.0000030',
  total_tokens: tokens * 3,
});

describe('agent loop', () => {
  it('describes only the parameters the model fills', () => {
    expect(
      toolJsonSchema(
        [
          { description: 'q', form: 'llm', name: 'q', required: true, type: 'string' },
          { description: 'n', form: 'llm', name: 'n', required: false, type: 'number' },
          { description: 'mode', form: 'llm', name: 'mode', options: ['a', 'b'], required: false, type: 'select' },
          { description: 'fixed', form: 'llm', name: 'fixed', required: true, type: 'string' },
          { description: 'form', form: 'form', name: 'form', required: false, type: 'string' },
        ],
        new Set(['fixed']),
      ),
    ).toEqual({
      properties: {
        mode: { description: 'mode', enum: ['a', 'b'], type: 'string' },
        n: { description: 'n', type: 'number' },
        q: { description: 'q', type: 'string' },
      },
      required: ['q'],
      type: 'object',
    });
  });

  it("takes items, fields and enums from a parameter's JSON Schema when the tool gave one (MCP tools)", () => {
    expect(
      toolJsonSchema([
        {
          description: 'tags',
          form: 'llm',
          inputSchema: { items: { type: 'string' }, type: 'array' },
          name: 'tags',
          required: true,
          type: 'array',
        },
        {
          description: 'where',
          form: 'llm',
          inputSchema: { properties: { city: { type: 'string' } }, type: 'object' },
          name: 'where',
          required: false,
          type: 'object',
        },
        {
          description: 'units',
          form: 'llm',
          inputSchema: { enum: ['metric', 'imperial'], type: 'string' },
          name: 'units',
          required: false,
          type: 'string',
        },
        { description: 'list', form: 'llm', name: 'list', required: false, type: 'array' },
      ]),
    ).toEqual({
      properties: {
        list: { description: 'list', items: {}, type: 'array' },
        tags: { description: 'tags', items: { type: 'string' }, type: 'array' },
        units: { description: 'units', enum: ['metric', 'imperial'], type: 'string' },
        where: { description: 'where', properties: { city: { type: 'string' } }, type: 'object' },
      },
      required: ['tags'],
      type: 'object',
    });
  });

  it('stops at maximum_iterations, offering no tools on the last turn so the model must answer', async () => {
    const offered: boolean[] = [];
    const model: AgentModel = (request) => {
      offered.push(request.tools !== undefined);
      return Promise.resolve(
        request.tools
          ? { text: '', toolCalls: [{ arguments: '{"x": 1}', id: `c${offered.length}`, name: 'loop' }], usage: usage(1) }
          : { text: 'done', toolCalls: [], usage: usage(1) },
      );
    };
    const calls: unknown[] = [];
    const run = await runFunctionCalling(
      model,
      [{ content: 'go', role: 'user' }],
      new Map([
        ['loop', { call: (a) => (calls.push(a), Promise.resolve('again')), definition: { description: '', name: 'loop', parameters: {} } }],
      ]),
      3,
    );
    expect(offered).toEqual([true, true, false]);
    expect(calls).toEqual([{ x: 1 }, { x: 1 }]);
    expect(run).toMatchObject({ answer: 'done', iterations: 3 });
    expect(run.thoughts.map((t) => t.tools.map((tool) => tool.name))).toEqual([['loop'], ['loop'], []]);
  });

  it('reads ReAct actions from fenced or bare JSON, and answers text without an action as it is', async () => {
    expect(parseReactAction('Thought: need maths\nAction:\n```json\n{"action": "calc", "action_input": {"e": "1+1"}}\n```')).toEqual({
      action: 'calc',
      input: { e: '1+1' },
      thought: 'need maths',
    });
    expect(parseReactAction('{"action": "Final Answer", "action_input": "2"}')).toMatchObject({ action: 'Final Answer', input: '2' });
    expect(parseReactAction('just text')).toBeUndefined();
    const replies = [
      'Thought: t\n```json\n{"action": "calc", "action_input": {"e": "1+1"}}\n```',
      '```\n{"action": "Final Answer", "action_input": "It is 2."}\n```',
    ];
    const seen: string[] = [];
    const run = await runReact(
      (request) => {
        seen.push(request.messages.at(-1)!.content);
        return Promise.resolve({ text: replies.shift()!, toolCalls: [], usage: usage(1) });
      },
      [{ content: 'what is 1+1', role: 'user' }],
      new Map([['calc', { call: () => Promise.resolve('2'), definition: { description: '', name: 'calc', parameters: {} } }]]),
      5,
    );
    expect(run.answer).toBe('It is 2.');
    expect(seen).toEqual(['what is 1+1', 'Observation: 2']);
    expect(run.thoughts[0]).toMatchObject({ position: 1, thought: 't', tools: [{ input: { e: '1+1' }, name: 'calc', observation: '2' }] });
    expect(run.thoughts[1]).toMatchObject({ position: 2, thought: 'It is 2.', tools: [] });
  });

  it('sums usage over turns', () => {
    expect(sumUsage([usage(1), usage(2)])).toMatchObject({
      completion_tokens: 3,
      latency: 1,
      prompt_tokens: 6,
      total_price: '0.0000060',
      total_tokens: 9,
    });
    expect(sumUsage([])).toBeUndefined();
  });
});

describe('AgentExecutor', () => {
  it('calls a built-in tool chosen by the model and answers with the tool result in context, streaming the answer', async () => {
    const job = testJob('agent', agentData({}, [MATHS]), { start: { who: 'Ada' } });
    const ctx = testContext(job);
    const outcome = await new AgentExecutor(testChatProviders().providers, registry, http).execute(job, ctx);
    const outputs = outputsOf(outcome);
    expect(outputs['text']).toBe('Mock reply to: expression: 6*7');
    expect(ctx.chunks.join('')).toBe('Mock reply to: expression: 6*7');
    expect(outcome.processData).toMatchObject({
      agent_log: [
        { observation: '42', tool: 'eval_expression', tool_input: { expression: '6*7' } },
        { observation: '', thought: 'Mock reply to: expression: 6*7', tool: '' },
      ],
      iterations: 2,
      tools: ['eval_expression'],
    });
    expect(outcome.inputs).toMatchObject({ instruction: 'You compute for Ada.', maximum_iterations: 3 });
    expect((outputs['usage'] as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
  });

  it('keeps the files its tools produce in its `files` output, and tells the model they reached the user', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const bus = {
      request: () => Promise.resolve({ provider: { credentials: {}, name: 'painter', providerType: 'api', settings: {} } }),
    } as unknown as MessageBus;
    const painter = new ToolRegistry(bus, testConfig());
    painter.registerKind('api', {
      runtime: () =>
        Promise.resolve({
          invoke: () => Promise.resolve([blob(png, { mime_type: 'image/png' })]),
          spec: {
            description: 'Paints what it is told.',
            name: 'paint',
            parameters: [{ description: 'what to paint', form: 'llm', name: 'expression', required: true, type: 'string' }],
          },
        }),
    });
    const files = testToolFiles();
    const tool = { enabled: true, parameters: {}, provider_name: 'painter', settings: {}, tool_name: 'paint', type: 'api' };
    const job = testJob('agent', agentData({}, [tool]), { start: { who: 'Ada' } });
    const jobContext = () => ({
      files,
      scope: { appId: job.appId, conversationId: null, workspaceId: job.workspaceId },
      services: { modelCredentials: () => Promise.resolve(null), readFile: () => Promise.reject(new Error('unused')) },
    });
    const outcome = await new AgentExecutor(testChatProviders().providers, painter, http, jobContext).execute(job, testContext(job));
    expect(outputsOf(outcome)['files']).toEqual([
      expect.objectContaining({ mime_type: 'image/png', related_id: files.saved[0]!.id, transfer_method: 'tool_file', type: 'image' }),
    ]);
    expect(files.saved[0]!.bytes).toEqual(png);
    expect((outcome.processData as { agent_log: { observation: string }[] }).agent_log[0]!.observation).toMatch(
      /^image has been created and sent to user already/,
    );
  });

  it("turns a tool's failure into an observation the model sees", async () => {
    const job = testJob(
      'agent',
      agentData({
        agent_parameters: {
          ...(agentData({}, [MATHS])['agent_parameters'] as object),
          query: { type: 'mixed', value: 'expression: import("fs")' },
        },
      }),
    );
    const outcome = await new AgentExecutor(testChatProviders().providers, registry, http).execute(job, testContext(job));
    expect((outcome.processData as { agent_log: { observation: string }[] }).agent_log[0].observation).toMatch(
      /^tool invoke error: Invalid expression/,
    );
  });

  it('fails clearly: unknown strategy, no model, a tool Weft does not provide', async () => {
    const run = async (data: Record<string, unknown>) => {
      const job = testJob('agent', data);
      return failureOf(await new AgentExecutor(testChatProviders().providers, registry, http).execute(job, testContext(job)));
    };
    expect(await run(agentData({ agent_strategy_name: 'tree_of_thought' }))).toMatchObject({ errorType: 'AgentNodeError' });
    expect(await run(agentData({ agent_parameters: {} }))).toMatchObject({
      error: 'Model provider is not set.',
      errorType: 'AgentNodeError',
    });
    expect(
      await run(agentData({}, [{ enabled: true, provider_name: 'google', tool_name: 'google_search', type: 'builtin' }])),
    ).toMatchObject({
      errorType: 'ToolProviderNotFoundError',
    });
  });
});

/** What the executor sent, in order: `text:<chunk>` or `step:<position>:<tools>:<observations>:<thought>`. */
function timeline(sent: ({ text: string } | { step: AgentStep })[]): string[] {
  return sent.map((item) =>
    'text' in item
      ? `text:${item.text}`
      : `step:${item.step.position}:${item.step.tools.map((t) => t.name).join(';')}:${item.step.tools
          .map((t) => t.observation ?? '-')
          .join(';')}:${item.step.thought}`,
  );
}

describe('AgentExecutor step reporting, against an OpenAI-compatible server', () => {
  let server: TestHttpServer;
  /** The replies of the model, one per request; a function may act (abort) before replying. */
  let replies: ({ content?: string; tool_calls?: unknown[] } | (() => { content?: string; tool_calls?: unknown[] }))[] = [];

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
      const next = replies.shift() ?? { content: 'no more replies' };
      replyOpenAi(res, body, typeof next === 'function' ? next() : next);
    });
  });
  afterAll(() => server.close());

  const providers = () =>
    testChatProviders({ openai_api_compatible: { api_key: 'sk-local-test-key', endpoint_url: `${server.url}/v1` } }).providers;
  const data = (strategy: string) =>
    agentData(
      {
        agent_parameters: {
          ...(agentData({}, [MATHS])['agent_parameters'] as object),
          model: {
            type: 'constant',
            value: {
              completion_params: {},
              mode: 'chat',
              model: 'local',
              provider: 'langgenius/openai_api_compatible/openai_api_compatible',
            },
          },
        },
        agent_strategy_name: strategy,
      },
      [MATHS],
    );
  const evalCall = (expression: string) => ({
    function: { arguments: JSON.stringify({ expression }), name: 'eval_expression' },
    id: 'call_1',
    type: 'function',
  });

  it('reports each thought as it happens, in order with the answer tokens (function calling)', async () => {
    replies = [{ content: 'Let me compute.', tool_calls: [evalCall('6*7')] }, { content: 'It is 42.' }];
    const job = testJob('agent', data('function_calling'), { start: { who: 'Ada' } });
    const ctx = testContext(job);
    const outcome = await new AgentExecutor(providers(), registry, http).execute(job, ctx);

    expect(outputsOf(outcome)['text']).toBe('Let me compute.It is 42.');
    expect(timeline(ctx.sent)).toEqual([
      'step:1:::',
      'text:Let ',
      'text:me ',
      'text:compute.',
      'step:1:eval_expression:-:Let me compute.',
      'step:1:eval_expression:42:Let me compute.',
      'step:2:::',
      'text:It ',
      'text:is ',
      'text:42.',
      'step:2:::It is 42.',
    ]);
    expect(ctx.steps[1]).toMatchObject({ tools: [{ input: { expression: '6*7' }, name: 'eval_expression', observation: null }] });
    expect(ctx.steps.every((step) => Number.isInteger(step.createdAt) && step.createdAt > 1_700_000_000)).toBe(true);
    // The node's log names each entry's thought, so the stored run gives the same thoughts back.
    expect((outcome.processData as { agent_log: unknown[] }).agent_log).toEqual([
      expect.objectContaining({ observation: '42', position: 1, thought: 'Let me compute.', tool: 'eval_expression' }),
      expect.objectContaining({ observation: '', position: 2, thought: 'It is 42.', tool: '' }),
    ]);
  });

  it('reports ReAct thoughts: the action, its observation, then the final answer as the last thought', async () => {
    replies = [
      { content: 'Thought: I need maths\n```json\n{"action": "eval_expression", "action_input": {"expression": "2+3"}}\n```' },
      { content: '```json\n{"action": "Final Answer", "action_input": "It is 5."}\n```' },
    ];
    const job = testJob('agent', data('ReAct'), { start: { who: 'Ada' } });
    const ctx = testContext(job);
    const outcome = await new AgentExecutor(providers(), registry, http).execute(job, ctx);

    expect(outputsOf(outcome)['text']).toBe('It is 5.');
    expect(timeline(ctx.sent)).toEqual([
      'step:1:::',
      'step:1:eval_expression:-:I need maths',
      'step:1:eval_expression:5:I need maths',
      'step:2:::',
      'step:2:::It is 5.',
      'text:It is 5.',
    ]);
  });

  it('stops mid-agent: the thoughts so far were reported, and no later one follows', async () => {
    const controller = new AbortController();
    replies = [
      { tool_calls: [evalCall('1+1')] },
      () => {
        controller.abort();
        return { content: 'too late' };
      },
    ];
    const job = testJob('agent', data('function_calling'), { start: { who: 'Ada' } });
    const ctx = testContext(job, controller.signal);
    const outcome = await new AgentExecutor(providers(), registry, http).execute(job, ctx);

    expect(outcome.status).toBe('failed');
    expect(timeline(ctx.sent)).toEqual(['step:1:::', 'step:1:eval_expression:-:', 'step:1:eval_expression:2:', 'step:2:::']);
  });
});
