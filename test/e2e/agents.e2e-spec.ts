import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestStack, WeftClient } from '@weft/testing';

// Agents through the public API (issue 17): a Dify 1.x chatflow with an agent node and a classic
// agent-chat app, both imported from Dify exports and run with the offline weft-mock model, which calls
// the first tool it is offered (arguments from `name: value` in the query) and then answers.

const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

async function streamChat(baseUrl: string, key: string, body: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${baseUrl}/v1/chat-messages`, {
    body: JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'agent-user', ...body }),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    method: 'POST',
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice(6)) as Record<string, unknown>);
}

describe('agents', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;

  beforeAll(async () => {
    stack = await TestStack.create({ mail: false });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.destroy();
  }, STACK_STOP_TIMEOUT_MS);

  it('imports a Dify chatflow with an agent node and runs it: the agent calls a tool, sees the result and answers', async () => {
    const imported = await client.importApp(token, fixture('dify-agent-workflow.yml'));
    expect(imported.status).toBe(200);
    expect(JSON.stringify(imported.body)).not.toMatch(/agent tool|not supported|does not provide/);
    const app = await client.deploy(token, fixture('dify-agent-workflow.yml'));

    const blocking = await client.call('POST', '/v1/chat-messages', {
      body: { inputs: {}, query: 'expression: 6*7', response_mode: 'blocking', user: 'agent-user' },
      token: app.key,
    });
    expect(blocking.status).toBe(200);
    expect(blocking.body).toMatchObject({ answer: 'Mock reply to: expression: 6*7', event: 'message' });
    expect(blocking.body['metadata']).toMatchObject({ usage: { total_tokens: expect.any(Number) } });

    const events = await streamChat(stack.gateway.baseUrl, app.key, { query: 'expression: 2+3' });
    const agentNode = events.find((e) => e['event'] === 'node_finished' && (e['data'] as Record<string, unknown>)['node_type'] === 'agent');
    const data = agentNode!['data'] as Record<string, unknown>;
    expect(data).toMatchObject({ status: 'succeeded' });
    expect(data['process_data']).toMatchObject({
      agent_log: [
        { observation: '5', tool: 'eval_expression', tool_input: { expression: '2+3' } },
        { observation: '', thought: 'Mock reply to: expression: 2+3', tool: '' },
      ],
      tools: ['eval_expression', 'current_time'],
    });
    expect(
      events
        .filter((e) => e['event'] === 'message')
        .map((e) => e['answer'])
        .join(''),
    ).toBe('Mock reply to: expression: 2+3');
  });

  it('runs a classic agent-chat app: each thought streams live as agent_thought, the answer as agent_message; the message keeps them', async () => {
    const imported = await client.importApp(token, fixture('dify-agent-chat.yml'));
    expect(imported.body).toMatchObject({ app_mode: 'agent-chat' });
    expect(JSON.stringify(imported.body)).not.toContain('agent tool');
    const app = await client.deploy(token, fixture('dify-agent-chat.yml'));

    const events = await streamChat(stack.gateway.baseUrl, app.key, { inputs: { name: 'Ada' }, query: 'expression: 10/4' });
    expect(events.some((e) => String(e['event']).startsWith('workflow') || e['event'] === 'node_started')).toBe(false);
    const thoughts = events.filter((e) => e['event'] === 'agent_thought');
    // Thoughts stream as they happen, each update of one thought under the same id; the last update of each is
    // what the agent did.
    const latest = new Map(thoughts.map((e) => [e['id'], e]));
    expect([...latest.values()]).toEqual([
      expect.objectContaining({
        observation: JSON.stringify({ eval_expression: '2.5' }),
        position: 1,
        tool: 'eval_expression',
        tool_input: JSON.stringify({ eval_expression: { expression: '10/4' } }),
      }),
      expect.objectContaining({ position: 2, thought: 'Mock reply to: expression: 10/4', tool: '' }),
    ]);
    expect(new Set(thoughts.filter((e) => e['position'] === 1).map((e) => e['id'])).size).toBe(1);
    // Live, in Dify's order: the tool call's thought (with its observation) before the answer text, and both before message_end.
    const order = (test: (e: Record<string, unknown>) => boolean) => events.findIndex(test);
    const toolThought = order((e) => e['event'] === 'agent_thought' && e['tool'] === 'eval_expression' && e['observation'] !== '');
    const firstAnswer = order((e) => e['event'] === 'agent_message' && String(e['answer']) !== '');
    const lastAnswer = events.map((e) => e['event']).lastIndexOf('agent_message');
    const end = order((e) => e['event'] === 'message_end');
    expect(toolThought).toBeGreaterThanOrEqual(0);
    expect(toolThought).toBeLessThan(firstAnswer);
    expect(lastAnswer).toBeLessThan(end);
    expect(thoughts[0]).toMatchObject({
      conversation_id: events.at(-1)!['conversation_id'],
      created_at: expect.any(Number),
      message_files: [],
      message_id: events.at(-1)!['message_id'],
      tool_labels: {},
    });

    expect(
      events
        .filter((e) => e['event'] === 'agent_message')
        .map((e) => e['answer'])
        .join(''),
    ).toBe('Mock reply to: expression: 10/4');
    expect(events.at(-1)).toMatchObject({ event: 'message_end', metadata: { usage: { total_tokens: expect.any(Number) } } });
    const usage = (events.at(-1)!['metadata'] as { usage: { prompt_tokens: number } }).usage;
    // Two model turns (the tool call, then the answer), so the prompt was counted twice.
    expect(usage.prompt_tokens).toBeGreaterThan(10);

    // The message keeps its thoughts, as Dify's GET /v1/messages lists them, under the ids the stream used.
    const messages = await client.call('GET', `/v1/messages?conversation_id=${String(events.at(-1)!['conversation_id'])}&user=agent-user`, {
      token: app.key,
    });
    expect(messages.status).toBe(200);
    const [message] = messages.body['data'] as Record<string, unknown>[];
    expect(message!['agent_thoughts']).toEqual([
      {
        chain_id: null,
        created_at: expect.any(Number),
        files: [],
        id: latest.keys().next().value,
        message_id: events.at(-1)!['message_id'],
        observation: JSON.stringify({ eval_expression: '2.5' }),
        position: 1,
        thought: '',
        tool: 'eval_expression',
        tool_input: JSON.stringify({ eval_expression: { expression: '10/4' } }),
        tool_labels: { eval_expression: { en_US: 'eval_expression', zh_Hans: 'eval_expression' } },
      },
      expect.objectContaining({ observation: '', position: 2, thought: 'Mock reply to: expression: 10/4', tool: '', tool_input: '' }),
    ]);
  });

  it('fails an agent whose tool Weft does not provide, with a clear error, after importing it with a warning', async () => {
    const yaml = fixture('dify-agent-chat.yml')
      .replace('provider_id: maths', 'provider_id: google')
      .replace('tool_name: eval_expression', 'tool_name: google_search');
    const imported = await client.importApp(token, yaml);
    expect(imported.body).toMatchObject({ status: 'completed-with-warnings' });
    expect(JSON.stringify(imported.body)).toContain('has an agent tool that uses the tool \\"google_search\\"');
    const app = await client.deploy(token, yaml);
    const events = await streamChat(stack.gateway.baseUrl, app.key, { query: 'hello' });
    expect(events.at(-1)).toMatchObject({ event: 'error', message: expect.stringContaining('builtin provider google not found') });
  });
});
